// NODE_ENV=production on an empty database serves an empty catalog: the
// demo's 300 made-up users and 320 items are not loaded unless
// MARQUEE_DEMO_DATA=true says so.
import { databaseTargets, openTestDatabase, type TestDatabase } from "../support/testDatabase";
import { memoryLogger, type LoggedLine } from "../support/testServer";
import { loadConfig } from "../../src/config";
import { startApp, type App } from "../../src/app";

describe.each(databaseTargets())("a production start on %s", (target) => {
  let t: TestDatabase;
  let app: App | undefined;
  const logs: LoggedLine[] = [];
  beforeAll(async () => {
    t = await openTestDatabase(target);
  }, 120_000);
  afterAll(async () => {
    await app?.stop();
    await t?.dispose();
  });

  it("loads no demo data into an empty database by default", async () => {
    const config = loadConfig({ NODE_ENV: "production", PORT: "0", HOST: "127.0.0.1", MARQUEE_WORKER: "false", LOG_LEVEL: "info" });
    expect(config.demoData).toBe(false);
    app = await startApp(config, memoryLogger(logs), t.db);
    const counts = await t.db.sql.query<{ users: number; items: number; interactions: number }>(
      `SELECT (SELECT count(*)::int FROM users) AS users, (SELECT count(*)::int FROM items) AS items, (SELECT count(*)::int FROM interactions) AS interactions`,
    );
    expect(counts).toEqual([{ users: 0, items: 0, interactions: 0 }]);
    expect(logs.map((l) => l.msg)).toContain(
      "the database has no items and no demo catalog is loaded (MARQUEE_DEMO_DATA=false); import a catalog with npm run import or the upsertItems mutation",
    );
    expect(logs.map((l) => l.msg)).not.toContain("loaded the demo catalog");
  });
});
