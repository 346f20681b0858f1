// Applies prisma/migrations/*/migration.sql in order, recording each in
// _prisma_migrations exactly as `prisma migrate deploy` does (same columns,
// sha256 checksum of the file), so Prisma's own CLI agrees with us on a
// machine that has its schema engine. Prisma's engine cannot be downloaded
// here, hence this runner.
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import type { SqlDriver } from "./Database";

export const DEFAULT_MIGRATIONS_DIR = path.resolve(__dirname, "../../prisma/migrations");

// Prisma's advisory lock key for migrations (migration-engine's constant), so
// our runner and Prisma never migrate one database at the same time.
const ADVISORY_LOCK_KEY = 72707369;

export class MigrationError extends Error {
  override name = "MigrationError";
}

export interface MigrationFile {
  name: string;
  sql: string;
  checksum: string;
}

export interface MigrationResult {
  applied: string[];
  alreadyApplied: string[];
  // Recorded in the database but absent from this code.
  unknown: string[];
}

export function readMigrations(dir: string = DEFAULT_MIGRATIONS_DIR): MigrationFile[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort()
    .map((name) => {
      const sql = fs.readFileSync(path.join(dir, name, "migration.sql"), "utf8");
      return { name, sql, checksum: crypto.createHash("sha256").update(sql).digest("hex") };
    });
}

const CREATE_TABLE = `
CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
)`;

interface AppliedRow {
  migration_name: string;
  checksum: string;
  finished_at: Date | null;
  rolled_back_at: Date | null;
}

export async function migrate(sql: SqlDriver, migrations: MigrationFile[] = readMigrations()): Promise<MigrationResult> {
  return sql.transaction(async (tx) => {
    // Held until the transaction ends; a second process waits here.
    await tx.query(`SELECT pg_advisory_xact_lock(${ADVISORY_LOCK_KEY})`);
    await tx.exec(CREATE_TABLE);
    const rows = await tx.query<AppliedRow>(
      `SELECT migration_name, checksum, finished_at, rolled_back_at FROM "_prisma_migrations" WHERE rolled_back_at IS NULL`,
    );
    const applied = new Map(rows.map((row) => [row.migration_name, row]));
    const result: MigrationResult = { applied: [], alreadyApplied: [], unknown: [] };
    for (const migration of migrations) {
      const row = applied.get(migration.name);
      if (row) {
        if (row.finished_at === null) {
          throw new MigrationError(`Migration ${migration.name} started but never finished; resolve it by hand before continuing`);
        }
        if (row.checksum !== migration.checksum) {
          throw new MigrationError(
            `Migration ${migration.name} was changed after it was applied (checksum ${row.checksum} in the database, ${migration.checksum} on disk); refusing to continue`,
          );
        }
        result.alreadyApplied.push(migration.name);
        continue;
      }
      // Each migration in its own savepoint: it lands whole or not at all, and
      // the whole run is one transaction, so a failure leaves nothing half-done.
      await tx.exec(`SAVEPOINT migration`);
      await tx.exec(migration.sql);
      await tx.query(
        `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at, finished_at, applied_steps_count)
         VALUES ($1, $2, $3, now(), now(), 1)`,
        [crypto.randomUUID(), migration.checksum, migration.name],
      );
      await tx.exec(`RELEASE SAVEPOINT migration`);
      result.applied.push(migration.name);
    }
    // A database migrated by newer code (a rolling deploy) is not an error for
    // older code; the caller warns about it.
    const known = new Set(migrations.map((m) => m.name));
    result.unknown = [...applied.keys()].filter((name) => !known.has(name));
    return result;
  });
}
