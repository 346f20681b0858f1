import { databaseTargets, openTestDatabase, type TestDatabase } from "../support/testDatabase";
import { migrate, readMigrations, MigrationError, type MigrationFile } from "../../src/db/migrate";
import crypto from "node:crypto";

describe.each(databaseTargets())("migrations on %s", (target) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await openTestDatabase(target);
  });
  afterAll(() => t.dispose());

  it("records every migration in _prisma_migrations with Prisma's sha256 checksum", async () => {
    const files = readMigrations();
    const rows = await t.db.sql.query<{ migration_name: string; checksum: string; finished_at: Date | null; applied_steps_count: number }>(
      `SELECT migration_name, checksum, finished_at, applied_steps_count FROM _prisma_migrations ORDER BY migration_name`,
    );
    expect(rows.map((r) => r.migration_name)).toEqual(files.map((f) => f.name));
    for (const [i, row] of rows.entries()) {
      expect(row.checksum).toBe(crypto.createHash("sha256").update(files[i].sql).digest("hex"));
      expect(row.finished_at).not.toBeNull();
      expect(row.applied_steps_count).toBe(1);
    }
  });

  it("is idempotent: a second run applies nothing", async () => {
    const result = await migrate(t.db.sql);
    expect(result).toEqual({ applied: [], alreadyApplied: readMigrations().map((m) => m.name), unknown: [] });
  });

  it("refuses to continue when an applied migration file changed", async () => {
    const changed: MigrationFile[] = readMigrations().map((m, i) =>
      i === 0 ? { ...m, sql: m.sql + "\n-- edited", checksum: crypto.createHash("sha256").update(m.sql + "\n-- edited").digest("hex") } : m,
    );
    await expect(migrate(t.db.sql, changed)).rejects.toThrow(MigrationError);
    await expect(migrate(t.db.sql, changed)).rejects.toThrow(/was changed after it was applied/);
  });

  it("applies a new migration in a transaction: a failing one leaves no trace", async () => {
    const good: MigrationFile = { name: "29990101000000_good", sql: `CREATE TABLE probe_good (id int);`, checksum: "a".repeat(64) };
    const bad: MigrationFile = { name: "29990101000001_bad", sql: `CREATE TABLE probe_bad (id int); SELECT 1/0;`, checksum: "b".repeat(64) };
    await expect(migrate(t.db.sql, [...readMigrations(), good, bad])).rejects.toThrow(/division by zero/);
    const tables = await t.db.sql.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM information_schema.tables WHERE table_name IN ('probe_good', 'probe_bad')`,
    );
    expect(tables[0].n).toBe(0);
    const recorded = await t.db.sql.query(`SELECT 1 FROM _prisma_migrations WHERE migration_name LIKE '2999%'`);
    expect(recorded).toEqual([]);
    const ok = await migrate(t.db.sql, [...readMigrations(), good]);
    expect(ok.applied).toEqual(["29990101000000_good"]);
    // Code older than the database: reported, not fatal.
    const older = await migrate(t.db.sql, readMigrations());
    expect(older.unknown).toEqual(["29990101000000_good"]);
  });
});
