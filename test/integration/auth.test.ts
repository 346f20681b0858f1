// Keys and roles: every role against every root operation (allowed or
// FORBIDDEN), clients confined to their own user (also below the root),
// UNAUTHENTICATED and 429 through real HTTP, and the keys CLI.
import { parse } from "graphql";
import { databaseTargets, openTestDatabase, type TestDatabase } from "../support/testDatabase";
import { postGraphQL, startHttpApp, startTestServer, type TestServer } from "../support/testServer";
import { importCatalog } from "../../src/services/importService";
import { tinyCatalog } from "../serving/support/tinyCatalog";
import { POLICY } from "../../src/auth/policy";
import { loadTypeDefs } from "../../src/graphql/typeDefs";
import { schemaFields } from "../../src/graphql/createApolloServer";
import { createApiKey } from "../../src/auth/apiKeys";
import { issueUserToken, verifyUserToken } from "../../src/auth/userTokens";
import { RateLimiter } from "../../src/auth/rateLimiter";
import { revokeApiKey } from "../../src/db/apiKeyRepository";
import { runKeys } from "../../src/cli/keys";
import { loadConfig, ConfigError, type AuthConfig } from "../../src/config";
import { createAuthenticator } from "../../src/auth/authenticate";
import type { Principal } from "../../src/auth/Principal";
import type { App } from "../../src/app";

const ADMIN: Principal = { role: "admin", keyId: "k-admin" };
const SERVICE: Principal = { role: "service", keyId: "k-service" };
const CLIENT: Principal = { role: "client", keyId: "k-client", userId: "ann" };

// One operation per root field, each touching user "ann" where it names a
// user; `other` is the same call about user "u1" (for clients).
type Case = { query: string; other?: string };
const QUERIES: Record<string, Case> = {
  ok: { query: `{ ok }` },
  viewer: { query: `{ viewer { role } }` },
  item: { query: `{ item(id: "s1") { id } }` },
  itemsById: { query: `{ itemsById(ids: ["s1"]) { id } }` },
  items: { query: `{ items(first: 1) { totalCount } }` },
  features: { query: `{ features { totalCount } }` },
  catalogStats: { query: `{ catalogStats { items } }` },
  similarItems: { query: `{ similarItems(itemId: "s1", first: 1, method: CONTENT) { score } }` },
  popular: { query: `{ popular(first: 1) { score } }` },
  activeModels: { query: `{ activeModels { name } }` },
  onlineMetrics: { query: `{ onlineMetrics(from: "2026-01-01T00:00:00Z", to: "2026-01-02T00:00:00Z") { impressions } }` },
  exploration: { query: `{ exploration { surface rate } }` },
  offPolicyEstimate: { query: `{ offPolicyEstimate(model: "popular", version: 999, from: "2026-01-01T00:00:00Z", to: "2026-01-02T00:00:00Z") { impressions } }` },
  models: { query: `{ models { name } }` },
  job: { query: `{ job(id: "999999") { id } }` },
  retrainSchedule: { query: `{ retrainSchedule { enabled } }` },
  experiment: { query: `{ experiment(id: "999999") { id } }` },
  experiments: { query: `{ experiments { id } }` },
  user: { query: `{ user(id: "ann") { id } }`, other: `{ user(id: "u1") { id } }` },
  users: { query: `{ users(ids: ["ann"]) { id } }`, other: `{ users(ids: ["ann", "u1"]) { id } }` },
  recommendations: { query: `{ recommendations(userId: "ann", first: 1) { score } }`, other: `{ recommendations(userId: "u1", first: 1) { score } }` },
  upNext: { query: `{ upNext(userId: "ann", first: 1) { score } }`, other: `{ upNext(userId: "u1", first: 1) { score } }` },
  similarUsers: { query: `{ similarUsers(userId: "ann", first: 1) { score } }`, other: `{ similarUsers(userId: "u1", first: 1) { score } }` },
  predictRating: { query: `{ predictRating(userId: "ann", itemId: "s2") { rating } }`, other: `{ predictRating(userId: "u1", itemId: "s2") { rating } }` },
  exportUser: { query: `{ exportUser(id: "ann") }`, other: `{ exportUser(id: "u1") }` },
  page: { query: `{ page(userId: "ann", rails: [{ kind: TRENDING }]) { userId } }`, other: `{ page(userId: "u1", rails: [{ kind: TRENDING }]) { userId } }` },
};
const MUTATIONS: Record<string, Case> = {
  ok: { query: `mutation { ok }` },
  upsertItems: { query: `mutation { upsertItems(items: [{ id: "s1", kind: MOVIE, title: "Title s1" }]) { id } }` },
  upsertUsers: { query: `mutation { upsertUsers(users: [{ id: "ann" }]) { id } }` },
  recordInteractions: {
    query: `mutation { recordInteractions(interactions: [{ userId: "ann", itemId: "s2", type: VIEW, occurredAt: "2026-01-09T00:00:00Z" }]) { accepted } }`,
    other: `mutation { recordInteractions(interactions: [{ userId: "ann", itemId: "s2", type: VIEW }, { userId: "u1", itemId: "s2", type: VIEW }]) { accepted } }`,
  },
  issueUserToken: { query: `mutation { issueUserToken(userId: "ann") { userId } }` },
  // Deletes a user nobody else uses (NOT_FOUND when already gone: still "allowed").
  deleteUser: { query: `mutation { deleteUser(id: "jo") { id } }` },
  trainModel: { query: `mutation { trainModel(name: "no-such-model") { id } }` },
  activateModel: { query: `mutation { activateModel(name: "popular", version: 999) { version } }` },
  rollbackModel: { query: `mutation { rollbackModel(name: "popular") { version } }` },
  setExploration: { query: `mutation { setExploration(surface: "upNext", rate: 0) { rate } }` },
  // Refused as bad input or unknown when allowed (nothing is created or started).
  createExperiment: { query: `mutation { createExperiment(input: { name: "a/b", arms: [] }) { id } }` },
  startExperiment: { query: `mutation { startExperiment(id: "999999") { id } }` },
  stopExperiment: { query: `mutation { stopExperiment(id: "999999") { id } }` },
};

// What each role may call; anything else is FORBIDDEN (issue: admin everything;
// service ingests and reads everything; a client reads the catalog and its own user).
const SERVICE_REFUSED = new Set(["deleteUser", "trainModel", "activateModel", "rollbackModel", "offPolicyEstimate", "setExploration", "experiment", "experiments", "createExperiment", "startExperiment", "stopExperiment"]);
const CLIENT_ALLOWED = new Set([
  "ok", "viewer", "item", "itemsById", "items", "features", "catalogStats", "similarItems", "popular",
  "user", "users", "recommendations", "upNext", "similarUsers", "predictRating", "exportUser", "page", "recordInteractions",
]);

function codes(answer: { errors?: { extensions?: { code?: string } }[] }): string[] {
  const found = (answer.errors ?? []).map((e) => e.extensions?.code ?? "NONE");
  // A broken test operation would pass every "not FORBIDDEN" check.
  expect(found).not.toContain("GRAPHQL_VALIDATION_FAILED");
  return found;
}

describe("auth policy covers the schema", () => {
  it("has a rule for every root field, and the test table covers every one", () => {
    const fields = schemaFields(loadTypeDefs());
    expect(fields.Query.filter((f) => !POLICY.Query[f])).toEqual([]);
    expect(fields.Mutation.filter((f) => !POLICY.Mutation[f])).toEqual([]);
    expect(fields.Query.filter((f) => !QUERIES[f]).sort()).toEqual([]);
    expect(fields.Mutation.filter((f) => !MUTATIONS[f]).sort()).toEqual([]);
    for (const c of [...Object.values(QUERIES), ...Object.values(MUTATIONS)]) expect(() => parse(c.query)).not.toThrow();
  });
});

describe("user tokens and rate buckets", () => {
  const secret = Buffer.alloc(32, 7);
  it("verifies its own tokens and refuses tampered, foreign and expired ones", () => {
    const token = issueUserToken(secret, { sub: "ann", exp: 1000, iss: "k1" });
    expect(verifyUserToken(secret, token, 999)).toEqual({ ok: true, claims: { sub: "ann", exp: 1000, iss: "k1" } });
    expect(verifyUserToken(secret, token, 1000)).toEqual({ ok: false, why: "the user token has expired" });
    expect(verifyUserToken(Buffer.alloc(32, 8), token, 999)).toEqual({ ok: false, why: "the user token's signature is not valid" });
    const [ut, , sig] = token.split(".");
    const forged = `${ut}.${Buffer.from(JSON.stringify({ sub: "u1", exp: 1000, iss: "k1" })).toString("base64url")}.${sig}`;
    expect(verifyUserToken(secret, forged, 999)).toEqual({ ok: false, why: "the user token's signature is not valid" });
    expect(verifyUserToken(secret, "nonsense", 999)).toEqual({ ok: false, why: "the user token is malformed" });
  });

  it("lets a burst through, then refuses with the seconds to wait, then refills", () => {
    const limiter = new RateLimiter();
    const limit = { perSecond: 2, burst: 4 };
    const waits = [0, 1, 2, 3, 4].map(() => limiter.take("k", limit, 10_000));
    expect(waits).toEqual([0, 0, 0, 0, 1]);
    // Half a second later one token is back.
    expect(limiter.take("k", limit, 10_500)).toBe(0);
    expect(limiter.take("k", limit, 10_500)).toBe(1);
    expect(limiter.take("other", limit, 10_500)).toBe(0);
  });

  it("is on in production whatever MARQUEE_AUTH says, and off by default otherwise", () => {
    expect(loadConfig({}).auth.enabled).toBe(false);
    expect(loadConfig({ NODE_ENV: "production" }).auth.enabled).toBe(true);
    expect(() => loadConfig({ NODE_ENV: "production", MARQUEE_AUTH: "off" })).toThrow(ConfigError);
    expect(loadConfig({ NODE_ENV: "production" })).toMatchObject({ introspection: false, graphiql: false });
    expect(loadConfig({ NODE_ENV: "production", MARQUEE_INTROSPECTION: "true" }).introspection).toBe(true);
    expect(() => loadConfig({ MARQUEE_TOKEN_SECRET: "short" })).toThrow("MARQUEE_TOKEN_SECRET must be at least 32 characters; got 5");
  });
});

describe.each(databaseTargets())("roles against every operation on %s", (target) => {
  let t: TestDatabase;
  let server: TestServer;
  beforeAll(async () => {
    t = await openTestDatabase(target);
    await importCatalog(t.db, tinyCatalog());
    server = await startTestServer(t.db, { MARQUEE_AUTH: "on" });
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
    await t?.dispose();
  });

  const every = [
    ...Object.entries(QUERIES).map(([field, c]) => ["Query", field, c] as const),
    ...Object.entries(MUTATIONS).map(([field, c]) => ["Mutation", field, c] as const),
  ];

  it.each(every)("%s.%s: admin and service as the policy says", async (op, field, c) => {
    const admin = await server.run(c.query, undefined, ADMIN);
    expect(codes(admin)).not.toContain("FORBIDDEN");
    const service = await server.run(c.query, undefined, SERVICE);
    if (SERVICE_REFUSED.has(field)) {
      const kind = op === "Query" ? "query" : "mutation";
      expect(service).toEqual({ data: null, errors: [expect.objectContaining({ message: `A service key may not call ${kind} ${field}`, extensions: { code: "FORBIDDEN" } })] });
    } else {
      expect(codes(service)).not.toContain("FORBIDDEN");
    }
  });

  it.each(every)("%s.%s: a client for ann", async (op, field, c) => {
    const own = await server.run(c.query, undefined, CLIENT);
    if (!CLIENT_ALLOWED.has(field)) {
      expect(own.errors).toEqual([
        expect.objectContaining({ message: `A client key may not call ${op === "Query" ? "query" : "mutation"} ${field}`, extensions: { code: "FORBIDDEN" } }),
      ]);
      return;
    }
    expect(codes(own)).not.toContain("FORBIDDEN");
    if (c.other) {
      const other = await server.run(c.other, undefined, CLIENT);
      expect(other.errors).toEqual([
        expect.objectContaining({ message: `A client key acts for user "ann" only; ${field} asked about "u1"`, extensions: { code: "FORBIDDEN" } }),
      ]);
    }
  });

  it("keeps a client from reading other users below the root, but not their ids", async () => {
    const answer = await server.run(`{ me: user(id: "ann") { id attributes interactions(first: 5) { totalCount } } }`, undefined, CLIENT);
    expect(answer).toEqual({ data: { me: { id: "ann", attributes: {}, interactions: { totalCount: expect.any(Number) } } } });
    const nested = await server.run(`{ similarUsers(userId: "ann", first: 1) { user { id interactions { totalCount } } } }`, undefined, CLIENT);
    const errorCodes = codes(nested);
    if (nested.data.similarUsers.length > 0) {
      expect(errorCodes).toEqual(["FORBIDDEN"]);
      expect(nested.errors![0].message).toMatch(/^A client key acts for user "ann" only; it may read only the id of user "/);
    }
    const viaInteraction = await server.run(`{ user(id: "ann") { interactions(first: 1) { nodes { user { id attributes } } } } }`, undefined, CLIENT);
    expect(codes(viaInteraction)).toEqual([]);
  });

  it("says who is asking", async () => {
    expect(await server.run(`{ viewer { role authEnabled keyId userId } }`, undefined, CLIENT)).toEqual({
      data: { viewer: { role: "client", authEnabled: true, keyId: "k-client", userId: "ann" } },
    });
  });
});

describe.each(databaseTargets())("API keys over HTTP on %s", (target) => {
  let t: TestDatabase;
  let app: App;
  let keys: { admin: string; service: string; client: string; revoked: string };
  beforeAll(async () => {
    t = await openTestDatabase(target);
    await importCatalog(t.db, tinyCatalog());
    keys = {
      admin: (await createApiKey(t.db, { role: "admin", name: "ops" })).key,
      service: (await createApiKey(t.db, { role: "service", name: "backend" })).key,
      client: (await createApiKey(t.db, { role: "client", name: "ios" })).key,
      revoked: "",
    };
    const revoked = await createApiKey(t.db, { role: "service", name: "old" });
    await revokeApiKey(t.db, revoked.id);
    keys.revoked = revoked.key;
    app = await startHttpApp(t.db, { MARQUEE_AUTH: "on", MARQUEE_RATE_LIMIT_CLIENT: "1", MARQUEE_WORKER: "false" });
  }, 120_000);
  afterAll(async () => {
    await app?.stop();
    await t?.dispose();
  });

  const post = (query: string, headers: Record<string, string> = {}) => postGraphQL(app.url, { query }, headers);

  it("refuses a request without a key, with a malformed header, an unknown or a revoked key: 401 UNAUTHENTICATED", async () => {
    const none = await post(`{ ok }`);
    expect(none.status).toBe(401);
    expect(none.json).toEqual({ errors: [{ message: "An API key is required: send the header Authorization: Bearer <key>", extensions: { code: "UNAUTHENTICATED" } }] });
    const malformed = await post(`{ ok }`, { authorization: "Basic abc" });
    expect(malformed.json.errors[0]).toEqual({ message: "The Authorization header must be: Bearer <key>", extensions: { code: "UNAUTHENTICATED" } });
    const bad = "The API key is not valid (unknown, revoked or malformed)";
    for (const key of ["nope", `mq_000000000000_${"A".repeat(43)}`, keys.revoked, keys.admin.slice(0, -1) + (keys.admin.endsWith("A") ? "B" : "A")]) {
      const answer = await post(`{ ok }`, { authorization: `Bearer ${key}` });
      expect([answer.status, answer.json]).toEqual([401, { errors: [{ message: bad, extensions: { code: "UNAUTHENTICATED" } }] }]);
    }
  });

  it("serves admin and service keys, and logs the key's id but never the key", async () => {
    const answer = await post(`{ viewer { role } }`, { authorization: `Bearer ${keys.service}` });
    expect([answer.status, answer.json]).toEqual([200, { data: { viewer: { role: "service" } } }]);
    const forbidden = await post(`mutation { deleteUser(id: "jo") { id } }`, { authorization: `Bearer ${keys.service}` });
    expect(forbidden.json.errors.map((e: any) => e.extensions.code)).toEqual(["FORBIDDEN"]);
    const logs = JSON.stringify((app as App & { logs: unknown[] }).logs);
    expect(logs).not.toContain(keys.service);
    expect(logs).toContain(keys.service.split("_")[1]);
  });

  it("lets a service issue a user token that a client key uses for that user only", async () => {
    const issued = await post(`mutation { issueUserToken(userId: "ann", ttlSeconds: 600) { token userId expiresAt } }`, { authorization: `Bearer ${keys.service}` });
    const { token } = issued.json.data.issueUserToken;
    expect(issued.json.data.issueUserToken).toEqual({ token: expect.stringMatching(/^ut\./), userId: "ann", expiresAt: expect.any(String) });
    const noToken = await post(`{ user(id: "ann") { id } }`, { authorization: `Bearer ${keys.client}` });
    expect([noToken.status, noToken.json.errors[0].extensions.code]).toEqual([401, "UNAUTHENTICATED"]);
    const mine = await post(`{ user(id: "ann") { id } }`, { authorization: `Bearer ${keys.client}`, "x-user-token": token });
    expect(mine.json).toEqual({ data: { user: { id: "ann" } } });
    // The client's rate is 1/s with a burst of 2: the third request at once is refused.
    const third = await post(`{ user(id: "u1") { id } }`, { authorization: `Bearer ${keys.client}`, "x-user-token": token });
    const fourth = await post(`{ ok }`, { authorization: `Bearer ${keys.client}`, "x-user-token": token });
    const statuses = [third.status, fourth.status];
    expect(statuses).toContain(429);
    const limited = third.status === 429 ? third : fourth;
    expect(limited.json).toEqual({ errors: [{ message: expect.stringMatching(/^Rate limit of this key exceeded; retry in \d+ s$/), extensions: { code: "TOO_MANY_REQUESTS" } }] });
    const raw = await fetch(app.url, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${keys.client}`, "x-user-token": token }, body: `{"query":"{ ok }"}` });
    expect([raw.status, raw.headers.get("retry-after")]).toEqual([429, "1"]);
    await raw.text();
    const badTtl = await post(`mutation { issueUserToken(userId: "ann", ttlSeconds: 5) { token } }`, { authorization: `Bearer ${keys.admin}` });
    expect(badTtl.json.errors[0]).toMatchObject({ message: "Invalid ttlSeconds: must be from 60 to 86400; got 5", extensions: { code: "BAD_USER_INPUT", argument: "ttlSeconds" } });
  });
});

describe.each(databaseTargets())("user tokens end with their issuing key and their user on %s", (target) => {
  let t: TestDatabase;
  let app: App;
  let keys: { admin: string; service: string; client: string; serviceId: string };
  const unlimited = { perSecond: 0, burst: 1 };
  const config: AuthConfig = { enabled: true, tokenSecret: undefined, maxUserTokenSeconds: 86_400, rateLimits: { client: unlimited, service: unlimited, admin: unlimited } };
  beforeAll(async () => {
    t = await openTestDatabase(target);
    await importCatalog(t.db, tinyCatalog());
    const service = await createApiKey(t.db, { role: "service", name: "backend" });
    keys = {
      admin: (await createApiKey(t.db, { role: "admin", name: "ops" })).key,
      service: service.key,
      serviceId: service.id,
      client: (await createApiKey(t.db, { role: "client", name: "ios" })).key,
    };
    app = await startHttpApp(t.db, { MARQUEE_AUTH: "on", MARQUEE_RATE_LIMIT_CLIENT: "0", MARQUEE_WORKER: "false" });
  }, 120_000);
  afterAll(async () => {
    await app?.stop();
    await t?.dispose();
  });

  const post = (query: string, headers: Record<string, string> = {}) => postGraphQL(app.url, { query }, headers);
  const asClient = (token: string) => ({ authorization: `Bearer ${keys.client}`, "x-user-token": token });
  const issue = async (userId: string, key = keys.service): Promise<string> =>
    (await post(`mutation { issueUserToken(userId: "${userId}", ttlSeconds: 600) { token } }`, { authorization: `Bearer ${key}` })).json.data.issueUserToken.token;
  const refused = (message: string) => [401, { errors: [{ message, extensions: { code: "UNAUTHENTICATED" } }] }];

  it("refuses the tokens of a revoked key within the key cache's 5 s, on every replica", async () => {
    const old = await createApiKey(t.db, { role: "service", name: "to-revoke" });
    const token = await issue("ann", old.key);
    const headers = { authorization: `Bearer ${keys.client}`, "x-user-token": token };
    const now = Date.now();
    // A replica of its own (its own caches), with a clock we move.
    const replica = createAuthenticator(t.db, config);
    expect(await replica.authenticate(headers, now)).toEqual({ role: "client", keyId: keys.client.split("_")[1], userId: "ann" });
    await revokeApiKey(t.db, old.id);
    // Cached for 5 s, then refused.
    expect(await replica.authenticate(headers, now + 4_000)).toMatchObject({ userId: "ann" });
    await expect(replica.authenticate(headers, now + 5_001)).rejects.toMatchObject({
      code: "UNAUTHENTICATED",
      status: 401,
      message: "the key that issued this user token is revoked or unknown; ask your service for a new one",
    });
    // A token naming a key that never existed, or a client key, is refused although its signature is good.
    const secret = await replica.tokenSecret();
    for (const iss of ["000000000000", keys.client.split("_")[1], "open"]) {
      const forged = issueUserToken(secret, { sub: "ann", exp: Math.floor(now / 1000) + 600, iss, iat: now / 1000 });
      await expect(replica.authenticate({ ...headers, "x-user-token": forged }, now)).rejects.toMatchObject({ code: "UNAUTHENTICATED" });
    }
  });

  it("revokes a user's tokens when the user is deleted: no reading, no re-creating; a new token works", async () => {
    const token = await issue("jo");
    expect(await post(`{ user(id: "jo") { id } }`, asClient(token))).toMatchObject({ status: 200, json: { data: { user: { id: "jo" } } } });
    expect((await post(`mutation { deleteUser(id: "jo") { id } }`, { authorization: `Bearer ${keys.admin}` })).json).toEqual({ data: { deleteUser: { id: "jo" } } });
    const message = "this user token was revoked when its user was deleted; ask your service for a new one";
    const read = await post(`{ user(id: "jo") { id } }`, asClient(token));
    expect([read.status, read.json]).toEqual(refused(message));
    const record = await post(`mutation { recordInteractions(interactions: [{ userId: "jo", itemId: "s1", type: VIEW }]) { createdUsers } }`, asClient(token));
    expect([record.status, record.json]).toEqual(refused(message));
    expect(await t.db.sql.query(`SELECT id FROM users WHERE external_id = 'jo'`)).toEqual([]);
    // The revocation stores no user id, only its HMAC under the token secret.
    const rows = await t.db.sql.query<{ subject_hash: Uint8Array }>(`SELECT subject_hash FROM user_token_revocations`);
    expect(rows).toHaveLength(1);
    expect(Buffer.from(rows[0].subject_hash).toString("latin1")).not.toContain("jo");
    // A token issued after the deletion is the service's decision: it works and may re-create the user.
    const fresh = await issue("jo");
    const again = await post(`mutation { recordInteractions(interactions: [{ userId: "jo", itemId: "s1", type: VIEW }]) { createdUsers } }`, asClient(fresh));
    expect(again.json).toEqual({ data: { recordInteractions: { createdUsers: 1 } } });
  });

  it("tells other replicas through the database, refuses old tokens without an issue time, and prunes what no token can predate", async () => {
    const token = await issue("ann");
    const now = Date.now();
    const replica = createAuthenticator(t.db, config);
    const headers = asClient(token);
    expect(await replica.authenticate(headers, now)).toMatchObject({ userId: "ann" });
    const secret = await replica.tokenSecret();
    // A token from before issue times were recorded (no iat), for a user deleted later.
    const legacy = issueUserToken(secret, { sub: "ann", exp: Math.floor(now / 1000) + 600, iss: keys.serviceId });
    expect(await post(`mutation { deleteUser(id: "ann") { id } }`, { authorization: `Bearer ${keys.admin}` })).toMatchObject({ json: { data: { deleteUser: { id: "ann" } } } });
    // The other replica refreshed its snapshot at `now`; it sees the deletion once that is 5 s old.
    await expect(replica.authenticate(headers, now + 5_001)).rejects.toMatchObject({ message: "this user token was revoked when its user was deleted; ask your service for a new one" });
    await expect(replica.authenticate({ ...headers, "x-user-token": legacy }, now + 5_001)).rejects.toMatchObject({ code: "UNAUTHENTICATED" });
    // Revocations older than the longest token lifetime are dropped at the next deletion.
    await t.db.sql.query(`UPDATE user_token_revocations SET revoked_at = revoked_at - interval '2 days'`);
    await post(`mutation { deleteUser(id: "u5") { id } }`, { authorization: `Bearer ${keys.admin}` });
    expect(await t.db.sql.query(`SELECT count(*)::int AS n FROM user_token_revocations`)).toEqual([{ n: 1 }]);
  });
});

describe.each(databaseTargets())("the keys CLI on %s", (target) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await openTestDatabase(target);
  }, 120_000);
  afterAll(async () => {
    await t?.dispose();
  });

  it("creates, lists and revokes keys, storing only a hash", async () => {
    if (target !== "postgres") return; // the CLI opens its own connection: needs a URL (PGlite is one process)
    const env = { DATABASE_URL: t.url } as Record<string, string>;
    const out: string[] = [];
    await runKeys(["create", "--role", "service", "--name", "backend"], (l) => out.push(l), env);
    expect(out[0]).toMatch(/^created service key [0-9a-f]{12} \(backend\); it is shown only now:$/);
    const key = out[1];
    expect(key).toMatch(/^mq_[0-9a-f]{12}_[A-Za-z0-9_-]{43}$/);
    const id = key.split("_")[1];
    const stored = await t.db.sql.query<{ secret_hash: Uint8Array }>(`SELECT secret_hash FROM api_keys WHERE id = $1`, [id]);
    expect(Buffer.from(stored[0].secret_hash).toString("base64url")).not.toContain(key.slice("mq_".length + id.length + 1)); // the whole secret (base64url may itself contain "_")
    out.length = 0;
    await runKeys(["list"], (l) => out.push(l), env);
    expect(out.join("\n")).toMatch(new RegExp(`^${id}  service  \\S+  active  backend$`, "m"));
    out.length = 0;
    await runKeys(["revoke", id], (l) => out.push(l), env);
    expect(out).toEqual([`revoked ${id} (every replica refuses it within 5 s)`]);
    await expect(runKeys(["create", "--role", "root", "--name", "x"], () => undefined, env)).rejects.toThrow("--role must be one of admin, service, client");
  });
});
