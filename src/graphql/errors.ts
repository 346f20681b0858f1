// Typed GraphQL errors: every error a client sees carries extensions.code.
// Messages show the value that was wrong and name the argument.
import { GraphQLError } from "graphql";

export enum ErrorCode {
  BAD_USER_INPUT = "BAD_USER_INPUT",
  NOT_FOUND = "NOT_FOUND",
  INTERNAL_SERVER_ERROR = "INTERNAL_SERVER_ERROR",
  SERVICE_UNAVAILABLE = "SERVICE_UNAVAILABLE",
  // No API key, or a bad one (HTTP 401, before GraphQL runs).
  UNAUTHENTICATED = "UNAUTHENTICATED",
  // The key's role (or a client's user) may not do this.
  FORBIDDEN = "FORBIDDEN",
  // The key is over its rate (HTTP 429 with Retry-After).
  TOO_MANY_REQUESTS = "TOO_MANY_REQUESTS",
}

export class BadUserInputError extends GraphQLError {
  constructor(argument: string, value: unknown, problem: string) {
    super(`Invalid ${argument}: ${problem}; got ${describe(value)}`, {
      extensions: { code: ErrorCode.BAD_USER_INPUT, argument },
    });
  }
}

export class NotFoundError extends GraphQLError {
  constructor(what: string, ids: readonly string[], argument?: string) {
    const shown = ids.slice(0, 10).map((id) => JSON.stringify(id)).join(", ");
    const more = ids.length > 10 ? ` and ${ids.length - 10} more` : "";
    super(`No ${what} with id ${shown}${more}`, {
      extensions: { code: ErrorCode.NOT_FOUND, ...(argument ? { argument } : {}), ids: ids.slice(0, 100) },
    });
  }
}

export class ServiceUnavailableError extends GraphQLError {
  constructor(message: string) {
    super(message, { extensions: { code: ErrorCode.SERVICE_UNAVAILABLE } });
  }
}

export function describe(value: unknown): string {
  if (typeof value === "number") {
    if (Number.isNaN(value)) return "NaN";
    if (!Number.isFinite(value)) return value > 0 ? "Infinity" : "-Infinity";
    return String(value);
  }
  if (value === undefined) return "nothing";
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}
