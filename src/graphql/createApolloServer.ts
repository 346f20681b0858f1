import { ApolloServer } from "@apollo/server";
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginInlineTraceDisabled } from "@apollo/server/plugin/disabled";
import { buildASTSchema, isObjectType, parse, type GraphQLSchema } from "graphql";
import { makeExecutableSchema } from "@graphql-tools/schema";
import { jitGateway, type ExecutorName } from "./jitExecutor";
import type { GraphQLContext } from "./context";
import { loadTypeDefs } from "./typeDefs";
import { resolvers } from "./resolvers";
import { createFormatError } from "./formatError";
import type { Logger } from "../logger";
import { createMetricsPlugin, withRootFieldTiming } from "../observability/metricsPlugin";
import { createQueryLimits, DEFAULT_QUERY_LIMITS, type QueryLimits } from "./queryLimits";
import { listCostLimitPlugin } from "./listCostLimit";
import { withAuthPolicy } from "../auth/policy";
import { NoSubscriptionsRule } from "./NoSubscriptionsRule";
import { installQueryHash } from "./queryHash";
import { declarePropertyFields } from "./propertyFields";

// The root fields and User fields of the SDL, for the auth policy's wrappers.
export function schemaFields(typeDefs: readonly string[]): { Query: string[]; Mutation: string[]; User: string[] } {
  const schema = buildASTSchema(parse(typeDefs.join("\n")));
  const fieldsOf = (name: string) => {
    const type = schema.getType(name);
    return type && isObjectType(type) ? Object.keys(type.getFields()) : [];
  };
  return { Query: fieldsOf("Query"), Mutation: fieldsOf("Mutation"), User: fieldsOf("User") };
}

export interface ApolloServerOptions {
  introspection: boolean;
  limits?: QueryLimits;
  // jit (default): operations compiled by graphql-jit (jitExecutor.ts);
  // graphql-js: Apollo's own execution.
  executor?: ExecutorName;
  // Compiled operations kept (LRU), jit only.
  maxCompiledOperations?: number;
}

// The executable schema: SDL, resolvers with the auth policy and root-field timing.
export function createSchema(): GraphQLSchema {
  const typeDefs = loadTypeDefs();
  const fields = schemaFields(typeDefs);
  // Every root field checks its rule (auth/policy.ts) before it resolves;
  // the metrics plugin's sampled requests time them (rule check included).
  const wrapped = withRootFieldTiming(withAuthPolicy(resolvers, fields, fields.User), fields);
  const schema = makeExecutableSchema({ typeDefs, resolvers: wrapped as never });
  // Which of them only read a property (compiled as such by the jit executor).
  declarePropertyFields(schema, wrapped as Record<string, unknown>);
  return schema;
}

export function createApolloServer(logger: Logger, options: ApolloServerOptions): ApolloServer<GraphQLContext> {
  const queryLimits = options.limits ?? DEFAULT_QUERY_LIMITS;
  const limits = createQueryLimits(queryLimits);
  const schema = createSchema();
  const executor = options.executor ?? "jit";
  // Apollo's per-request query hash without a module lookup per request (queryHash.ts).
  installQueryHash();
  return new ApolloServer<GraphQLContext>({
    ...(executor === "jit" ? { gateway: jitGateway(schema, { maxCachedOperations: options.maxCompiledOperations ?? 1000 }) } : { schema }),
    formatError: createFormatError(logger),
    includeStacktraceInErrorResponses: false,
    introspection: options.introspection,
    // src/index.ts handles SIGINT/SIGTERM and stops Apollo itself; two handlers would race.
    stopOnTerminationSignals: false,
    // Cache-control hints are not used (answers are per user): the default
    // plugin would still visit every resolved field. Nor is federation's
    // inline tracing (Apollo installs it, idle, for every request otherwise).
    plugins: [ApolloServerPluginCacheControlDisabled(), ApolloServerPluginInlineTraceDisabled(), createMetricsPlugin(), ...limits.plugins, listCostLimitPlugin(queryLimits.maxListCost)],
    validationRules: [NoSubscriptionsRule, ...limits.validationRules],
    parseOptions: { maxTokens: queryLimits.maxTokens },
  });
}
