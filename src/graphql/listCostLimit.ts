// A cost limit that knows lists: each field costs 1 per parent instance, and
// a list field multiplies what is under it by its size — `first`, the length
// of `ids`, or 10 for a list without a size argument (the `edges`/`nodes` of
// a connection are already sized by the connection's `first`). So
// `users(ids: [100 ids]) { recommendations(first: 100) { item { similar(first: 100) { … } } } }`
// costs about a million and is refused before anything runs, while the
// 50-user page of 10 recommendations each costs about 12,000.
// Checked in didResolveOperation, where the variables are known (a
// validation rule cannot see them).
import { GraphQLError, getNamedType, getNullableType, isListType, isObjectType, isInterfaceType, Kind, type DocumentNode, type FragmentDefinitionNode, type GraphQLNamedType, type GraphQLSchema, type OperationDefinitionNode, type SelectionSetNode } from "graphql";
import { getArgumentValues } from "graphql/execution/values";
import type { ApolloServerPlugin } from "@apollo/server";

const UNSIZED_LIST = 10;

function sizeOf(args: Record<string, unknown>, isList: boolean, fieldName: string): number {
  if (typeof args.first === "number" && Number.isFinite(args.first)) return Math.max(0, args.first);
  if (Array.isArray(args.ids)) return args.ids.length;
  if (!isList) return 1;
  return fieldName === "edges" || fieldName === "nodes" ? 1 : UNSIZED_LIST;
}

export function listCost(schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode, variables: Record<string, unknown>): number {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  const walk = (set: SelectionSetNode, type: GraphQLNamedType, multiplier: number, seen: Set<string>): number => {
    let cost = 0;
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) {
        if (selection.name.value.startsWith("__")) continue;
        const fields = isObjectType(type) || isInterfaceType(type) ? type.getFields() : undefined;
        const field = fields?.[selection.name.value];
        if (!field) continue;
        let args: Record<string, unknown> = {};
        try {
          args = getArgumentValues(field, selection, variables);
        } catch {
          // Bad arguments fail validation or execution with their own error.
        }
        cost += multiplier;
        if (selection.selectionSet) {
          const size = sizeOf(args, isListType(getNullableType(field.type)), selection.name.value);
          cost += walk(selection.selectionSet, getNamedType(field.type), multiplier * size, seen);
        }
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const on = selection.typeCondition ? schema.getType(selection.typeCondition.name.value) ?? type : type;
        cost += walk(selection.selectionSet, on, multiplier, seen);
      } else {
        const name = selection.name.value;
        const fragment = fragments.get(name);
        if (!fragment || seen.has(name)) continue;
        const on = schema.getType(fragment.typeCondition.name.value) ?? type;
        cost += walk(fragment.selectionSet, on, multiplier, new Set(seen).add(name));
      }
      if (cost > Number.MAX_SAFE_INTEGER / 2) return cost;
    }
    return cost;
  };
  const root = operation.operation === "mutation" ? schema.getMutationType() : operation.operation === "subscription" ? schema.getSubscriptionType() : schema.getQueryType();
  return root ? walk(operation.selectionSet, root, 1, new Set()) : 0;
}

// The cost depends on the document and on the variables' numbers and list
// lengths only (`first`, `ids`), not on the ids themselves: a document
// asked again with other ids of the same count is not walked again.
const memo = new WeakMap<OperationDefinitionNode, Map<string, number>>();

function shapeOf(variables: Record<string, unknown>): string {
  return JSON.stringify(variables, (_key, value: unknown) => {
    if (typeof value === "string") return "";
    if (Array.isArray(value) && value.every((v) => typeof v === "string")) return `#${value.length}`;
    return value;
  });
}

function memoListCost(schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode, variables: Record<string, unknown>): number {
  let costs = memo.get(operation);
  if (!costs) memo.set(operation, (costs = new Map()));
  const shape = shapeOf(variables);
  let cost = costs.get(shape);
  if (cost === undefined) {
    cost = listCost(schema, document, operation, variables);
    if (costs.size >= 64) costs.clear();
    costs.set(shape, cost);
  }
  return cost;
}

export function listCostLimitPlugin(maxCost: number): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ request, document, operation, schema }) {
          if (!operation) return;
          const cost = memoListCost(schema, document, operation, request.variables ?? {});
          if (cost > maxCost) {
            throw new GraphQLError(`Query cost ${cost} exceeds the limit of ${maxCost} (each field counts once per list element above it: lower \`first\` or the number of ids)`, {
              extensions: { code: "GRAPHQL_VALIDATION_FAILED", limit: "listCost", cost, maxCost, http: { status: 400 } },
            });
          }
        },
      };
    },
  };
}
