// A small node:http integration for Apollo Server 5 (which ships no HTTP
// framework of its own besides the standalone one): it gives us our own
// routes (/healthz, /readyz, /metrics, /graphiql; the dashboard later) and a
// request body limit, without another framework in the request path.
import http from "node:http";
import crypto from "node:crypto";
import { HeaderMap, type ApolloServer } from "@apollo/server";
import type { GraphQLContext } from "../graphql/context";
import type { Database } from "../db/Database";
import type { Logger } from "../logger";
import { BodyTooLargeError, readBody } from "./readBody";
import { createGraphiqlRoute, type GraphiqlRouteOptions, type RouteHandler } from "./graphiql/createGraphiqlRoute";
import { processMetrics, type Metrics } from "../observability/metrics";
import { bearerKey } from "../auth/authenticate";
import { FAVICON_SVG, faviconIco } from "./favicon";
import { createReadinessCheck, type ReadinessReport } from "../observability/readiness";
import { AuthError } from "../auth/authenticate";
import { OPEN, type Principal } from "../auth/Principal";
import { asyncContextIsCheap, bindRequestState, runWithRequest, type RequestState } from "../observability/requestContext";

export interface HttpOptions {
  apollo: ApolloServer<GraphQLContext>;
  context: (requestId: string, principal: Principal) => Promise<GraphQLContext> | GraphQLContext;
  // Who is asking, from the request's headers; throws AuthError to refuse
  // (401 UNAUTHENTICATED, 429 TOO_MANY_REQUESTS). Absent: everyone is OPEN.
  authenticate?: (req: http.IncomingMessage) => Promise<Principal>;
  logger: Logger;
  bodyLimitBytes: number;
  // The database /readyz checks; by default the one the GraphQL context uses.
  db?: Database;
  // Replaces the /readyz checks altogether (tests, or a different store).
  readiness?: () => Promise<ReadinessReport>;
  // The model versions served, for /readyz.
  activeModels?: () => readonly { name: string; version: number }[];
  // Each readiness check's time limit (default 1000 ms).
  readinessTimeoutMs?: number;
  // Where request metrics go and what /metrics shows (default: the process's).
  metrics?: Metrics;
  // With a value, /metrics answers 401 unless the request sends it as a bearer token.
  metricsToken?: string;
  // The level of the one-line-per-request access log (default "debug": at
  // thousands of requests a second an info line per request costs more than
  // the request; errors and slow requests are logged at info regardless).
  accessLog?: "info" | "debug" | "off";
  // Requests slower than this are logged at info even when accessLog is "debug" (default 1000 ms).
  slowRequestMs?: number;
  // GraphiQL at /graphiql (default on).
  graphiql?: boolean | GraphiqlRouteOptions;
  // The dashboard's pages under /dashboard (src/http/dashboard); none by default.
  dashboard?: RouteHandler;
  // Keep the request in an AsyncLocalStorage while serving it, so every log
  // line written inside (formatError's, services') carries the request id.
  // Default: on from Node 24, off before (where it costs 15-25% of the
  // throughput of a trivial query; see observability/requestContext.ts).
  // Off, the access log line still carries the request id.
  requestContext?: boolean;
}

// Bounded label values for metrics: the routes we have, and "other".
const GRAPHQL_URL: Pick<URL, "pathname" | "search"> = Object.freeze({ pathname: "/graphql", search: "" });
const ROUTES = new Set(["/graphql", "/healthz", "/readyz", "/metrics", "/graphiql", "/dashboard", "/", "/favicon.ico", "/favicon.svg"]);
const METHODS = new Set(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]);

function sendJson(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(text), ...headers });
  res.end(text);
}

// Whether an Authorization header carries exactly this bearer token (compared in constant time).
function bearerMatches(header: string | undefined, token: string): boolean {
  const given = Buffer.from(bearerKey(header) ?? "");
  const expected = Buffer.from(token);
  return given.length === expected.length && crypto.timingSafeEqual(given, expected);
}

// A JSON request body: application/json or application/graphql-response+json,
// exactly (then the end, parameters after ";", or whitespace), so that
// application/jsonfoo or application/json-patch+json is not taken for JSON.
const JSON_CONTENT_TYPE = /^application\/(?:graphql-response\+)?json(?:$|[\s;])/i;

// The client went away while we read its request (it closed the socket or
// the connection reset; Node fails the request with "aborted"/ECONNRESET):
// nobody is left to answer, and it is not our bug. Only when this request is
// the one that broke off: an ECONNRESET from the database stays an error.
function isClientAbort(req: http.IncomingMessage, error: unknown): boolean {
  const e = error as NodeJS.ErrnoException | undefined;
  return req.destroyed && !req.complete && (e?.code === "ECONNRESET" || e?.code === "ECONNABORTED" || e?.message === "aborted");
}

function errorBody(message: string, code: string) {
  return { errors: [{ message, extensions: { code } }] };
}

// Codes in an error answer Apollo produced before its plugins ran (CSRF
// prevention, a GET mutation, a malformed request): rare, so parsing is fine.
function errorCodes(body: string): unknown[] {
  try {
    const parsed = JSON.parse(body) as { errors?: { extensions?: { code?: unknown } }[] };
    return (parsed.errors ?? []).map((e) => e.extensions?.code);
  } catch {
    return [];
  }
}

export function createHttpServer(options: HttpOptions): http.Server {
  const { apollo, logger } = options;
  const metrics = options.metrics ?? processMetrics();
  const accessLog = options.accessLog ?? "debug";
  const slowRequestMs = options.slowRequestMs ?? 1000;
  const useRequestContext = options.requestContext ?? asyncContextIsCheap();
  const debugEnabled = logger.isLevelEnabled?.("debug") ?? true;
  const graphiql: RouteHandler | undefined = options.graphiql === false
    ? undefined
    : createGraphiqlRoute(typeof options.graphiql === "object" ? options.graphiql : {});
  const readiness = options.readiness ?? createReadinessCheck(
    async () => options.db ?? (await options.context("readyz", OPEN)).db,
    { timeoutMs: options.readinessTimeoutMs, ...(options.activeModels ? { models: options.activeModels } : {}) },
  );

  let favicon: Buffer | undefined;
  const fail = (res: http.ServerResponse, status: number, message: string, code: string, headers: Record<string, string> = {}) => {
    metrics.countError(code);
    sendJson(res, status, errorBody(message, code), headers);
  };

  async function handle(req: http.IncomingMessage, res: http.ServerResponse, state: RequestState): Promise<void> {
    const started = performance.now();
    let pathname = "/";
    try {
      // The API's own path as sent (nearly every request) needs no parsing.
      const url = req.url === "/graphql" ? GRAPHQL_URL : new URL(req.url ?? "/", "http://localhost");
      pathname = url.pathname;
      if (pathname === "/healthz") {
        sendJson(res, 200, { status: "ok" });
        return;
      }
      if (pathname === "/readyz") {
        const report = await readiness();
        sendJson(res, report.status === "ready" ? 200 : 503, report, { "cache-control": "no-store" });
        return;
      }
      if (pathname === "/metrics") {
        if (options.metricsToken !== undefined && !bearerMatches(req.headers.authorization, options.metricsToken)) {
          sendJson(res, 401, errorBody("/metrics needs the bearer token set in MARQUEE_METRICS_TOKEN", "UNAUTHENTICATED"), { "www-authenticate": "Bearer" });
          return;
        }
        const { contentType, body } = await metrics.render();
        res.writeHead(200, { "content-type": contentType, "cache-control": "no-store" });
        res.end(body);
        return;
      }
      if (graphiql && pathname.startsWith("/graphiql") && (await graphiql(req, res, pathname))) return;
      if (options.dashboard && pathname.startsWith("/dashboard") && (await options.dashboard(req, res, pathname))) return;
      if (pathname === "/") {
        res.writeHead(302, { location: graphiql ? "/graphiql" : "/graphql" });
        res.end();
        return;
      }
      if (pathname === "/favicon.ico" || pathname === "/favicon.svg") {
        const body = pathname === "/favicon.ico" ? (favicon ??= faviconIco()) : FAVICON_SVG;
        res.writeHead(200, {
          "content-type": pathname === "/favicon.ico" ? "image/x-icon" : "image/svg+xml",
          "content-length": Buffer.byteLength(body),
          "cache-control": "public, max-age=86400",
          "x-content-type-options": "nosniff",
        });
        res.end(req.method === "HEAD" ? undefined : body);
        return;
      }
      if (pathname !== "/graphql") {
        // Not the API (a mistyped path, a crawler's robots.txt, a scanner): the
        // same coded answer, but not counted in marquee_errors_total, which is
        // what API clients were sent; it shows as route "other", status 404.
        sendJson(res, 404, errorBody(`No route ${pathname}; the API is at /graphql`, "NOT_FOUND"));
        return;
      }
      if (req.method !== "GET" && req.method !== "POST" && req.method !== "HEAD") {
        fail(res, 405, `Method ${req.method} is not allowed; use POST (or GET for queries)`, "METHOD_NOT_ALLOWED", { allow: "GET, POST" });
        return;
      }
      let principal: Principal = OPEN;
      if (options.authenticate) {
        try {
          principal = await options.authenticate(req);
        } catch (error) {
          if (!(error instanceof AuthError)) throw error;
          const headers: Record<string, string> = error.retryAfterSeconds ? { "retry-after": String(error.retryAfterSeconds) } : {};
          if (error.status === 401) headers["www-authenticate"] = 'Bearer realm="marquee"';
          // Drain the body so the connection can be reused.
          req.resume();
          fail(res, error.status, error.message, error.code, headers);
          return;
        }
        state.keyId = principal.keyId;
      }
      let body: unknown = undefined;
      if (req.method === "POST") {
        const text = await readBody(req, options.bodyLimitBytes);
        const type = String(req.headers["content-type"] ?? "");
        if (JSON_CONTENT_TYPE.test(type)) {
          if (text.trim() === "") {
            fail(res, 400, "The request body is empty; send a JSON object with a query", "BAD_REQUEST");
            return;
          }
          try {
            body = JSON.parse(text);
          } catch {
            fail(res, 400, "The request body is not valid JSON", "BAD_REQUEST");
            return;
          }
        } else {
          body = text;
        }
      }
      const headers = new HeaderMap();
      for (const [key, value] of Object.entries(req.headers)) {
        if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(", ") : value);
      }
      const response = await apollo.executeHTTPGraphQLRequest({
        httpGraphQLRequest: { method: req.method!.toUpperCase(), headers, search: url.search, body },
        context: async () => {
          const context = await options.context(state.requestId, principal);
          bindRequestState(context, state);
          return context;
        },
      });
      for (const [key, value] of response.headers) res.setHeader(key, value);
      res.statusCode = response.status ?? 200;
      if (response.body.kind === "complete") {
        if (res.statusCode >= 400 && !state.errorsCounted) for (const code of errorCodes(response.body.string)) metrics.countError(code);
        res.end(response.body.string);
      } else {
        for await (const chunk of response.body.asyncIterator) res.write(chunk);
        res.end();
      }
    } catch (error) {
      if (error instanceof BodyTooLargeError) {
        // Read and discard what the client is still sending (for at most
        // 5 s) instead of closing at once: a close with unread data resets
        // the connection, and the client may never see the 413.
        req.resume();
        const linger = setTimeout(() => req.socket.destroy(), 5000);
        linger.unref();
        req.once("end", () => clearTimeout(linger));
        req.socket.once("close", () => clearTimeout(linger));
        fail(res, 413, error.message, "PAYLOAD_TOO_LARGE");
        return;
      }
      if (isClientAbort(req, error)) {
        // Logged quietly; 499 ("client closed request", as nginx logs it) is
        // only for the access log and metrics: no answer is written.
        logger.debug("client closed the request before it was read", { requestId: state.requestId, error: (error as Error)?.message });
        res.statusCode = 499;
        if (!res.writableEnded) res.destroy();
        return;
      }
      logger.error("request failed", { error: (error as Error)?.message, stack: (error as Error)?.stack });
      metrics.countError("INTERNAL_SERVER_ERROR");
      if (!res.headersSent) sendJson(res, 500, errorBody("Internal server error", "INTERNAL_SERVER_ERROR"));
      else res.end();
    } finally {
      const durationMs = performance.now() - started;
      const route = ROUTES.has(pathname) ? pathname : pathname.startsWith("/graphiql/") ? "/graphiql" : pathname.startsWith("/dashboard/") ? "/dashboard" : "other";
      const status = res.statusCode;
      metrics.observeHttp(
        route,
        METHODS.has(req.method ?? "") ? req.method! : "other",
        status,
        durationMs / 1000,
        route === "/graphql" ? { name: state.operationName, type: state.operationType } : undefined,
      );
      const failed = status >= 400 || state.errorCodes !== undefined;
      const level = status >= 500 ? "warn" : accessLog === "info" || failed || durationMs >= slowRequestMs ? "info" : "debug";
      if (accessLog !== "off" && (level !== "debug" || debugEnabled)) {
        logger[level]("request", {
          requestId: state.requestId,
          keyId: state.keyId,
          method: req.method,
          path: pathname,
          operation: state.operationName,
          status,
          durationMs: Math.round(durationMs * 10) / 10,
          errors: state.errorCodes,
        });
      }
    }
  }

  return http.createServer((req, res) => {
    const requestId = (typeof req.headers["x-request-id"] === "string" && /^[\w.-]{1,64}$/.test(req.headers["x-request-id"]))
      ? req.headers["x-request-id"]
      : crypto.randomUUID();
    res.setHeader("x-request-id", requestId);
    const state: RequestState = { requestId };
    const served = useRequestContext ? runWithRequest(state, () => handle(req, res, state)) : handle(req, res, state);
    served.catch((error) => {
      logger.error("request handling failed", { error: (error as Error)?.message, stack: (error as Error)?.stack });
      if (!res.writableEnded) res.end();
    });
  });
}
