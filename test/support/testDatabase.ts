// Every integration test file runs against a fresh database of its own:
// always an embedded PGlite (started from the migrated template), and also a
// real PostgreSQL when DATABASE_URL is set (a new database created for the
// file and dropped afterwards).
import fs from "node:fs";
import crypto from "node:crypto";
import pg from "pg";
import type { Database } from "../../src/db/Database";
import { createDatabase } from "../../src/db/createDatabase";
import { migrate } from "../../src/db/migrate";
import { templatePath } from "./pgliteTemplate";

export type TargetName = "pglite" | "postgres";

export function databaseTargets(): TargetName[] {
  return process.env.DATABASE_URL ? ["pglite", "postgres"] : ["pglite"];
}

export interface TestDatabase {
  db: Database;
  url?: string;
  dispose(): Promise<void>;
}

function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

export async function openTestDatabase(target: TargetName): Promise<TestDatabase> {
  if (target === "pglite") {
    const dump = new Blob([fs.readFileSync(templatePath())]);
    const db = await createDatabase({ pgliteDump: dump });
    return { db, dispose: () => db.close() };
  }
  const base = process.env.DATABASE_URL!;
  const name = `marquee_test_${crypto.randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name} TEMPLATE template0`);
  } finally {
    await admin.end();
  }
  const url = withDatabase(base, name);
  const db = await createDatabase({ databaseUrl: url, poolSize: 5 });
  await migrate(db.sql);
  return {
    db,
    url,
    async dispose() {
      await db.close();
      const drop = new pg.Client({ connectionString: base });
      await drop.connect();
      try {
        await drop.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await drop.end();
      }
    },
  };
}

// Statements an app sends on its own timers, which may fall inside a counted
// window: the active-version watch tick (with the exploration settings and
// the running experiments), the catalog cache's and the key caches' refreshes.
export const BACKGROUND_STATEMENTS = /api_keys|user_token_revocations|FROM model_versions WHERE is_active|FROM exploration_settings|FROM experiments e|epoch FROM updated_at/;

// Counts the SQL statements sent while `fn` runs (Prisma's query events plus
// our own driver's statements).
export async function countStatements<T>(db: Database, fn: () => Promise<T>): Promise<{ result: T; statements: string[] }> {
  const statements: string[] = [];
  const off = db.onStatement((sql) => statements.push(sql));
  try {
    const result = await fn();
    return { result, statements };
  } finally {
    off();
  }
}
