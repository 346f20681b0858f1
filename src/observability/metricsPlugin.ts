// Apollo plugin recording what only Apollo knows: the operation's name and
// type (for the access log and the latency histogram, which the HTTP layer
// observes once per request), the codes of the errors sent back (after
// formatError, so a masked failure counts as INTERNAL_SERVER_ERROR, as the
// client saw it), and, for one request in `rootFieldSampleEvery`, how long
// each root field took. Only root fields, and only sampled: every hook and
// every timed field costs on each request, and the service is benchmarked
// on trivial queries.
import type { ApolloServerPlugin, BaseContext, GraphQLRequestListener } from "@apollo/server";
import { processMetrics, type Metrics } from "./metrics";
import { requestStateOf } from "./requestContext";

export interface MetricsPluginOptions {
  metrics?: Metrics;
  // Time the root fields of one request in this many (default 10; 1 = all).
  rootFieldSampleEvery?: number;
}

export function createMetricsPlugin(options: MetricsPluginOptions = {}): ApolloServerPlugin<BaseContext> {
  const metrics = options.metrics ?? processMetrics();
  const every = Math.max(1, Math.floor(options.rootFieldSampleEvery ?? 10));
  let requests = 0;
  return {
    async requestDidStart() {
      const started = performance.now();
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
      if (++requests % every === 0) {
        listener.executionDidStart = async () => ({
          willResolveField({ info }) {
            if (info.path.prev !== undefined) return;
            const fieldStarted = performance.now();
            const field = `${info.parentType.name}.${info.fieldName}`;
            return () => metrics.observeRootField(field, (performance.now() - fieldStarted) / 1000);
          },
        });
      }
      return listener;
    },
  };
}
