// Every error leaving the server has extensions.code. Errors we raise on
// purpose (typed GraphQLErrors) and GraphQL's own request errors pass through;
// anything else is a bug or an outage: logged with its stack, and masked so
// the client never sees a stack trace, SQL text or an internal path.
import { GraphQLError, type GraphQLFormattedError } from "graphql";
import { unwrapResolverError } from "@apollo/server/errors";
import { ErrorCode } from "./errors";
import type { Logger } from "../logger";

const PUBLIC_CODES = new Set<string>([
  ErrorCode.BAD_USER_INPUT,
  ErrorCode.NOT_FOUND,
  ErrorCode.SERVICE_UNAVAILABLE,
  ErrorCode.UNAUTHENTICATED,
  ErrorCode.FORBIDDEN,
  ErrorCode.TOO_MANY_REQUESTS,
  "GRAPHQL_PARSE_FAILED",
  "GRAPHQL_VALIDATION_FAILED",
  "BAD_REQUEST",
  "OPERATION_RESOLUTION_FAILURE",
  "PERSISTED_QUERY_NOT_FOUND",
  "PERSISTED_QUERY_NOT_SUPPORTED",
]);

// The database being unreachable is an outage the client can retry, not a bug.
// That includes a database that accepts connections but does not answer (a
// frozen or overloaded server): the pool's connection timeout ("timeout
// exceeded when trying to connect", "Connection terminated due to connection
// timeout"), the client-side query timeout ("Query read timeout") and the
// server's statement_timeout (SQLSTATE 57014 "canceling statement due to
// statement timeout"); see src/db/createDatabase.ts.
function isDatabaseUnavailable(error: unknown): boolean {
  const text = `${(error as { code?: string })?.code ?? ""} ${(error as Error)?.message ?? ""}`;
  return /ECONNREFUSED|ECONNRESET|ETIMEDOUT|P1001|P1008|P1017|Connection terminated|timeout exceeded when trying to connect|Query read timeout|statement timeout|the database system is (starting up|shutting down)|terminating connection|Can't reach database/i.test(text);
}

// Errors Apollo Server raises itself without a code, for a request the client
// got wrong: a client error, not a bug to mask as INTERNAL_SERVER_ERROR.
const APOLLO_CLIENT_ERRORS = new Map<string, string>([
  ["Unsupported persisted query version", "Unsupported persisted query version: only extensions.persistedQuery.version 1 is supported"],
  ["provided sha does not match query", "The persisted query's sha256Hash does not match the query sent with it"],
]);

export function createFormatError(logger: Logger) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = unwrapResolverError(error);
    const code = formatted.extensions?.code;
    if (original instanceof GraphQLError && typeof code === "string" && PUBLIC_CODES.has(code)) {
      // Variable coercion errors from graphql-js are BAD_USER_INPUT already.
      const { stacktrace: _drop, ...extensions } = formatted.extensions ?? {};
      return { ...formatted, extensions };
    }
    const clientError = original instanceof GraphQLError && (code === undefined || code === ErrorCode.INTERNAL_SERVER_ERROR)
      ? APOLLO_CLIENT_ERRORS.get(original.message)
      : undefined;
    if (clientError !== undefined) {
      return { message: clientError, ...(formatted.locations ? { locations: formatted.locations } : {}), extensions: { code: "BAD_REQUEST" } };
    }
    if (isDatabaseUnavailable(original)) {
      logger.warn("database unavailable", { error: (original as Error)?.message, path: formatted.path });
      return {
        message: "The database is unavailable; try again shortly",
        locations: formatted.locations,
        path: formatted.path,
        extensions: { code: ErrorCode.SERVICE_UNAVAILABLE },
      };
    }
    logger.error("unexpected error", {
      error: (original as Error)?.message ?? String(original),
      stack: (original as Error)?.stack,
      path: formatted.path,
    });
    return {
      message: "Internal server error",
      locations: formatted.locations,
      path: formatted.path,
      extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR },
    };
  };
}
