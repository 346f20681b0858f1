// Limits on the shape of a query, checked during validation (before any
// resolver runs) by graphql-armor: depth, aliases, directives and a field
// cost (GRAPHQL_VALIDATION_FAILED naming the limit); and a token limit at
// parse time (GRAPHQL_PARSE_FAILED).
import { ApolloArmor } from "@escape.tech/graphql-armor";

export interface QueryLimits {
  maxDepth: number;
  maxAliases: number;
  maxDirectives: number;
  maxTokens: number;
  maxCost: number;
  // List sizes multiplied through nesting (see listCostLimit.ts).
  maxListCost: number;
  // Hide "Did you mean …?" field suggestions (on in production: they map the schema for an attacker).
  blockFieldSuggestions: boolean;
}

export const DEFAULT_QUERY_LIMITS: QueryLimits = {
  maxDepth: 12,
  maxAliases: 15,
  maxDirectives: 50,
  maxTokens: 2000,
  maxCost: 5000,
  maxListCost: 50_000,
  blockFieldSuggestions: false,
};

export function createQueryLimits(limits: QueryLimits) {
  const armor = new ApolloArmor({
    maxDepth: { n: limits.maxDepth, exposeLimits: true },
    maxAliases: { n: limits.maxAliases, exposeLimits: true },
    maxDirectives: { n: limits.maxDirectives, exposeLimits: true },
    // Tokens are limited by graphql-js's own parser instead (parseOptions in
    // createApolloServer): armor's token plugin throws from a request hook,
    // which Apollo answers with HTTP 500.
    maxTokens: { enabled: false },
    costLimit: { maxCost: limits.maxCost, exposeLimits: true },
    blockFieldSuggestion: { enabled: limits.blockFieldSuggestions },
  });
  const { plugins, validationRules } = armor.protect();
  return { plugins, validationRules };
}
