// Apollo plugin recording what only Apollo knows: the operation's name and
// type (for the access log and the latency histogram, which the HTTP layer
// observes once per request), the codes of the errors sent back (after
// formatError, so a masked failure counts as INTERNAL_SERVER_ERROR, as the
// client saw it), and, for one request in `rootFieldSampleEvery`, how long
// each root field took. Only root fields, and only sampled: every hook and
// every timed field costs on each request, and the service is benchmarked
// on trivial queries.
//
// Root fields are timed by wrapping their resolvers (withRootFieldTiming),
// not with Apollo's willResolveField hook: a plugin that has that hook makes
// Apollo wrap the resolver of every field of the schema, for good, once any
// request has used it, so every field of every later request (an item's
// title, a score) would pay for a root-field sample.
import type { ApolloServerPlugin, BaseContext, GraphQLRequestListener } from "@apollo/server";
import { defaultFieldResolver, type GraphQLFieldResolver } from "graphql";
import { processMetrics, type Metrics } from "./metrics";
import { requestStateOf } from "./requestContext";

export interface MetricsPluginOptions {
  metrics?: Metrics;
  // Time the root fields of one request in this many (default 10; 1 = all).
  rootFieldSampleEvery?: number;
}

// Set on the context of a sampled request: where its root field timings go.
const ROOT_FIELD_TIMER = Symbol("marquee.rootFieldTimer");

export function createMetricsPlugin(options: MetricsPluginOptions = {}): ApolloServerPlugin<BaseContext> {
  const metrics = options.metrics ?? processMetrics();
  const every = Math.max(1, Math.floor(options.rootFieldSampleEvery ?? 10));
  let requests = 0;
  return {
    async requestDidStart(requestContext) {
      const started = performance.now();
      // Set on every context (sampled or not), so all contexts keep one shape.
      (requestContext.contextValue as { [ROOT_FIELD_TIMER]?: Metrics })[ROOT_FIELD_TIMER] = ++requests % every === 0 ? metrics : undefined;
      const listener: GraphQLRequestListener<BaseContext> = {
        async willSendResponse(ctx) {
          const name = ctx.operationName ?? undefined;
          const type = ctx.operation?.operation ?? "unknown";
          const codes = ctx.response.body.kind === "single" && ctx.response.body.singleResult.errors
            ? ctx.response.body.singleResult.errors.map((error) => String(error.extensions?.code ?? "UNKNOWN"))
            : undefined;
          if (codes) for (const code of codes) metrics.countError(code);
          const request = requestStateOf(ctx.contextValue);
          if (request) {
            // The HTTP layer observes the latency, once, when the response has gone.
            request.operationName = name;
            request.operationType = ctx.operation ? type : undefined;
            request.errorsCounted = true;
            request.errorCodes = codes;
          } else {
            metrics.observeOperation(ctx.operation ? metrics.operationLabel(name) : "unresolved", type, (performance.now() - started) / 1000);
          }
        },
      };
      return listener;
    },
  };
}

function isPromise(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as PromiseLike<unknown> | null)?.then === "function";
}

// Calls `done` when a resolver's result has settled: a promise, or a list
// holding promises (as Apollo's willResolveField did), or at once.
function whenSettled(result: unknown, done: () => void): void {
  if (isPromise(result)) result.then((value) => whenSettled(value, done), done);
  else if (Array.isArray(result) && result.some(isPromise)) Promise.all(result).then(done, done);
  else done();
}

// Wraps the root resolvers (Query and Mutation fields) so that, in a request
// the metrics plugin sampled, each one's time (its own data loading, not the
// nested fields) goes to marquee_graphql_root_field_duration_seconds.
export function withRootFieldTiming<R extends Record<string, unknown>>(resolvers: R, rootFields: Record<"Query" | "Mutation", readonly string[]>): R {
  const out: Record<string, unknown> = { ...resolvers };
  for (const operation of ["Query", "Mutation"] as const) {
    const map: Record<string, unknown> = { ...((resolvers[operation] as Record<string, unknown>) ?? {}) };
    for (const field of rootFields[operation]) {
      const resolve = (map[field] as GraphQLFieldResolver<unknown, unknown>) ?? defaultFieldResolver;
      const label = `${operation}.${field}`;
      map[field] = (parent: unknown, args: Record<string, unknown>, ctx: { [ROOT_FIELD_TIMER]?: Metrics }, info: any) => {
        const metrics = ctx?.[ROOT_FIELD_TIMER];
        if (metrics === undefined) return resolve(parent, args, ctx, info);
        const started = performance.now();
        const done = () => metrics.observeRootField(label, (performance.now() - started) / 1000);
        let result: unknown;
        try {
          result = resolve(parent, args, ctx, info);
        } catch (error) {
          done();
          throw error;
        }
        whenSettled(result, done);
        return result;
      };
    }
    out[operation] = map;
  }
  return out as R;
}
