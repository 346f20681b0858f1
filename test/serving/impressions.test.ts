// Impressions and attribution over real HTTP: every recommendation answer
// carries one impressionId and is logged (in batches, never a statement on
// the request), interactions name the answer they came from or are
// attributed to the user's latest answer showing the item within the
// window; unknown and foreign ids are refused with nothing written; the
// buffer's overflow and a database refusing a batch are counted, and
// stopping the app writes what is left.
import crypto from "node:crypto";
import { BACKGROUND_STATEMENTS, countStatements, databaseTargets, openTestDatabase, type TestDatabase } from "../support/testDatabase";
import { postGraphQL, startHttpApp } from "../support/testServer";
import type { App } from "../../src/app";
import { importCatalog } from "../../src/services/importService";
import { tinyCatalog } from "./support/tinyCatalog";
import { trainAndActivate } from "./support/trainAndServe";
import { createApiKey } from "../../src/auth/apiKeys";
import { impressionLogOf } from "../../src/serving/impressionLog";
import { insertImpressions } from "../../src/db/impressionRepository";

const RECORD = `mutation($i: [InteractionInput!]!) { recordInteractions(interactions: $i) { accepted created updated unchanged createdUsers } }`;

// Leaves out the API key and revocation caches' refreshes (every 5 s, whichever request that falls on).
const own = (statements: string[]) => statements.filter((s) => !BACKGROUND_STATEMENTS.test(s));

function sample(metrics: string, series: string): number {
  const line = metrics.split("\n").find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : 0;
}

describe.each(databaseTargets())("impressions and attribution on %s", (target) => {
  let t: TestDatabase;
  let app: (App & { logs: unknown[] }) | undefined;
  let service: Record<string, string>;
  let client: string;
  const post = (query: string, variables?: Record<string, unknown>, headers: Record<string, string> = service) =>
    postGraphQL(app!.url, { query, variables }, headers);
  const metrics = async () => (await fetch(app!.url.replace(/\/graphql$/, "/metrics"))).text();
  const flush = () => impressionLogOf(app!.db)!.flush();
  const userIdOf = async (externalId: string) => (await t.db.sql.query<{ id: number }>(`SELECT id FROM users WHERE external_id = $1`, [externalId]))[0].id;

  beforeAll(async () => {
    t = await openTestDatabase(target);
    await importCatalog(t.db, tinyCatalog());
    await trainAndActivate(t.db, ["popular", "item-knn"]);
    service = { authorization: `Bearer ${(await createApiKey(t.db, { role: "service", name: "backend" })).key}` };
    client = (await createApiKey(t.db, { role: "client", name: "app" })).key;
    app = await startHttpApp(t.db, { MARQUEE_AUTH: "on", MARQUEE_WORKER: "false", MARQUEE_RATE_LIMIT_CLIENT: "0" });
  }, 120_000);
  afterAll(async () => {
    await app?.stop();
    await t?.dispose();
  });

  it("gives every answer one impressionId, shared by its items (a page's by its rails), and logs what it showed", async () => {
    const answer = await post(`{
      recommendations(userId: "u1", first: 2, strategy: ITEM_KNN) { rank score item { id } impressionId }
      users(ids: ["u2"]) { recommendations(first: 2, strategy: POPULAR) { impressionId } upNext(first: 1) { impressionId } }
      upNext(context: { items: ["s1"] }, first: 1) { impressionId }
      similarItems(itemId: "s1", first: 2) { item { id } impressionId }
      item(id: "c1") { similar(first: 1) { impressionId } }
      page(userId: "u3", rails: [{ kind: RECOMMENDED, first: 2, strategy: POPULAR }, { kind: TRENDING, first: 1, window: ALL_TIME }]) {
        impressionId rails { items { rank item { id } impressionId } }
      }
    }`);
    expect(answer.json.errors).toBeUndefined();
    const d = answer.json.data;
    const ids = [
      d.recommendations[0].impressionId,
      d.users[0].recommendations[0].impressionId,
      d.users[0].upNext[0].impressionId,
      d.upNext[0].impressionId,
      d.similarItems[0].impressionId,
      d.item.similar[0].impressionId,
      d.page.impressionId,
    ];
    // UUIDv7: the time first (so the key index grows at one end), then random bits.
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(Math.abs(parseInt(ids[0].replace(/-/g, "").slice(0, 12), 16) - Date.now())).toBeLessThan(60_000);
    expect(new Set(ids).size).toBe(ids.length);
    expect(d.recommendations[1].impressionId).toBe(d.recommendations[0].impressionId);
    expect(d.users[0].recommendations[1].impressionId).toBe(ids[1]);
    expect(d.page.rails.flatMap((r: any) => r.items.map((i: any) => i.impressionId))).toEqual([ids[6], ids[6], ids[6]]);

    // Nothing is written on the request: the buffer holds them until a batch goes.
    expect(impressionLogOf(app!.db)!.buffered).toBe(7);
    await flush();
    const rows = await t.db.sql.query<{ id: string; user: string | null; surface: string; strategy: string | null; model: string | null; items: string }>(
      `SELECT im.id::text, u.external_id AS user, im.surface, im.strategy, im.model,
              string_agg(it.external_id || ':' || im.ranks[s.k] || ':' || coalesce(im.rails[s.k]::text, '-'), ' ' ORDER BY s.k) AS items
         FROM impressions im LEFT JOIN users u ON u.id = im.user_id
         CROSS JOIN LATERAL unnest(im.item_ids) WITH ORDINALITY AS s(item_id, k) JOIN items it ON it.id = s.item_id
        WHERE im.id = ANY($1::uuid[]) GROUP BY im.id, u.external_id`,
      [ids],
    );
    const byId = new Map(rows.map((r) => [r.id, r]));
    const rec = d.recommendations.map((r: any) => `${r.item.id}:${r.rank}:-`).join(" ");
    expect(byId.get(ids[0])).toEqual({ id: ids[0], user: "u1", surface: "recommendations", strategy: "ITEM_KNN", model: "item-knn@1", items: rec });
    expect(byId.get(ids[1])).toMatchObject({ user: "u2", surface: "recommendations", strategy: "POPULAR", model: "popular@1" });
    expect(byId.get(ids[2])).toMatchObject({ user: "u2", surface: "upNext", strategy: "SEQUENTIAL" });
    expect(byId.get(ids[3])).toMatchObject({ user: null, surface: "upNext", strategy: "SEQUENTIAL" });
    expect(byId.get(ids[4])).toMatchObject({ user: null, surface: "similarItems", strategy: "ITEM_KNN", items: d.similarItems.map((r: any, k: number) => `${r.item.id}:${k + 1}:-`).join(" ") });
    expect(byId.get(ids[5])).toMatchObject({ user: null, surface: "similarItems" });
    const pageItems = d.page.rails.flatMap((r: any, k: number) => r.items.map((i: any) => `${i.item.id}:${i.rank}:${k}`)).join(" ");
    expect(byId.get(ids[6])).toEqual({ id: ids[6], user: "u3", surface: "page", strategy: null, model: null, items: pageItems });
    // The arrays line up: as many ranks and scores as items.
    const ragged = await t.db.sql.query(`SELECT 1 FROM impressions WHERE cardinality(ranks) <> cardinality(item_ids) OR cardinality(scores) <> cardinality(item_ids)`);
    expect(ragged).toEqual([]);
  });

  it("writes scores PostgreSQL's real would refuse (denormal, huge, not a number) as the nearest it takes", async () => {
    const id = crypto.randomUUID();
    const item = (await t.db.sql.query<{ id: number }>(`SELECT id FROM items ORDER BY id LIMIT 1`))[0].id;
    await insertImpressions(t.db, [
      { id, userId: null, userKey: null, surface: "similarItems", strategy: null, model: null, shownAt: new Date(), itemIds: [item, item, item, item], ranks: [1, 2, 3, 4], rails: null, scores: [1e-40, 1e39, NaN, 0.25] },
    ]);
    expect(await t.db.sql.query(`SELECT scores FROM impressions WHERE id = $1`, [id])).toEqual([{ scores: [0, 3e38, 0, 0.25] }]);
    await t.db.sql.query(`DELETE FROM impressions WHERE id = $1`, [id]);
  });

  it("sends no statement for the impression on a warm request, and writes a batch in one transaction of two", async () => {
    const query = `{ recommendations(userId: "u1", first: 3, strategy: POPULAR) { item { id } impressionId } }`;
    await post(query);
    await flush();
    const warm = await countStatements(t.db, () => post(query));
    expect(own(warm.statements)).toEqual([]);
    for (let k = 0; k < 4; k++) await post(query);
    const written = await countStatements(t.db, () => flush());
    // In one transaction: the lock that keeps deleteUser out (privacy test), then the rows and rollups.
    expect(written.statements).toHaveLength(2);
    expect(written.statements[0]).toMatch(/^SELECT 1 AS locked FROM pg_advisory_xact_lock_shared\(/);
    expect(written.statements[1]).toMatch(/INSERT INTO impressions[\s\S]*INSERT INTO impression_hourly[\s\S]*INSERT INTO impression_rank_hourly/);
  });

  it("accepts an id just returned (recommend, then record at once), with the item's rank and the client's position", async () => {
    const shown = await post(`{ recommendations(userId: "u3", first: 3, strategy: POPULAR) { rank item { id } impressionId } }`);
    const [, second] = shown.json.data.recommendations;
    expect(impressionLogOf(app!.db)!.buffered).toBe(1);
    const recorded = await post(RECORD, { i: [{ userId: "u3", itemId: second.item.id, type: "PLAY", impressionId: second.impressionId.toUpperCase(), position: 7 }] });
    expect(recorded.json).toEqual({ data: { recordInteractions: { accepted: 1, created: 1, updated: 0, unchanged: 0, createdUsers: 0 } } });
    const rows = await t.db.sql.query(
      `SELECT a.impression_id::text AS impression, a.position, a.rank, a.inferred, i.type::text AS type
         FROM interaction_attributions a JOIN interactions i ON i.id = a.interaction_id JOIN items it ON it.id = i.item_id
        WHERE i.user_id = $1 AND it.external_id = $2`,
      [await userIdOf("u3"), second.item.id],
    );
    expect(rows).toEqual([{ impression: second.impressionId, position: 7, rank: 2, inferred: false, type: "PLAY" }]);
    const PLAYS = `marquee_attributed_interactions_total{surface="recommendations",type="PLAY",how="named"}`;
    const counted = sample(await metrics(), PLAYS);
    expect(counted).toBeGreaterThanOrEqual(1);
    // The same event sent again (a client's retry) is attributed once: neither the counter nor the rollup counts it twice.
    const rollup = async () => Number((await t.db.sql.query<{ n: string }>(`SELECT coalesce(sum(play), 0)::text AS n FROM impression_rank_hourly WHERE surface = 'recommendations'`))[0].n);
    const plays = await rollup();
    const occurredAt = (await t.db.sql.query<{ at: Date }>(`SELECT i.occurred_at AS at FROM interactions i JOIN items it ON it.id = i.item_id WHERE i.user_id = $1 AND it.external_id = $2`, [await userIdOf("u3"), second.item.id]))[0].at;
    const again = await post(RECORD, { i: [{ userId: "u3", itemId: second.item.id, type: "PLAY", impressionId: second.impressionId, position: 7, occurredAt: new Date(occurredAt).toISOString() }] });
    expect(again.json).toEqual({ data: { recordInteractions: { accepted: 1, created: 0, updated: 0, unchanged: 1, createdUsers: 0 } } });
    expect(sample(await metrics(), PLAYS)).toBe(counted);
    expect(await rollup()).toBe(plays);
  });

  it("attributes feedback without an id to the user's latest answer showing the item within the window", async () => {
    const older = await post(`{ recommendations(userId: "u4", first: 3, strategy: POPULAR) { item { id } impressionId } }`);
    const newer = await post(`{ recommendations(userId: "u4", first: 3, strategy: POPULAR) { item { id } impressionId } }`);
    const item = newer.json.data.recommendations[2].item.id;
    expect(older.json.data.recommendations[2].item.id).toBe(item);
    const now = Date.now();
    const at = (hours: number) => new Date(now + hours * 3_600_000).toISOString();
    const recorded = await post(RECORD, {
      i: [
        { userId: "u4", itemId: item, type: "VIEW", occurredAt: at(1) }, // within 24 h: the newer answer
        { userId: "u4", itemId: item, type: "LIKE", occurredAt: at(25) }, // 25 h later: outside the window
        { userId: "u4", itemId: item, type: "SKIP", occurredAt: at(-1) }, // before it was shown
        { userId: "u4", itemId: "j1", type: "VIEW", occurredAt: at(1) }, // an item no answer showed u4
      ],
    });
    expect(recorded.json.data.recordInteractions.created).toBe(4);
    const rows = await t.db.sql.query(
      `SELECT i.type::text AS type, it.external_id AS item, a.impression_id::text AS impression, a.rank, a.inferred
         FROM interactions i JOIN items it ON it.id = i.item_id LEFT JOIN interaction_attributions a ON a.interaction_id = i.id
        WHERE i.user_id = $1 AND i.occurred_at > now() - interval '2 hours' ORDER BY i.occurred_at, it.external_id`,
      [await userIdOf("u4")],
    );
    expect(rows).toEqual([
      { type: "SKIP", item, impression: null, rank: null, inferred: null },
      { type: "VIEW", item: "j1", impression: null, rank: null, inferred: null },
      { type: "VIEW", item, impression: newer.json.data.recommendations[0].impressionId, rank: 3, inferred: true },
      { type: "LIKE", item, impression: null, rank: null, inferred: null },
    ]);
    // Re-sending the event naming the older answer replaces the inferred attribution.
    const named = await post(RECORD, { i: [{ userId: "u4", itemId: item, type: "VIEW", occurredAt: at(1), impressionId: older.json.data.recommendations[0].impressionId }] });
    expect(named.json.data.recordInteractions.unchanged).toBe(1);
    const [again] = await t.db.sql.query(
      `SELECT a.impression_id::text AS impression, a.inferred FROM interaction_attributions a JOIN interactions i ON i.id = a.interaction_id
        WHERE i.user_id = $1 AND i.type = 'VIEW' AND i.item_id = (SELECT id FROM items WHERE external_id = $2)`,
      [await userIdOf("u4"), item],
    );
    expect(again).toEqual({ impression: older.json.data.recommendations[0].impressionId, inferred: false });
  });

  it("refuses unknown, foreign and malformed ids, naming the field, and writes nothing of the batch", async () => {
    const mine = (await post(`{ recommendations(userId: "u2", first: 1, strategy: POPULAR) { impressionId } }`)).json.data.recommendations[0].impressionId;
    const theirs = (await post(`{ recommendations(userId: "u1", first: 1, strategy: POPULAR) { impressionId } }`)).json.data.recommendations[0].impressionId;
    const anonymous = (await post(`{ similarItems(itemId: "c1", first: 1) { impressionId } }`)).json.data.similarItems[0].impressionId;
    const count = async () => (await t.db.sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM interactions`))[0].n;
    const before = await count();
    const attributionsBefore = (await t.db.sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM interaction_attributions`))[0].n;
    const unknown = crypto.randomUUID();
    const cases: [unknown, string, string][] = [
      [unknown, "interactions[3].impressionId", `Invalid interactions[3].impressionId: no such impression; got "${unknown}"`],
      [theirs, "interactions[3].impressionId", `Invalid interactions[3].impressionId: the impression was not shown to user "u2"; got "${theirs}"`],
      ["not-a-uuid", "interactions[3].impressionId", `Invalid interactions[3].impressionId: not an impression id this server gave; got "not-a-uuid"`],
    ];
    for (const [bad, argument, message] of cases) {
      const answer = await post(RECORD, {
        i: [
          { userId: "u2", itemId: "c1", type: "PLAY", impressionId: mine },
          { userId: "newcomer", itemId: "c2", type: "PLAY" },
          { userId: "u2", itemId: "c3", type: "PLAY", impressionId: anonymous },
          { userId: "u2", itemId: "c2", type: "PLAY", impressionId: bad },
        ],
      });
      expect(answer.json).toEqual({ data: null, errors: [{ message, locations: expect.any(Array), path: ["recordInteractions"], extensions: { code: "BAD_USER_INPUT", argument } }] });
    }
    const position = await post(RECORD, { i: [{ userId: "u2", itemId: "c1", type: "PLAY", impressionId: mine, position: 0 }] });
    expect(position.json.errors[0].extensions).toEqual({ code: "BAD_USER_INPUT", argument: "interactions[0].position" });
    expect(await count()).toBe(before);
    expect(await t.db.sql.query(`SELECT 1 FROM users WHERE external_id = 'newcomer'`)).toEqual([]);
    expect((await t.db.sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM interaction_attributions`))[0].n).toBe(attributionsBefore);
    // An anonymous answer (similar items) may be named by any user.
    const ok = await post(RECORD, { i: [{ userId: "u2", itemId: "c3", type: "PLAY", impressionId: anonymous }, { userId: "u2", itemId: "c1", type: "PLAY", impressionId: mine }] });
    expect(ok.json.data.recordInteractions.created).toBe(2);
  });

  it("lets a client token attribute only its own user's answers", async () => {
    const issued = await post(`mutation { issueUserToken(userId: "ann", ttlSeconds: 600) { token } }`);
    const asAnn = { authorization: `Bearer ${client}`, "x-user-token": issued.json.data.issueUserToken.token };
    const own = (await post(`{ recommendations(userId: "ann", first: 1, strategy: POPULAR) { item { id } impressionId } }`, undefined, asAnn)).json.data.recommendations[0];
    const u1s = (await post(`{ recommendations(userId: "u1", first: 1, strategy: POPULAR) { impressionId } }`)).json.data.recommendations[0].impressionId;
    const foreign = await post(RECORD, { i: [{ userId: "ann", itemId: own.item.id, type: "PLAY", impressionId: u1s }] }, asAnn);
    expect(foreign.json.errors).toEqual([expect.objectContaining({ extensions: { code: "BAD_USER_INPUT", argument: "interactions[0].impressionId" } })]);
    const forUser1 = await post(RECORD, { i: [{ userId: "u1", itemId: own.item.id, type: "PLAY", impressionId: u1s }] }, asAnn);
    expect(forUser1.json.errors[0].extensions.code).toBe("FORBIDDEN");
    const ownAnswer = await post(RECORD, { i: [{ userId: "ann", itemId: own.item.id, type: "PLAY", impressionId: own.impressionId }] }, asAnn);
    expect(ownAnswer.json).toEqual({ data: { recordInteractions: { accepted: 1, created: 1, updated: 0, unchanged: 0, createdUsers: 0 } } });
  });

  it("costs recordInteractions the same statements for 1 and 20 interactions naming answers", async () => {
    const items = ["s1", "s2", "s3", "s4", "c1", "c2", "c3", "j1", "n1"];
    const shown = (await post(`{ recommendations(userId: "u5", first: 5, strategy: POPULAR) { item { id } impressionId } }`)).json.data.recommendations;
    const batch = (n: number, day: number, impressionId = shown[0].impressionId) =>
      Array.from({ length: n }, (_, k) => ({
        userId: "u5",
        itemId: items[k % items.length],
        type: "VIEW",
        occurredAt: new Date(Date.UTC(2026, 5, day, 0, k)).toISOString(),
        ...(k % 2 === 0 ? { impressionId, position: k + 1 } : {}),
      }));
    await flush();
    const one = await countStatements(t.db, () => post(RECORD, { i: batch(1, 1) }));
    const twenty = await countStatements(t.db, () => post(RECORD, { i: batch(20, 2) }));
    expect(twenty.result.json.data.recordInteractions.created).toBe(20);
    const shape = (statements: string[]) => own(statements).map((s) => s.replace(/\s+/g, " ").slice(0, 60));
    expect(shape(twenty.statements)).toEqual(shape(one.statements));
    // Of which: the named answers' owners once, the attributions once.
    expect(one.statements.filter((s) => /FROM impressions im LEFT JOIN users/.test(s))).toHaveLength(1);
    expect(one.statements.filter((s) => /INSERT INTO interaction_attributions/.test(s))).toHaveLength(1);
    // An answer still buffered is written first (its batch's lock and statement), whatever the batch.
    // (u5 has now seen every item: an anonymous answer it may name.)
    const fresh = (await post(`{ similarItems(itemId: "c1", first: 1) { impressionId } }`)).json.data.similarItems[0].impressionId;
    const buffered = await countStatements(t.db, () => post(RECORD, { i: batch(20, 3, fresh) }));
    expect(own(buffered.statements).length).toBe(own(one.statements).length + 2);
  });

  it("counts the answers dropped when the buffer is full, and writes the rest when the app stops", async () => {
    await app!.stop();
    app = await startHttpApp(t.db, { MARQUEE_WORKER: "false", MARQUEE_IMPRESSION_BUFFER: "2", MARQUEE_IMPRESSION_FLUSH_MS: "600000" });
    const dropped = () => metrics().then((m) => sample(m, `marquee_impressions_dropped_total{reason="overflow"}`));
    const droppedBefore = await dropped();
    const ids: string[] = [];
    for (let k = 0; k < 3; k++) ids.push((await post(`{ recommendations(userId: "u1", first: 1, strategy: POPULAR) { impressionId } }`, undefined, {})).json.data.recommendations[0].impressionId);
    expect(await dropped()).toBe(droppedBefore + 1);
    const written = await metrics().then((m) => sample(m, `marquee_impressions_written_total{surface="recommendations"}`));
    await app!.stop();
    app = undefined;
    const rows = await t.db.sql.query<{ id: string }>(`SELECT id::text FROM impressions WHERE id = ANY($1::uuid[]) ORDER BY shown_at`, [ids]);
    expect(rows.map((r) => r.id).sort()).toEqual(ids.slice(0, 2).sort());
    // Counted as written too (the registry outlives the app).
    app = await startHttpApp(t.db, { MARQUEE_WORKER: "false", MARQUEE_IMPRESSION_BATCH: "1" });
    expect(await metrics().then((m) => sample(m, `marquee_impressions_written_total{surface="recommendations"}`))).toBe(written + 2);
  });

  it("counts a batch the database refuses as dropped, and keeps serving", async () => {
    const failed = () => metrics().then((m) => sample(m, `marquee_impressions_dropped_total{reason="write_failed"}`));
    const before = await failed();
    await t.db.sql.query(`ALTER TABLE impressions RENAME TO impressions_away`);
    try {
      const answer = await post(`{ recommendations(userId: "u1", first: 2, strategy: POPULAR) { impressionId } }`, undefined, {});
      expect(answer.json.data.recommendations).toHaveLength(2);
      await flush();
    } finally {
      await t.db.sql.query(`ALTER TABLE impressions_away RENAME TO impressions`);
    }
    expect(await failed()).toBe(before + 1);
    expect(app!.logs).toContainEqual(expect.objectContaining({ level: "warn", msg: "could not write a batch of impressions; they are dropped", impressions: 1 }));
    // The next batch goes through.
    const next = (await post(`{ recommendations(userId: "u1", first: 1, strategy: POPULAR) { impressionId } }`, undefined, {})).json.data.recommendations[0].impressionId;
    await flush();
    expect(await t.db.sql.query(`SELECT id::text FROM impressions WHERE id = $1`, [next])).toEqual([{ id: next }]);
  });

  it("with MARQUEE_IMPRESSIONS=off still gives ids but logs nothing, and ignores ids sent back", async () => {
    await app!.stop();
    app = await startHttpApp(t.db, { MARQUEE_WORKER: "false", MARQUEE_IMPRESSIONS: "off" });
    expect(impressionLogOf(app.db)).toBeUndefined();
    const id = (await post(`{ recommendations(userId: "u1", first: 1, strategy: POPULAR) { item { id } impressionId } }`, undefined, {})).json.data.recommendations[0];
    expect(id.impressionId).toMatch(/^[0-9a-f-]{36}$/);
    expect(await t.db.sql.query(`SELECT 1 FROM impressions WHERE id = $1`, [id.impressionId])).toEqual([]);
    const recorded = await post(RECORD, { i: [{ userId: "u1", itemId: "c3", type: "PLAY", impressionId: id.impressionId }] }, {});
    expect(recorded.json.data.recordInteractions.created).toBe(1);
  });
});
