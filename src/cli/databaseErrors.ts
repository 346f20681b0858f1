// The message a command-line tool prints when the configured PostgreSQL
// cannot be reached or refuses it (down, unknown host, no such database, bad
// credentials), with the password masked; undefined for any other error.
import { redact, type Config } from "../config";

const UNREACHABLE = new Set(["ECONNREFUSED", "ENOTFOUND", "ETIMEDOUT", "EHOSTUNREACH", "3D000", "28P01", "28000"]);

export function databaseUnreachable(error: unknown, config: Config | undefined): string | undefined {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (!config?.databaseUrl || typeof code !== "string" || !UNREACHABLE.has(code)) return undefined;
  return `cannot use PostgreSQL at ${redact(config.databaseUrl)}: ${(error as Error).message || code}`;
}
