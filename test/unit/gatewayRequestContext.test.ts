// The gateway request context Marquee builds in place of Apollo's
// (src/graphql/gatewayRequestContext.ts) is Apollo's own, field for field,
// with the response status read and written through and the headers
// wrapped the same way; installing it replaces the function Apollo's
// request pipeline calls, once.
import { HeaderMap } from "@apollo/server";
import {
  apolloGatewayContextModule,
  apolloMakeGatewayGraphQLRequestContext,
  installGatewayRequestContext,
  makeGatewayGraphQLRequestContext,
} from "../../src/graphql/gatewayRequestContext";

function requestContext(search: string) {
  return {
    request: {
      query: "query Q($u: ID!) { recommendations(userId: $u) { score } }",
      operationName: "Q",
      variables: { u: "u1" },
      extensions: { persistedQuery: undefined },
      http: { method: "POST", search, headers: new HeaderMap([["content-type", "application/json"], ["x-a", "1"]]) },
    },
    response: { http: { status: undefined as number | undefined, headers: new HeaderMap([["x-b", "2"]]) } },
    schema: { schema: true },
    contextValue: { loaders: {} },
    queryHash: "abc",
    document: { kind: "Document" },
    source: "query Q { x }",
    operationName: "Q",
    operation: { kind: "OperationDefinition" },
    errors: undefined,
    metrics: { persistedQueryHit: false },
    overallCachePolicy: { maxAge: 0 },
    requestIsBatched: false,
  };
}

const server = { logger: { name: "logger" }, cache: { name: "cache" } };
const internals = { includeStacktraceInErrorResponses: false };

// A gateway context as plain data: the status and headers read out.
function observed(context: Record<string, any>) {
  const { request, response, ...rest } = context;
  return {
    ...rest,
    request: { ...request, http: request.http && { method: request.http.method, url: request.http.url, headers: [...request.http.headers] } },
    response: { status: response.http.status, headers: [...response.http.headers], get: response.http.headers.get("x-b"), missing: response.http.headers.get("nope") },
  };
}

describe("the gateway request context", () => {
  it("is Apollo's, field for field, for a request with and without a query string", () => {
    const apollo = apolloMakeGatewayGraphQLRequestContext() as unknown as typeof makeGatewayGraphQLRequestContext;
    for (const search of ["", "?a=1", "a=1"]) {
      const ours = makeGatewayGraphQLRequestContext(requestContext(search), server, internals);
      const theirs = apollo(requestContext(search) as never, server, internals) as Record<string, unknown>;
      expect(Object.keys(ours).sort()).toEqual(Object.keys(theirs).sort());
      expect(observed(ours)).toEqual(observed(theirs));
    }
  });

  it("reads and writes the response status and headers through to Apollo's response", () => {
    const context = requestContext("");
    const gateway = makeGatewayGraphQLRequestContext(context, server, internals) as { response: { http: { status?: number; headers: { set(k: string, v: string): void; append(k: string, v: string): void; delete(k: string): void } } } };
    expect(gateway.response.http.status).toBeUndefined();
    gateway.response.http.status = 418;
    expect(context.response.http.status).toBe(418);
    context.response.http.status = 200;
    expect(gateway.response.http.status).toBe(200);
    gateway.response.http.headers.set("x-c", "3");
    gateway.response.http.headers.append("x-c", "4");
    gateway.response.http.headers.delete("x-b");
    expect([...context.response.http.headers]).toEqual([["x-c", "3, 4"]]);
  });

  it("replaces the function Apollo's request pipeline calls, once", () => {
    installGatewayRequestContext();
    installGatewayRequestContext();
    expect(apolloGatewayContextModule().makeGatewayGraphQLRequestContext).toBe(makeGatewayGraphQLRequestContext);
    expect(apolloMakeGatewayGraphQLRequestContext()).not.toBe(makeGatewayGraphQLRequestContext);
  });
});
