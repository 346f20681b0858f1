// /readyz: can this process serve traffic now? Two checks, in order: the
// database answers a trivial query within a short time, and every migration
// this code ships is applied. /healthz stays the liveness probe (the process
// is up): a database outage should take an instance out of the load
// balancer, not get it restarted.
import type { Database } from "../db/Database";
import { readMigrations } from "../db/migrate";

export interface CheckResult {
  status: "ok" | "failed" | "skipped";
  durationMs?: number;
  error?: string;
  [detail: string]: unknown;
}

export interface ReadinessReport {
  status: "ready" | "unavailable";
  checks: { database: CheckResult; migrations: CheckResult; models?: CheckResult };
}

export interface ReadinessOptions {
  // How long each check may take before it counts as failed.
  timeoutMs?: number;
  // The migration names this code expects (default: prisma/migrations on disk, read once).
  expectedMigrations?: readonly string[];
  // The model versions this process serves (they are loaded before it listens).
  models?: () => readonly { name: string; version: number }[];
}

class TimeoutError extends Error {}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TimeoutError(`${what} did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

// What /readyz may say about a failure: /readyz is unauthenticated, so no
// driver message (which can carry host names, SQL or paths) — only our own
// timeout text or the error's code (ECONNREFUSED, 57P03, ...).
function message(error: unknown): string {
  if (error instanceof TimeoutError) return error.message;
  const code = (error as { code?: unknown })?.code;
  return typeof code === "string" && /^[A-Z0-9_]{2,40}$/.test(code) ? `the check failed (${code})` : "the check failed";
}

export function createReadinessCheck(db: () => Promise<Database> | Database, options: ReadinessOptions = {}): () => Promise<ReadinessReport> {
  const timeoutMs = options.timeoutMs ?? 1000;
  let expected = options.expectedMigrations;
  return async () => {
    expected ??= readMigrations().map((m) => m.name);
    const checks: ReadinessReport["checks"] = {
      database: { status: "skipped" },
      migrations: { status: "skipped" },
    };
    let started = performance.now();
    let database: Database;
    try {
      database = await db();
      await withTimeout(database.sql.query("SELECT 1"), timeoutMs, "the database");
      checks.database = { status: "ok", durationMs: Math.round(performance.now() - started) };
    } catch (error) {
      checks.database = { status: "failed", durationMs: Math.round(performance.now() - started), error: message(error) };
      return { status: "unavailable", checks };
    }
    started = performance.now();
    try {
      const rows = await withTimeout(
        database.sql.query<{ migration_name: string }>(
          `SELECT migration_name FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`,
        ),
        timeoutMs,
        "the migrations table",
      );
      const applied = new Set(rows.map((r) => r.migration_name));
      const pending = expected.filter((name) => !applied.has(name));
      const durationMs = Math.round(performance.now() - started);
      checks.migrations = pending.length === 0
        ? { status: "ok", durationMs, applied: expected.length }
        : { status: "failed", durationMs, pending, error: `${pending.length} migration(s) not applied: ${pending.join(", ")}` };
    } catch (error) {
      checks.migrations = { status: "failed", durationMs: Math.round(performance.now() - started), error: message(error) };
    }
    if (options.models) {
      // Loaded before the server listened; an empty list is fine (popularity is counted in the database).
      checks.models = { status: "ok", active: options.models().map((m) => `${m.name}@${m.version}`).sort() };
    }
    return { status: checks.migrations.status === "ok" ? "ready" : "unavailable", checks };
  };
}
