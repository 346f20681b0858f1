// Fields whose resolver only reads a property (src/graphql/propertyFields.ts):
// which ones the served schema has, how an operation is rewritten to ask for
// the property under the field's response key (fragments, aliases and
// directives included), that introspection is left as sent, and that a
// wrapped resolver is not taken for a property read.
import { execute, parse, print } from "graphql";
import { compileQuery, isCompiledQuery } from "graphql-jit";
import { makeExecutableSchema } from "@graphql-tools/schema";
import { createSchema } from "../../src/graphql/createApolloServer";
import { declarePropertyFields, propertyFields, readsProperty } from "../../src/graphql/propertyFields";

const squash = (text: string) => text.replace(/\s+/g, " ").trim();

describe("property fields", () => {
  it("reads the property and nothing else", () => {
    expect(readsProperty("externalId")({ id: 7, externalId: "tt0114709" })).toBe("tt0114709");
  });

  it("finds Item.id and User.id in the served schema", () => {
    const fields = propertyFields(createSchema())!;
    expect(Object.fromEntries([...fields.fields].map(([type, map]) => [type, Object.fromEntries(map)]))).toEqual({ Item: { id: "externalId" }, User: { id: "externalId" } });
    // The copy has the property as a field; the served schema does not.
    expect(Object.keys((fields.schema.getType("Item") as any).getFields())).toContain("externalId");
    expect(Object.keys((createSchema().getType("Item") as any).getFields())).not.toContain("externalId");
  });

  it("asks for the property under the field's response key, wherever the field is", () => {
    const fields = propertyFields(createSchema())!;
    const rewritten = fields.rewrite(
      parse(`query($u: ID!, $all: Boolean!) {
        recommendations(userId: $u, first: 10) { item { id title ...F } score }
        user(id: $u) { key: id }
        item(id: "1") { ... on Item { id @include(if: $all) } }
      }
      fragment F on Item { id similar(first: 2) { item { id } } }`),
    );
    expect(squash(print(rewritten!))).toBe(
      squash(`query ($u: ID!, $all: Boolean!) {
        recommendations(userId: $u, first: 10) { item { id: externalId title ...F } score }
        user(id: $u) { key: externalId }
        item(id: "1") { ... on Item { id: externalId @include(if: $all) } }
      }
      fragment F on Item { id: externalId similar(first: 2) { item { id: externalId } } }`),
    );
  });

  it("leaves an operation without such fields, or one that introspects, as sent", () => {
    const fields = propertyFields(createSchema())!;
    expect(fields.rewrite(parse(`{ items(first: 1) { nodes { title } } }`))).toBeUndefined();
    expect(fields.rewrite(parse(`{ item(id: "1") { id } __type(name: "Item") { fields { name } } }`))).toBeUndefined();
    expect(fields.rewrite(parse(`{ __schema { types { name } } }`))).toBeUndefined();
  });

  it("does not take a wrapped resolver for a property read", () => {
    const read = readsProperty("externalId");
    const typeDefs = "type Query { a: A b: B } type A { id: ID! } type B { id: ID! }";
    const resolvers = {
      Query: { a: () => ({ externalId: "a1" }), b: () => ({ externalId: "b1" }) },
      A: { id: read },
      // What the auth policy or timing does: another function around it.
      B: { id: (parent: { externalId: string }) => read(parent) },
    };
    const schema = makeExecutableSchema({ typeDefs, resolvers });
    declarePropertyFields(schema, resolvers);
    const fields = propertyFields(schema)!;
    expect(Object.fromEntries([...fields.fields].map(([type, map]) => [type, Object.fromEntries(map)]))).toEqual({ A: { id: "externalId" } });
    // Compiled, the rewritten operation answers what graphql-js answers for the one sent.
    const document = parse("{ a { id } b { id } }");
    const compiled = compileQuery(fields.schema, fields.rewrite(document)!);
    if (!isCompiledQuery(compiled)) throw new Error("did not compile");
    const expected = execute({ schema, document });
    expect(expected).toEqual({ data: { a: { id: "a1" }, b: { id: "b1" } } });
    expect(compiled.query(undefined, {}, {})).toEqual(expected);
  });
});
