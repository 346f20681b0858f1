// Automatic persisted queries (APQ), on by default in Apollo Server 5 with an
// in-memory cache: a hash the server has not seen is PERSISTED_QUERY_NOT_FOUND;
// sending the query with its hash registers it; the hash alone then works,
// over POST and over GET (which a CDN can cache).
import crypto from "node:crypto";
import { databaseTargets, openTestDatabase, type TestDatabase } from "../support/testDatabase";
import { postGraphQL, startHttpApp, type LoggedLine } from "../support/testServer";
import type { App } from "../../src/app";

const sha256 = (text: string) => crypto.createHash("sha256").update(text).digest("hex");

describe.each(databaseTargets())("automatic persisted queries on %s", (target) => {
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

  it("answers PERSISTED_QUERY_NOT_FOUND for an unknown hash, then registers the query and serves it by hash", async () => {
    const query = `query ApqStats { catalogStats { items users } }`;
    const extensions = { persistedQuery: { version: 1, sha256Hash: sha256(query) } };

    const miss = await postGraphQL(app.url, { extensions });
    expect(miss.status).toBe(200);
    expect(miss.json).toEqual({
      errors: [{ message: "PersistedQueryNotFound", extensions: { code: "PERSISTED_QUERY_NOT_FOUND" } }],
    });

    const register = await postGraphQL(app.url, { query, extensions });
    expect(register.json).toEqual({ data: { catalogStats: { items: 0, users: 0 } } });

    const hit = await postGraphQL(app.url, { extensions });
    expect(hit.json).toEqual({ data: { catalogStats: { items: 0, users: 0 } } });

    const params = new URLSearchParams({ extensions: JSON.stringify(extensions) });
    const get = await fetch(`${app.url}?${params}`, { headers: { "apollo-require-preflight": "true" } });
    expect(await get.json()).toEqual({ data: { catalogStats: { items: 0, users: 0 } } });
  });

  it("refuses a query whose hash does not match, without running it", async () => {
    const r = await postGraphQL(app.url, { query: `{ ok }`, extensions: { persistedQuery: { version: 1, sha256Hash: sha256("{ something else }") } } });
    expect(r.status).toBe(400);
    expect(r.json.data).toBeUndefined();
    // Apollo raises this one without a code; formatError masks it (see docs/ERRORS.md).
    expect(r.json.errors).toHaveLength(1);
  });
});
