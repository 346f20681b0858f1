// Fields whose resolver only reads a property of its parent under another
// name (Item.id and User.id are the rows' `externalId`), compiled as the
// property read they are.
//
// graphql-jit compiles a field without a resolver to a plain property read,
// but a field with one to a call that builds a resolve info, a response path
// and three closures for every object it resolves: for `item { id }` in a
// list of ten recommendations, ten of each per request. So the jit executor
// compiles an operation in which each such field is asked under its own
// response key for the property it reads (`id` on an Item becomes
// `id: externalId`), against a copy of the schema that also has that
// property as a field with no resolver. Clients never see the copy: Apollo
// validates against the served schema before the executor runs, and an
// operation that introspects (`__schema`, `__type`) is compiled as sent.
//
// Such a resolver is made by readsProperty(), and createSchema declares the
// resolvers it built the schema from; a wrapped one (the auth policy,
// timing) is another function and is left alone.
import { extendSchema, isObjectType, Kind, parse, TypeInfo, visit, visitWithTypeInfo, type DocumentNode, type FieldNode, type GraphQLSchema } from "graphql";

const propertyOf = new WeakMap<object, string>();

// A resolver that returns its parent's `property` (and does nothing else).
export function readsProperty<P extends string>(property: P): <T extends { readonly [K in P]: unknown }>(parent: T) => T[P] {
  const resolve = <T extends { readonly [K in P]: unknown }>(parent: T): T[P] => parent[property];
  propertyOf.set(resolve, property);
  return resolve;
}

// The resolvers of a schema that read a property, type -> field -> property,
// as given to makeExecutableSchema (which binds each resolver to its map, so
// the schema's own functions no longer say).
const declared = new WeakMap<GraphQLSchema, Map<string, Map<string, string>>>();

export function declarePropertyFields(schema: GraphQLSchema, resolvers: Record<string, unknown>): void {
  const fields = new Map<string, Map<string, string>>();
  for (const [type, map] of Object.entries(resolvers)) {
    if (map === null || typeof map !== "object") continue;
    for (const [field, resolve] of Object.entries(map)) {
      const property = typeof resolve === "function" ? propertyOf.get(resolve) : undefined;
      if (property === undefined) continue;
      if (!fields.has(type)) fields.set(type, new Map());
      fields.get(type)!.set(field, property);
    }
  }
  declared.set(schema, fields);
}

export interface PropertyFields {
  // The served schema with each property as a field of its own (no resolver).
  schema: GraphQLSchema;
  // type -> field -> property
  fields: ReadonlyMap<string, ReadonlyMap<string, string>>;
  // The operation with those fields asked for their properties, or
  // undefined when it has none or introspects.
  rewrite(document: DocumentNode): DocumentNode | undefined;
}

export function propertyFields(schema: GraphQLSchema): PropertyFields | undefined {
  const fields = new Map<string, Map<string, string>>();
  const extensions: string[] = [];
  for (const [typeName, reads] of declared.get(schema) ?? []) {
    const type = schema.getType(typeName);
    if (!isObjectType(type)) continue;
    const own = type.getFields();
    const added: string[] = [];
    for (const [fieldName, property] of reads) {
      const field = own[fieldName];
      if (!field || property === field.name || field.args.length > 0) continue;
      const existing = own[property];
      // A served field of that name that is not itself a plain read of the
      // property (or has another type) would be a different thing: leave it.
      if (existing && (existing.resolve !== undefined || String(existing.type) !== String(field.type) || existing.args.length > 0)) continue;
      if (!existing) added.push(`${property}: ${String(field.type)}`);
      if (!fields.has(type.name)) fields.set(type.name, new Map());
      fields.get(type.name)!.set(field.name, property);
    }
    if (added.length > 0) extensions.push(`extend type ${type.name} { ${added.join(" ")} }`);
  }
  if (fields.size === 0) return undefined;
  const compiled = extensions.length > 0 ? extendSchema(schema, parse(extensions.join("\n"))) : schema;
  return {
    schema: compiled,
    fields,
    rewrite(document) {
      let changed = false;
      let introspects = false;
      const typeInfo = new TypeInfo(compiled);
      const rewritten = visit(
        document,
        visitWithTypeInfo(typeInfo, {
          Field(node): FieldNode | undefined {
            const name = node.name.value;
            if (name === "__schema" || name === "__type") introspects = true;
            const parent = typeInfo.getParentType();
            const property = parent ? fields.get(parent.name)?.get(name) : undefined;
            if (property === undefined) return undefined;
            changed = true;
            return { ...node, alias: node.alias ?? { kind: Kind.NAME, value: name, loc: node.name.loc }, name: { kind: Kind.NAME, value: property, loc: node.name.loc } };
          },
        }),
      );
      return changed && !introspects ? rewritten : undefined;
    },
  };
}
