// Structured logs: one access line per request with the request id, method,
// path, operation name, status and duration; with the request context on,
// the request id on every line logged while serving a request; never an
// Authorization header or token.
import { databaseTargets, openTestDatabase, type TestDatabase } from "../support/testDatabase";
import type http from "node:http";
import type { AddressInfo } from "node:net";
import { memoryLogger, postGraphQL, startHttpApp, testConfig, TEST_EXECUTOR, type LoggedLine } from "../support/testServer";
import type { App } from "../../src/app";
import { createLogger, type Logger } from "../../src/logger";
import { createApolloServer } from "../../src/graphql/createApolloServer";
import { createContext } from "../../src/graphql/context";
import { createHttpServer } from "../../src/http/createHttpServer";
import { runWithRequest } from "../../src/observability/requestContext";

describe.each(databaseTargets())("request logs on %s", (target) => {
  let t: TestDatabase;
  let app: App & { logs: LoggedLine[] };
  beforeAll(async () => {
    t = await openTestDatabase(target);
    app = await startHttpApp(t.db);
  });
  afterAll(async () => {
    await app.stop();
    await t.dispose();
  });

  it("writes one access line per request, with the request id it was given", async () => {
    // A first request warms the server up: a slow one is logged at info.
    await postGraphQL(app.url, { query: `{ catalogStats { items } }` });
    const r = await postGraphQL(app.url, { query: `query CountItems { catalogStats { items } }` }, {
      "x-request-id": "req-123",
      authorization: "Bearer very-secret-token",
    });
    expect(r.status).toBe(200);
    const lines = app.logs.filter((l) => l.requestId === "req-123");
    expect(lines).toEqual([
      {
        level: "debug",
        time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        requestId: "req-123",
        msg: "request",
        method: "POST",
        path: "/graphql",
        operation: "CountItems",
        status: 200,
        durationMs: expect.any(Number),
      },
    ]);
    expect(JSON.stringify(app.logs)).not.toContain("very-secret-token");
  });

  it("generates a request id when none (or an unusable one) is sent, and returns it", async () => {
    const response = await fetch(app.url, {
      method: "POST",
      headers: { "content-type": "application/json", "x-request-id": "bad id with spaces" },
      body: JSON.stringify({ query: "{ ok }" }),
    });
    const id = response.headers.get("x-request-id")!;
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(app.logs.filter((l) => l.requestId === id).map((l) => l.msg)).toEqual(["request"]);
  });

  it("logs a request that had errors at info, with their codes", async () => {
    await t.db.sql.exec(`ALTER TABLE features RENAME TO features_hidden_for_logs`);
    try {
      const r = await postGraphQL(app.url, { query: `query Broken { features { totalCount } }` }, { "x-request-id": "req-broken" });
      expect(r.json.errors[0].extensions.code).toBe("INTERNAL_SERVER_ERROR");
    } finally {
      await t.db.sql.exec(`ALTER TABLE features_hidden_for_logs RENAME TO features`);
    }
    const access = app.logs.filter((l) => l.msg === "request" && l.requestId === "req-broken");
    expect(access).toEqual([
      expect.objectContaining({ level: "info", operation: "Broken", status: 200, errors: ["INTERNAL_SERVER_ERROR"] }),
    ]);
    expect(app.logs.some((l) => l.msg === "unexpected error")).toBe(true);
  });

  it("logs a refused request at info with its status", async () => {
    await postGraphQL(app.url, "{ not json", { "x-request-id": "req-bad-json" });
    expect(app.logs.filter((l) => l.requestId === "req-bad-json")).toEqual([
      expect.objectContaining({ level: "info", msg: "request", method: "POST", path: "/graphql", status: 400 }),
    ]);
  });
});

describe.each(databaseTargets())("request context on %s", (target) => {
  let t: TestDatabase;
  let logs: LoggedLine[];
  let server: http.Server;
  let apollo: Awaited<ReturnType<typeof startApollo>>;
  const startApollo = async (logger: Logger) => {
    const a = createApolloServer(logger, { introspection: false, executor: TEST_EXECUTOR });
    await a.start();
    return a;
  };
  beforeAll(async () => {
    t = await openTestDatabase(target);
    logs = [];
    const logger = memoryLogger(logs);
    apollo = await startApollo(logger);
    const config = testConfig();
    server = createHttpServer({
      apollo,
      logger,
      bodyLimitBytes: 1024 * 1024,
      context: (requestId) => createContext(t.db, config, requestId),
      requestContext: true,
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  });
  afterAll(async () => {
    server.close();
    server.closeAllConnections();
    await apollo.stop();
    await t.dispose();
  });

  it("puts the request id on every line logged while serving the request (formatError's too)", async () => {
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
    await t.db.sql.exec(`ALTER TABLE features RENAME TO features_hidden_for_context`);
    try {
      await postGraphQL(url, { query: `query Broken { features { totalCount } }` }, { "x-request-id": "req-context" });
    } finally {
      await t.db.sql.exec(`ALTER TABLE features_hidden_for_context RENAME TO features`);
    }
    expect(logs.filter((l) => l.requestId === "req-context").map((l) => [l.level, l.msg])).toEqual([
      ["error", "unexpected error"],
      ["info", "request"],
    ]);
  });
});

describe("createLogger", () => {
  it("writes pino JSON lines with string levels and redacts credentials", () => {
    const lines: string[] = [];
    const logger = createLogger("info", (line) => lines.push(line));
    logger.debug("not written");
    logger.info("hello", { authorization: "Bearer a", headers: { authorization: "Bearer b", accept: "json" }, token: "c", n: 1 });
    runWithRequest({ requestId: "r-1" }, () => logger.warn("inside"));
    expect(lines.map((l) => JSON.parse(l))).toEqual([
      {
        level: "info",
        time: expect.any(String),
        msg: "hello",
        authorization: "[redacted]",
        headers: { authorization: "[redacted]", accept: "json" },
        token: "[redacted]",
        n: 1,
      },
      { level: "warn", time: expect.any(String), requestId: "r-1", msg: "inside" },
    ]);
    expect(lines.join("\n")).not.toMatch(/Bearer/);
  });

  it("writes nothing at level silent", () => {
    const lines: string[] = [];
    const logger = createLogger("silent", (line) => lines.push(line));
    logger.error("nope");
    expect(lines).toEqual([]);
  });
});
