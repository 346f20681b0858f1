// Marquee has no Subscription type and no streaming transport, yet graphql-js
// (16) validates `subscription { ok }` against a schema without one and only
// fails at execution, with an uncoded error that would be masked as
// INTERNAL_SERVER_ERROR. Refusing the operation here makes it a client error:
// HTTP 400 GRAPHQL_VALIDATION_FAILED, before anything runs.
import { GraphQLError, type ValidationContext, type ASTVisitor } from "graphql";

export function NoSubscriptionsRule(context: ValidationContext): ASTVisitor {
  return {
    OperationDefinition(node) {
      if (node.operation !== "subscription") return;
      const name = node.name ? ` ${node.name.value}` : "";
      context.reportError(
        new GraphQLError(`Subscriptions are not supported: send a query or a mutation instead of subscription${name}`, { nodes: [node] }),
      );
    },
  };
}
