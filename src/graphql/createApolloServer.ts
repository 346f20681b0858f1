import { ApolloServer } from "@apollo/server";
import type { GraphQLContext } from "./context";
import { loadTypeDefs } from "./typeDefs";
import { resolvers } from "./resolvers";
import { createFormatError } from "./formatError";
import type { Logger } from "../logger";
import { createMetricsPlugin } from "../observability/metricsPlugin";
import { createQueryLimits, DEFAULT_QUERY_LIMITS, type QueryLimits } from "./queryLimits";

export function createApolloServer(logger: Logger, options: { introspection: boolean; limits?: QueryLimits }): ApolloServer<GraphQLContext> {
  const queryLimits = options.limits ?? DEFAULT_QUERY_LIMITS;
  const limits = createQueryLimits(queryLimits);
  return new ApolloServer<GraphQLContext>({
    typeDefs: loadTypeDefs(),
    resolvers,
    formatError: createFormatError(logger),
    includeStacktraceInErrorResponses: false,
    introspection: options.introspection,
    // src/index.ts handles SIGINT/SIGTERM and stops Apollo itself; two handlers would race.
    stopOnTerminationSignals: false,
    plugins: [createMetricsPlugin(), ...limits.plugins],
    validationRules: limits.validationRules,
    parseOptions: { maxTokens: queryLimits.maxTokens },
  });
}
