// The server over real HTTP: routes, JSON errors, body limits, CSRF
// prevention, and an unexpected failure masked for the client but logged.
import { databaseTargets, openTestDatabase, type TestDatabase } from "../support/testDatabase";
import { postGraphQL, startHttpApp } from "../support/testServer";
import type { App } from "../../src/app";
import type { LoggedLine } from "../support/testServer";

describe.each(databaseTargets())("HTTP server on %s", (target) => {
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

  it("serves /metrics openly by default, and only with the bearer token when MARQUEE_METRICS_TOKEN is set", async () => {
    const open = await fetch(app.url.replace(/\/graphql$/, "/metrics"));
    expect(open.status).toBe(200);
    expect(await open.text()).toContain("marquee_http_requests_total");
    const token = "metrics-token-0123456789abcdef";
    const guarded = await startHttpApp(t.db, { MARQUEE_METRICS_TOKEN: token, MARQUEE_WORKER: "false" });
    try {
      const url = guarded.url.replace(/\/graphql$/, "/metrics");
      const wrong: Record<string, string>[] = [{}, { authorization: `Bearer ${token.slice(0, -1)}x` }, { authorization: token }, { authorization: `Bearer ${token}extra` }];
      for (const headers of wrong) {
        const refused = await fetch(url, { headers });
        expect(refused.status).toBe(401);
        expect(refused.headers.get("www-authenticate")).toBe("Bearer");
        expect(await refused.json()).toEqual({ errors: [{ message: "/metrics needs the bearer token set in MARQUEE_METRICS_TOKEN", extensions: { code: "UNAUTHENTICATED" } }] });
      }
      const allowed = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
      expect(allowed.status).toBe(200);
      expect(await allowed.text()).toContain("marquee_http_requests_total");
      // The other routes are as before.
      expect((await postGraphQL(guarded.url, { query: `{ ok }` })).json).toEqual({ data: { ok: true } });
    } finally {
      await guarded.stop();
    }
  });

  it("answers a query over POST", async () => {
    const r = await postGraphQL(app.url, { query: `{ ok catalogStats { items } }` });
    expect(r.status).toBe(200);
    expect(r.json).toEqual({ data: { ok: true, catalogStats: { items: 0 } } });
  });

  it("answers a query over GET with a preflight header, and refuses a mutation over GET", async () => {
    const query = encodeURIComponent(`{ ok }`);
    const get = await fetch(`${app.url}?query=${query}`, { headers: { "apollo-require-preflight": "true" } });
    expect((await get.json()) as unknown).toEqual({ data: { ok: true } });
    const mutation = encodeURIComponent(`mutation { ok }`);
    const refused = await fetch(`${app.url}?query=${mutation}`, { headers: { "apollo-require-preflight": "true" } });
    expect(refused.status).toBe(405);
    expect(((await refused.json()) as any).errors[0].extensions.code).toBe("BAD_REQUEST");
  });

  it("blocks a simple cross-site GET (CSRF prevention)", async () => {
    const r = await fetch(`${app.url}?query=${encodeURIComponent("{ ok }")}`);
    expect(r.status).toBe(400);
    expect(((await r.json()) as any).errors[0].extensions.code).toBe("BAD_REQUEST");
  });

  it("answers malformed JSON and an empty body with a coded 400", async () => {
    const bad = await postGraphQL(app.url, "{ not json");
    expect(bad.status).toBe(400);
    expect(bad.json).toEqual({ errors: [{ message: "The request body is not valid JSON", extensions: { code: "BAD_REQUEST" } }] });
    const empty = await postGraphQL(app.url, "");
    expect(empty.status).toBe(400);
    expect(empty.json.errors[0].extensions.code).toBe("BAD_REQUEST");
  });

  it("refuses a body over the limit with 413", async () => {
    const huge = JSON.stringify({ query: `{ ok }`, variables: { pad: "x".repeat(5 * 1024 * 1024) } });
    const r = await postGraphQL(app.url, huge);
    expect(r.status).toBe(413);
    expect(r.json.errors[0].extensions.code).toBe("PAYLOAD_TOO_LARGE");
  });

  it("reports a syntax error with GRAPHQL_PARSE_FAILED and an unknown field with GRAPHQL_VALIDATION_FAILED", async () => {
    const parse = await postGraphQL(app.url, { query: `{ items(` });
    expect(parse.status).toBe(400);
    expect(parse.json.errors[0].extensions.code).toBe("GRAPHQL_PARSE_FAILED");
    const unknown = await postGraphQL(app.url, { query: `{ nope }` });
    expect(unknown.status).toBe(400);
    expect(unknown.json.errors[0].extensions.code).toBe("GRAPHQL_VALIDATION_FAILED");
  });

  it("has /healthz and a coded 404 elsewhere", async () => {
    expect((await (await fetch(app.url.replace("/graphql", "/healthz"))).json()) as unknown).toEqual({ status: "ok" });
    const missing = await fetch(app.url.replace("/graphql", "/nope"));
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as any).errors[0].extensions.code).toBe("NOT_FOUND");
  });

  it("masks an unexpected failure as INTERNAL_SERVER_ERROR and logs it with its stack", async () => {
    // Break the database under the server: the features table disappears.
    await t.db.sql.exec(`ALTER TABLE features RENAME TO features_hidden`);
    try {
      const r = await postGraphQL(app.url, { query: `{ features { totalCount } }` });
      expect(r.json).toEqual({
        data: null,
        errors: [{ message: "Internal server error", locations: [{ line: 1, column: 3 }], path: ["features"], extensions: { code: "INTERNAL_SERVER_ERROR" } }],
      });
      // No SQL text, stack or path reaches the client.
      expect(r.text).not.toMatch(/features_hidden|SELECT|\.ts:|at /);
      const logged = app.logs.find((l) => l.msg === "unexpected error");
      expect(logged).toBeDefined();
      expect(String(logged!.stack)).toMatch(/features/);
    } finally {
      await t.db.sql.exec(`ALTER TABLE features_hidden RENAME TO features`);
    }
    // And the server is still healthy.
    expect((await postGraphQL(app.url, { query: `{ ok }` })).json).toEqual({ data: { ok: true } });
  });
});
