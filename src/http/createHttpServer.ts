// A small node:http integration for Apollo Server 5 (which ships no HTTP
// framework of its own besides the standalone one): it gives us our own
// routes (/healthz now; /graphiql, /metrics and the dashboard later) and a
// request body limit, without another framework in the request path.
import http from "node:http";
import crypto from "node:crypto";
import { HeaderMap, type ApolloServer } from "@apollo/server";
import type { GraphQLContext } from "../graphql/context";
import type { Logger } from "../logger";
import { BodyTooLargeError, readBody } from "./readBody";

export interface HttpOptions {
  apollo: ApolloServer<GraphQLContext>;
  context: (requestId: string) => Promise<GraphQLContext> | GraphQLContext;
  logger: Logger;
  bodyLimitBytes: number;
}

function sendJson(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(text), ...headers });
  res.end(text);
}

function errorBody(message: string, code: string) {
  return { errors: [{ message, extensions: { code } }] };
}

export function createHttpServer(options: HttpOptions): http.Server {
  const { apollo, logger } = options;
  return http.createServer(async (req, res) => {
    const requestId = (typeof req.headers["x-request-id"] === "string" && /^[\w.-]{1,64}$/.test(req.headers["x-request-id"]))
      ? req.headers["x-request-id"]
      : crypto.randomUUID();
    res.setHeader("x-request-id", requestId);
    try {
      const url = new URL(req.url ?? "/", "http://localhost");
      if (url.pathname === "/healthz") {
        sendJson(res, 200, { status: "ok" });
        return;
      }
      if (url.pathname === "/") {
        res.writeHead(302, { location: "/graphql" });
        res.end();
        return;
      }
      if (url.pathname !== "/graphql") {
        sendJson(res, 404, errorBody(`No route ${url.pathname}; the API is at /graphql`, "NOT_FOUND"));
        return;
      }
      if (req.method !== "GET" && req.method !== "POST" && req.method !== "HEAD") {
        sendJson(res, 405, errorBody(`Method ${req.method} is not allowed; use POST (or GET for queries)`, "METHOD_NOT_ALLOWED"), { allow: "GET, POST" });
        return;
      }
      let body: unknown = undefined;
      if (req.method === "POST") {
        const text = await readBody(req, options.bodyLimitBytes);
        const type = String(req.headers["content-type"] ?? "");
        if (/^application\/(graphql-response\+)?json\b/i.test(type) || /^application\/json/i.test(type)) {
          if (text.trim() === "") {
            sendJson(res, 400, errorBody("The request body is empty; send a JSON object with a query", "BAD_REQUEST"));
            return;
          }
          try {
            body = JSON.parse(text);
          } catch {
            sendJson(res, 400, errorBody("The request body is not valid JSON", "BAD_REQUEST"));
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
        context: async () => options.context(requestId),
      });
      for (const [key, value] of response.headers) res.setHeader(key, value);
      res.statusCode = response.status ?? 200;
      if (response.body.kind === "complete") {
        res.end(response.body.string);
      } else {
        for await (const chunk of response.body.asyncIterator) res.write(chunk);
        res.end();
      }
    } catch (error) {
      if (error instanceof BodyTooLargeError) {
        sendJson(res, 413, errorBody(error.message, "PAYLOAD_TOO_LARGE"), { connection: "close" });
        return;
      }
      logger.error("request failed", { requestId, error: (error as Error)?.message, stack: (error as Error)?.stack });
      if (!res.headersSent) sendJson(res, 500, errorBody("Internal server error", "INTERNAL_SERVER_ERROR"));
      else res.end();
    }
  });
}
