// Structured logs with pino: one JSON object per line on stderr, with the
// request id of the request being served (when there is one) on every line.
// The interface stays small on purpose; the rest of the code only sees Logger.
import pino from "pino";
import { currentRequest } from "./observability/requestContext";

export type LogLevel = "debug" | "info" | "warn" | "error" | "silent";

export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
  // Lets a caller skip building fields for a line that would not be written.
  isLevelEnabled?(level: Exclude<LogLevel, "silent">): boolean;
}

// Credentials never reach a log line, even when a caller passes headers or a
// whole request by mistake. Paths are fast-redact syntax (one level of `*`).
export const REDACTED_PATHS = [
  "authorization",
  "Authorization",
  "headers.authorization",
  "headers.Authorization",
  "*.authorization",
  "*.Authorization",
  "*.headers.authorization",
  "cookie",
  "headers.cookie",
  "*.headers.cookie",
  "token",
  "*.token",
  "apiKey",
  "*.apiKey",
  "password",
  "*.password",
];

const noop = () => undefined;

export function createLogger(level: LogLevel, write?: (line: string) => void): Logger {
  // Without a writer: asynchronous writes to stderr (pino flushes on exit);
  // a synchronous write per line would cost the request path at high rates.
  const destination = write
    ? { write: (chunk: string) => write(chunk.endsWith("\n") ? chunk.slice(0, -1) : chunk) }
    : pino.destination({ dest: 2, sync: false });
  const base = pino(
    {
      level,
      base: undefined,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: REDACTED_PATHS, censor: "[redacted]" },
      mixin() {
        const request = currentRequest();
        return request ? { requestId: request.requestId } : {};
      },
    },
    destination,
  );
  // A disabled level is a no-op function, so callers pay nothing for it.
  const method = (at: Exclude<LogLevel, "silent">) =>
    base.isLevelEnabled(at) ? (message: string, fields?: Record<string, unknown>) => base[at](fields ?? {}, message) : noop;
  return {
    debug: method("debug"),
    info: method("info"),
    warn: method("warn"),
    error: method("error"),
    isLevelEnabled: (at) => base.isLevelEnabled(at),
  };
}
