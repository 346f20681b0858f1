// /readyz answers 200 while the database answers and every migration is
// applied, and 503 naming the failing check otherwise; /healthz (liveness)
// stays 200 throughout.
import { databaseTargets, openTestDatabase, type TestDatabase } from "../support/testDatabase";
import { startHttpApp, TEST_EXECUTOR, type LoggedLine } from "../support/testServer";
import type { App } from "../../src/app";
import { readMigrations } from "../../src/db/migrate";
import { createHttpServer } from "../../src/http/createHttpServer";
import { createApolloServer } from "../../src/graphql/createApolloServer";
import { createLogger } from "../../src/logger";
import type { Database } from "../../src/db/Database";
import type { AddressInfo } from "node:net";

describe.each(databaseTargets())("/readyz on %s", (target) => {
  let t: TestDatabase;
  let app: App & { logs: LoggedLine[] };
  let base: string;
  const get = async (path: string) => {
    const r = await fetch(`${base}${path}`);
    return { status: r.status, json: await r.json() as any, cacheControl: r.headers.get("cache-control") };
  };
  beforeAll(async () => {
    t = await openTestDatabase(target);
    app = await startHttpApp(t.db);
    base = app.url.replace(/\/graphql$/, "");
  });
  let closed = false;
  afterAll(async () => {
    await app.stop();
    // The last test closed the database already (closing twice throws); the
    // rest of dispose (dropping a PostgreSQL test database) must still run.
    if (closed) t.db.close = async () => undefined;
    await t.dispose();
  });

  it("is ready with the database up and every migration applied", async () => {
    const r = await get("/readyz");
    expect(r.status).toBe(200);
    expect(r.cacheControl).toBe("no-store");
    expect(r.json).toEqual({
      status: "ready",
      checks: {
        database: { status: "ok", durationMs: expect.any(Number) },
        migrations: { status: "ok", durationMs: expect.any(Number), applied: readMigrations().length },
        // No model trained on this empty database: serving counts popularity in the database.
        models: { status: "ok", active: [] },
      },
    });
  });

  it("is unavailable while a migration is missing, and ready again once it is applied", async () => {
    const last = readMigrations().at(-1)!;
    await t.db.sql.query(`UPDATE "_prisma_migrations" SET rolled_back_at = now() WHERE migration_name = $1`, [last.name]);
    try {
      const r = await get("/readyz");
      expect(r.status).toBe(503);
      expect(r.json).toEqual({
        status: "unavailable",
        checks: {
          database: { status: "ok", durationMs: expect.any(Number) },
          migrations: {
            status: "failed",
            durationMs: expect.any(Number),
            pending: [last.name],
            error: `1 migration(s) not applied: ${last.name}`,
          },
          models: { status: "ok", active: [] },
        },
      });
    } finally {
      await t.db.sql.query(`UPDATE "_prisma_migrations" SET rolled_back_at = NULL WHERE migration_name = $1`, [last.name]);
    }
    expect((await get("/readyz")).status).toBe(200);
  });

  it("is unavailable when the database is closed, while /healthz stays up", async () => {
    await t.db.close();
    closed = true;
    const r = await get("/readyz");
    expect(r.status).toBe(503);
    expect(r.json.status).toBe("unavailable");
    expect(r.json.checks.database).toEqual({ status: "failed", durationMs: expect.any(Number), error: expect.any(String) });
    expect(r.json.checks.migrations).toEqual({ status: "skipped" });
    expect((await get("/healthz")).json).toEqual({ status: "ok" });
  });
});

describe("/readyz with a database that hangs", () => {
  it("fails the database check after the time limit", async () => {
    const hanging = { sql: { query: () => new Promise(() => undefined) } } as unknown as Database;
    const apollo = createApolloServer(createLogger("silent"), { introspection: false, executor: TEST_EXECUTOR });
    await apollo.start();
    const server = createHttpServer({
      apollo,
      logger: createLogger("silent"),
      bodyLimitBytes: 1024,
      context: () => { throw new Error("not used"); },
      db: hanging,
      readinessTimeoutMs: 50,
      graphiql: false,
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const r = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/readyz`);
      expect(r.status).toBe(503);
      expect((await r.json() as any).checks.database).toEqual({
        status: "failed",
        durationMs: expect.any(Number),
        error: "the database did not answer within 50 ms",
      });
    } finally {
      server.close();
      server.closeAllConnections();
      await apollo.stop();
    }
  });
});
