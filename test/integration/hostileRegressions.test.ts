// Regressions for the server bugs src/cli/reliability/hostile.ts found: each
// hostile input goes through the real HTTP server and must come back as a
// coded client error (or SERVICE_UNAVAILABLE), never a masked internal error
// nor a database error.
import net from "node:net";
import { databaseTargets, openTestDatabase, type TestDatabase } from "../support/testDatabase";
import { postGraphQL, startHttpApp, type LoggedLine } from "../support/testServer";
import { createDatabase } from "../../src/db/createDatabase";
import type { App } from "../../src/app";
import type { Database } from "../../src/db/Database";

const b64 = (text: string) => Buffer.from(text, "utf8").toString("base64url");

// One BAD_USER_INPUT field error, as a resolver raises it (HTTP 200).
function badArgument(path: string[], argument: string, message: string, line = 1, column?: number) {
  return {
    message,
    ...(column !== undefined ? { locations: [{ line, column }] } : {}),
    path,
    extensions: { code: "BAD_USER_INPUT", argument },
  };
}

describe.each(databaseTargets())("hostile input regressions on %s", (target) => {
  let t: TestDatabase;
  let app: App & { logs: LoggedLine[] };
  beforeAll(async () => {
    t = await openTestDatabase(target);
    app = await startHttpApp(t.db);
    const seeded = await postGraphQL(app.url, {
      query: `mutation {
        upsertItems(items: [{ id: "movie-1", kind: MOVIE, title: "One", features: [{ facet: "genre", value: "Drama" }] }]) { id }
        upsertUsers(users: [{ id: "user-1" }]) { id }
      }`,
    });
    expect(seeded.json.errors).toBeUndefined();
  });
  afterAll(async () => {
    await app.stop();
    await t.dispose();
  });

  const errorLogs = () => app.logs.filter((l) => l.level === "error" || l.level === "fatal");

  describe("1. subscription operations", () => {
    it("refuses an anonymous subscription with 400 GRAPHQL_VALIDATION_FAILED", async () => {
      const r = await postGraphQL(app.url, { query: "subscription { ok }" });
      expect(r.status).toBe(400);
      expect(r.json).toEqual({
        errors: [{
          message: "Subscriptions are not supported: send a query or a mutation instead of subscription",
          locations: [{ line: 1, column: 1 }],
          extensions: { code: "GRAPHQL_VALIDATION_FAILED" },
        }],
      });
    });

    it("refuses a named subscription picked by operationName the same way", async () => {
      const r = await postGraphQL(app.url, { query: "subscription S { ok }", operationName: "S" });
      expect(r.status).toBe(400);
      expect(r.json.errors).toHaveLength(1);
      expect(r.json.errors[0].extensions).toEqual({ code: "GRAPHQL_VALIDATION_FAILED" });
      expect(r.json.errors[0].message).toBe("Subscriptions are not supported: send a query or a mutation instead of subscription S");
    });
  });

  describe("2. NUL and lone surrogates in string arguments", () => {
    const nul = "a\u0000b";
    const cases: [string, string, Record<string, unknown>, string[], string][] = [
      ["recommendations(userId)", "query($v: ID!) { recommendations(userId: $v) { rank } }", { v: nul }, ["recommendations"], "userId"],
      ["similarItems(itemId)", "query($v: ID!) { similarItems(itemId: $v) { rank } }", { v: nul }, ["similarItems"], "itemId"],
      ["similarUsers(userId)", "query($v: ID!) { similarUsers(userId: $v) { score } }", { v: nul }, ["similarUsers"], "userId"],
      ["predictRating(userId)", 'query($v: ID!) { predictRating(userId: $v, itemId: "movie-1") { rating } }', { v: nul }, ["predictRating"], "userId"],
      ["predictRating(itemId)", 'query($v: ID!) { predictRating(userId: "user-1", itemId: $v) { rating } }', { v: nul }, ["predictRating"], "itemId"],
      ["items(filter.feature.facet)", 'query($v: String!) { items(filter: { feature: { facet: $v, value: "Drama" } }) { totalCount } }', { v: nul }, ["items"], "filter.feature.facet"],
      ["items(filter.feature.value)", 'query($v: String!) { items(filter: { feature: { facet: "genre", value: $v } }) { totalCount } }', { v: nul }, ["items"], "filter.feature.value"],
      ["items(filter.features[1].value)", 'query($v: String!) { items(filter: { features: [{ facet: "genre", value: "Drama" }, { facet: "genre", value: $v }] }) { totalCount } }', { v: nul }, ["items"], "filter.features[1].value"],
      ["items(filter.titleContains)", "query($v: String) { items(filter: { titleContains: $v }) { totalCount } }", { v: nul }, ["items"], "filter.titleContains"],
      ["features(facet)", "query($v: String) { features(facet: $v) { totalCount } }", { v: nul }, ["features"], "facet"],
      ["Item.features(facet)", 'query($v: String) { item(id: "movie-1") { features(facet: $v) { value } } }', { v: nul }, ["item", "features"], "facet"],
      ["recommendations(filter.excludeItems)", 'query($v: ID!) { recommendations(userId: "user-1", filter: { excludeItems: ["movie-1", $v] }) { rank } }', { v: nul }, ["recommendations"], "filter.excludeItems[1]"],
      ["recommendations(filter.features.any)", 'query($v: String!) { recommendations(userId: "user-1", filter: { features: { any: [{ facet: $v, value: "Drama" }] } }) { rank } }', { v: nul }, ["recommendations"], "filter.features.any[0].facet"],
      ["activateModel(name)", "mutation($v: String!) { activateModel(name: $v, version: 1) { version } }", { v: nul }, ["activateModel"], "name"],
      ["rollbackModel(name)", "mutation($v: String!) { rollbackModel(name: $v) { version } }", { v: nul }, ["rollbackModel"], "name"],
    ];
    it.each(cases)("%s = NUL is BAD_USER_INPUT naming the argument", async (_name, query, variables, path, argument) => {
      const r = await postGraphQL(app.url, { query, variables });
      expect(r.status).toBe(200);
      expect(r.json.errors).toHaveLength(1);
      expect(r.json.errors[0]).toEqual({
        ...badArgument(path, argument, `Invalid ${argument}: must not contain NUL characters; got "a\\u0000b"`),
        locations: r.json.errors[0].locations,
      });
    });

    it("refuses a lone surrogate in an id with BAD_USER_INPUT", async () => {
      const r = await postGraphQL(app.url, { query: "query($v: ID!) { similarUsers(userId: $v) { score } }", variables: { v: "x\ud83dy" } });
      expect(r.status).toBe(200);
      expect(r.json).toEqual({
        data: null,
        errors: [badArgument(["similarUsers"], "userId", 'Invalid userId: must be valid Unicode (no lone surrogates); got "x\\ud83dy"', 1, 18)],
      });
    });

    it("bounds the length of a filter value", async () => {
      const r = await postGraphQL(app.url, { query: "query($v: String) { features(facet: $v) { totalCount } }", variables: { v: "f".repeat(101) } });
      expect(r.status).toBe(200);
      expect(r.json.errors[0].extensions).toEqual({ code: "BAD_USER_INPUT", argument: "facet" });
      expect(r.json.errors[0].message).toBe(`Invalid facet: at most 100 characters; got "${"f".repeat(40)}... (101 characters)"`);
    });

    it("still serves ordinary filter values (an empty one matches nothing)", async () => {
      const r = await postGraphQL(app.url, { query: '{ a: features(facet: "genre") { totalCount } b: features(facet: "") { totalCount } items(filter: { feature: { facet: "genre", value: "Drama" } }) { totalCount } }' });
      expect(r.json).toEqual({ data: { a: { totalCount: 1 }, b: { totalCount: 0 }, items: { totalCount: 1 } } });
    });
  });

  describe("3. interaction cursors with dates PostgreSQL cannot store", () => {
    const query = "query($c: String) { user(id: \"user-1\") { interactions(first: 2, after: $c) { totalCount } } }";
    it.each([
      ["year 275760", b64('interaction:{"t":"+275760-09-13T00:00:00.000Z","id":"1"}')],
      ["year 300000", b64('interaction:{"t":"+300000-01-01T00:00:00.000Z","id":"1"}')],
      ["year -1", b64('interaction:{"t":"-000001-01-01T00:00:00.000Z","id":"1"}')],
      ["NaN", b64('interaction:{"t":"NaN","id":"1"}')],
    ])("a cursor dated %s is BAD_USER_INPUT naming after", async (_name, cursor) => {
      const r = await postGraphQL(app.url, { query, variables: { c: cursor } });
      expect(r.status).toBe(200);
      expect(r.json).toEqual({
        data: { user: null },
        errors: [badArgument(["user", "interactions"], "after", `Invalid after: not a cursor returned by this field; got ${JSON.stringify(cursor)}`, 1, 42)],
      });
    });
  });

  describe("4. numbers outside PostgreSQL real's range", () => {
    const play = (value: string) => `mutation { recordInteractions(interactions: [{ userId: "user-1", itemId: "movie-1", type: PLAY, value: ${value} }]) { accepted } }`;
    it.each([["1e-50", "1e-50"], ["1e-320", "1e-320"], ["-1e-40", "-1e-40"]])("a PLAY amount of %s is BAD_USER_INPUT", async (literal, shown) => {
      const r = await postGraphQL(app.url, { query: play(literal) });
      expect(r.status).toBe(200);
      const problem = literal.startsWith("-") ? "a PLAY amount must be from 0 to 1000000000" : "must be 0 or at least 1e-30";
      expect(r.json).toEqual({
        data: null,
        errors: [badArgument(["recordInteractions"], "interactions[0].value", `Invalid interactions[0].value: ${problem}; got ${shown}`, 1, 12)],
      });
    });

    it("accepts a PLAY amount of 0 and of 1e-30", async () => {
      for (const value of ["0", "1e-30"]) {
        const r = await postGraphQL(app.url, { query: play(value) });
        expect(r.json).toEqual({ data: { recordInteractions: { accepted: 1 } } });
      }
    });

    const weight = (w: string) => `mutation { upsertItems(items: [{ id: "weight-item", kind: OTHER, title: "w", features: [{ facet: "genre", value: "Test", weight: ${w} }] }]) { id } }`;
    it.each([["1e39", "1e+39"], ["1000001", "1000001"], ["1e-50", "1e-50"], ["0", "0"]])("a feature weight of %s is BAD_USER_INPUT", async (literal, shown) => {
      const r = await postGraphQL(app.url, { query: weight(literal) });
      expect(r.status).toBe(200);
      expect(r.json).toEqual({
        data: null,
        errors: [badArgument(["upsertItems"], "items[0].features[0].weight", `Invalid items[0].features[0].weight: must be positive, from 1e-30 to 1000000; got ${shown}`, 1, 12)],
      });
    });

    it("accepts a feature weight of 1e6", async () => {
      const r = await postGraphQL(app.url, { query: weight("1e6") });
      expect(r.json).toEqual({ data: { upsertItems: [{ id: "weight-item" }] } });
    });
  });

  describe("5. JSON scalar", () => {
    const query = 'mutation($a: JSON) { upsertUsers(users: [{ id: "json-user", attributes: $a }]) { id } }';
    it("refuses a lone surrogate in a JSON value as the variable's BAD_USER_INPUT (400)", async () => {
      const r = await postGraphQL(app.url, { query, variables: { a: { note: "x\ud83dy" } } });
      expect(r.status).toBe(400);
      expect(r.json.data).toBeUndefined();
      expect(r.json.errors).toHaveLength(1);
      expect(r.json.errors[0].extensions).toEqual({ code: "BAD_USER_INPUT" });
      expect(r.json.errors[0].message).toBe('Variable "$a" got invalid value { note: "x\\ud83dy" }; Invalid attributes.note: must be valid Unicode (no lone surrogates); got "x\\ud83dy"');
    });

    it("refuses a NUL in a JSON key written as a literal", async () => {
      const r = await postGraphQL(app.url, { query: 'mutation { upsertUsers(users: [{ id: "json-user", attributes: { k: "a\\u0000b" } }]) { id } }' });
      expect(r.status).toBe(400);
      expect(r.json.errors).toHaveLength(1);
      expect(["BAD_USER_INPUT", "GRAPHQL_VALIDATION_FAILED"]).toContain(r.json.errors[0].extensions.code);
      expect(r.json.errors[0].message).toContain("Invalid attributes.k: must not contain NUL characters");
    });
  });

  describe("6. DateTime days that do not exist", () => {
    const at = (t: string) => `mutation($t: DateTime) { recordInteractions(interactions: [{ userId: "user-1", itemId: "movie-1", type: VIEW, occurredAt: $t }]) { accepted } }`;
    it.each(["2026-02-30T00:00:00Z", "2026-04-31T12:00:00Z", "2025-02-29", "2026-13-01T00:00:00Z", "2026-01-00T00:00:00Z"])("%s is refused as a variable (400 BAD_USER_INPUT)", async (t) => {
      const r = await postGraphQL(app.url, { query: at(t), variables: { t } });
      expect(r.status).toBe(400);
      expect(r.json.data).toBeUndefined();
      expect(r.json.errors).toHaveLength(1);
      expect(r.json.errors[0].extensions).toEqual({ code: "BAD_USER_INPUT" });
      expect(r.json.errors[0].message).toMatch(/^Variable "\$t" got invalid value .*; DateTime is not a real date/);
    });

    it("refuses 2026-02-30 as a literal (400 GRAPHQL_VALIDATION_FAILED)", async () => {
      const r = await postGraphQL(app.url, { query: 'mutation { recordInteractions(interactions: [{ userId: "user-1", itemId: "movie-1", type: VIEW, occurredAt: "2026-02-30T00:00:00Z" }]) { accepted } }' });
      expect(r.status).toBe(400);
      expect(r.json.errors[0].extensions.code).toMatch(/^(GRAPHQL_VALIDATION_FAILED|BAD_USER_INPUT)$/);
      expect(r.json.errors[0].message).toContain("DateTime is not a real date: 2026-02-30 does not exist");
    });

    it("accepts 2024-02-29 (a leap day)", async () => {
      const r = await postGraphQL(app.url, { query: at("x"), variables: { t: "2024-02-29T10:00:00Z" } });
      expect(r.json).toEqual({ data: { recordInteractions: { accepted: 1 } } });
    });
  });

  describe("7. persisted queries", () => {
    it("answers an unsupported persisted query version with 400 BAD_REQUEST", async () => {
      const r = await postGraphQL(app.url, { extensions: { persistedQuery: { version: 2, sha256Hash: "0".repeat(64) } } });
      expect(r.status).toBe(400);
      expect(r.json).toEqual({
        errors: [{ message: "Unsupported persisted query version: only extensions.persistedQuery.version 1 is supported", extensions: { code: "BAD_REQUEST" } }],
      });
      expect(errorLogs()).toEqual([]);
    });

    it("answers a hash that does not match the query with 400 BAD_REQUEST", async () => {
      const r = await postGraphQL(app.url, { query: "{ ok }", extensions: { persistedQuery: { version: 1, sha256Hash: "0".repeat(64) } } });
      expect(r.status).toBe(400);
      expect(r.json).toEqual({
        errors: [{ message: "The persisted query's sha256Hash does not match the query sent with it", extensions: { code: "BAD_REQUEST" } }],
      });
    });
  });

  describe("8. a client that disconnects mid-body", () => {
    it("is logged quietly, not as an error", async () => {
      const { port } = new URL(app.url);
      const before = app.logs.length;
      await new Promise<void>((resolve, reject) => {
        const socket = net.connect(Number(port), "127.0.0.1", () => {
          socket.write(`POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"query"`);
          setTimeout(() => {
            socket.destroy();
            resolve();
          }, 100);
        });
        socket.on("error", reject);
      });
      // The server notices the reset asynchronously.
      const deadline = Date.now() + 3000;
      while (Date.now() < deadline && !app.logs.slice(before).some((l) => l.msg === "request")) await new Promise((r) => setTimeout(r, 20));
      const lines = app.logs.slice(before);
      expect(lines.filter((l) => l.level === "error" || l.level === "warn")).toEqual([]);
      expect(lines.find((l) => l.msg === "client closed the request before it was read")).toMatchObject({ level: "debug", error: "aborted" });
      expect(lines.find((l) => l.msg === "request")).toMatchObject({ level: "info", status: 499, path: "/graphql" });
      // And the server still answers.
      expect((await postGraphQL(app.url, { query: "{ ok }" })).json).toEqual({ data: { ok: true } });
    });
  });

  describe("9. content-type", () => {
    const send = (type: string) => postGraphQL(app.url, '{"query":"{ ok }"}', { "content-type": type });
    it.each(["application/jsonfoo", "application/json-patch+json", "application/graphql-response+jsonx"])("refuses %s with 400 BAD_REQUEST", async (type) => {
      const r = await send(type);
      expect(r.status).toBe(400);
      expect(r.json.data).toBeUndefined();
      expect(r.json.errors).toHaveLength(1);
      expect(r.json.errors[0].extensions).toEqual({ code: "BAD_REQUEST" });
    });

    it.each(["application/json", "application/json; charset=utf-8", "Application/JSON;charset=utf-8", "application/json ; charset=utf-8", "application/graphql-response+json"])("accepts %s", async (type) => {
      const r = await send(type);
      expect(r.status).toBe(200);
      expect(r.json).toEqual({ data: { ok: true } });
    });
  });

  it("logged no unexpected error for any of these inputs", () => {
    expect(errorLogs()).toEqual([]);
  });
});

// 10. A database that stops answering (SIGSTOP, a hung host) must fail fast
// as SERVICE_UNAVAILABLE, not hang. A TCP proxy in front of the test
// database stands in for the frozen server: it stops forwarding bytes.
const postgresOnly = databaseTargets().includes("postgres") ? describe : describe.skip;
postgresOnly("a frozen PostgreSQL", () => {
  let t: TestDatabase;
  let proxy: net.Server;
  let frozen = false;
  const sockets: net.Socket[] = [];
  const paused: (() => void)[] = [];
  let db: Database;
  let app: App & { logs: LoggedLine[] };

  beforeAll(async () => {
    t = await openTestDatabase("postgres");
    const target = new URL(t.url!);
    proxy = net.createServer((client) => {
      const server = net.connect(Number(target.port || 5432), target.hostname);
      sockets.push(client, server);
      const pipe = (from: net.Socket, to: net.Socket) => from.on("data", (chunk) => {
        if (frozen) {
          // Held back, like bytes sent to a stopped process: delivered on thaw.
          from.pause();
          paused.push(() => {
            to.write(chunk);
            from.resume();
          });
        } else to.write(chunk);
      });
      pipe(client, server);
      pipe(server, client);
      const end = () => {
        client.destroy();
        server.destroy();
      };
      client.on("error", end).on("close", end);
      server.on("error", end).on("close", end);
    });
    await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", () => resolve()));
    const proxied = new URL(t.url!);
    proxied.hostname = "127.0.0.1";
    proxied.port = String((proxy.address() as net.AddressInfo).port);
    db = await createDatabase({ databaseUrl: proxied.toString(), poolSize: 2, connectionTimeoutMs: 1000, statementTimeoutMs: 500 });
    app = await startHttpApp(db);
  });
  afterAll(async () => {
    frozen = false;
    for (const resume of paused.splice(0)) resume();
    await app?.stop();
    await db?.close();
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => proxy.close(() => resolve()));
    await t.dispose();
  });

  it("answers SERVICE_UNAVAILABLE within the query timeout, then within the connection timeout", async () => {
    expect((await postGraphQL(app.url, { query: "{ items { totalCount } }" })).json).toEqual({ data: { items: { totalCount: 0 } } });
    frozen = true;
    const unavailable = {
      data: null,
      errors: [{
        message: "The database is unavailable; try again shortly",
        locations: [{ line: 1, column: 3 }],
        path: ["items"],
        extensions: { code: "SERVICE_UNAVAILABLE" },
      }],
    };
    for (let i = 0; i < 3; i++) {
      const started = Date.now();
      const r = await postGraphQL(app.url, { query: "{ items { totalCount } }" });
      // query_timeout is statementTimeoutMs + 5 s grace; a fresh connection gives up after 1 s.
      expect(Date.now() - started).toBeLessThan(8000);
      expect(r.status).toBe(200);
      expect(r.json).toEqual(unavailable);
    }
    // Nothing in the request path is logged as a bug (the background job
    // worker may log its own failed ticks meanwhile: the outage is real).
    expect(app.logs.filter((l) => /unexpected error|request failed|request handling failed/.test(l.msg))).toEqual([]);
    expect(app.logs.filter((l) => l.msg === "database unavailable").length).toBeGreaterThanOrEqual(3);
  });

  it("has the server cancel a statement that runs too long (statement_timeout, SQLSTATE 57014)", async () => {
    frozen = false;
    for (const resume of paused.splice(0)) resume();
    await expect(db.sql.query("SELECT pg_sleep(2)")).rejects.toMatchObject({ code: "57014" });
  });
});
