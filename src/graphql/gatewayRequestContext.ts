// Apollo Server 5 hands a gateway's executor (the seam the jit executor
// plugs into, jitExecutor.ts) a request context it builds per request in
// dist/cjs/utils/makeGatewayGraphQLRequestContext.js, whose `response.http`
// is an object literal with a get/set `status` accessor pair. V8 gives every
// such literal a hidden class of its own, allocated in the old generation,
// and that class holds the accessors' closures, which hold the request: so
// about 5% of every request's allocation outlived the scavenges until the
// next mark-compact. Measured on a bare Apollo Server 5 whose gateway answers
// a constant (no Marquee code), 1,000 `{ __typename }` requests/s: 1.8 MB
// promoted per scavenge and 8–36 ms pauses, against 8–32 KB and under 1 ms
// with `response.http` built from a class (BENCHMARKS.md, Serving).
//
// installGatewayRequestContext() replaces that one function, in the module
// Apollo's request pipeline reads it from at each call, with the same
// context built from classes (one hidden class for all requests). It checks
// that the module is there and is the function it replaces; a test compares
// its output with Apollo's own on the same input, so an Apollo upgrade that
// changes the shape fails there.
import path from "node:path";

// The parts of Apollo's GraphQLRequestContext read here.
interface HeaderMapLike {
  get(name: string): string | undefined;
  set(name: string, value: string): unknown;
  has(name: string): boolean;
  delete(name: string): unknown;
  entries(): IterableIterator<[string, string]>;
  keys(): IterableIterator<string>;
  values(): IterableIterator<string>;
}

interface RequestContextLike {
  request: { query?: string; operationName?: string; variables?: unknown; extensions?: unknown; http?: { method: string; search: string; headers: HeaderMapLike } };
  response: { http: { status?: number; headers: HeaderMapLike } };
  [key: string]: unknown;
}

// Apollo's FetcherHeadersForHeaderMap: a Fetch-style Headers over its HeaderMap.
class FetcherHeaders {
  constructor(private readonly map: HeaderMapLike) {}
  append(name: string, value: string): void {
    if (this.map.has(name)) this.map.set(name, `${this.map.get(name)}, ${value}`);
    else this.map.set(name, value);
  }
  delete(name: string): void {
    this.map.delete(name);
  }
  get(name: string): string | null {
    return this.map.get(name) ?? null;
  }
  has(name: string): boolean {
    return this.map.has(name);
  }
  set(name: string, value: string): void {
    this.map.set(name, value);
  }
  entries(): IterableIterator<[string, string]> {
    return this.map.entries();
  }
  keys(): IterableIterator<string> {
    return this.map.keys();
  }
  values(): IterableIterator<string> {
    return this.map.values();
  }
  [Symbol.iterator](): IterableIterator<[string, string]> {
    return this.map.entries();
  }
}

// The gateway's view of the response head: status reads and writes through.
class GatewayResponseHttp {
  readonly headers: FetcherHeaders;
  constructor(private readonly context: RequestContextLike) {
    this.headers = new FetcherHeaders(context.response.http.headers);
  }
  get status(): number | undefined {
    return this.context.response.http.status;
  }
  set status(status: number | undefined) {
    this.context.response.http.status = status;
  }
}

// What Apollo's makeGatewayGraphQLRequestContext returns, field for field.
export function makeGatewayGraphQLRequestContext(context: RequestContextLike, server: { logger: unknown; cache: unknown }, internals: { includeStacktraceInErrorResponses?: boolean }): Record<string, unknown> {
  const request: Record<string, unknown> = {};
  if ("query" in context.request) request.query = context.request.query;
  if ("operationName" in context.request) request.operationName = context.request.operationName;
  if ("variables" in context.request) request.variables = context.request.variables;
  if ("extensions" in context.request) request.extensions = context.request.extensions;
  const http = context.request.http;
  if (http) {
    const needQuestion = http.search !== "" && !http.search.startsWith("?");
    request.http = { method: http.method, url: `https://unknown-url.invalid/${needQuestion ? "?" : ""}${http.search}`, headers: new FetcherHeaders(http.headers) };
  }
  return {
    request,
    response: { http: new GatewayResponseHttp(context) },
    logger: server.logger,
    schema: context.schema,
    schemaHash: "schemaHash no longer exists since Apollo Server 4",
    context: context.contextValue,
    cache: server.cache,
    queryHash: context.queryHash,
    document: context.document,
    source: context.source,
    operationName: context.operationName,
    operation: context.operation,
    errors: context.errors,
    metrics: context.metrics,
    debug: internals.includeStacktraceInErrorResponses,
    overallCachePolicy: context.overallCachePolicy,
    requestIsBatched: context.requestIsBatched,
  };
}

type GatewayContextModule = { makeGatewayGraphQLRequestContext: (...args: never[]) => unknown };

// Apollo's own module (CommonJS: the build this project loads).
export function apolloGatewayContextModule(): GatewayContextModule {
  const file = path.join(path.dirname(require.resolve("@apollo/server")), "utils", "makeGatewayGraphQLRequestContext.js");
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(file) as GatewayContextModule;
}

let original: GatewayContextModule["makeGatewayGraphQLRequestContext"] | undefined;

// Apollo's function as shipped (for the test that compares the two).
export function apolloMakeGatewayGraphQLRequestContext(): GatewayContextModule["makeGatewayGraphQLRequestContext"] {
  return original ?? apolloGatewayContextModule().makeGatewayGraphQLRequestContext;
}

export function installGatewayRequestContext(): void {
  const mod = apolloGatewayContextModule();
  if (mod.makeGatewayGraphQLRequestContext === (makeGatewayGraphQLRequestContext as never)) return;
  if (typeof mod.makeGatewayGraphQLRequestContext !== "function") {
    throw new Error("@apollo/server has no utils/makeGatewayGraphQLRequestContext.js function to replace: see src/graphql/gatewayRequestContext.ts");
  }
  original = mod.makeGatewayGraphQLRequestContext;
  mod.makeGatewayGraphQLRequestContext = makeGatewayGraphQLRequestContext as never;
}
