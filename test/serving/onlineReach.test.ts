// onlineMetrics' reach over real HTTP: distinct users (a HyperLogLog sketch
// per hour, merged across hours and batches), distinct items, catalog
// coverage and novelty, worked out by hand from a few impressions written
// by the real batch writer; the figures come from the rollups alone (they
// survive deleting the impressions). Then retention: the job worker deletes
// impressions past MARQUEE_IMPRESSION_RETENTION, with their attributions,
// and every figure stays the same.
import { databaseTargets, openTestDatabase, type TestDatabase } from "../support/testDatabase";
import { postGraphQL, startHttpApp } from "../support/testServer";
import { pollUntil } from "../support/pollUntil";
import type { App } from "../../src/app";
import { importCatalog } from "../../src/services/importService";
import { impressionId } from "../../src/services/impressionService";
import { addReach, insertImpressions } from "../../src/db/impressionRepository";
import { ReachRollup } from "../../src/serving/reachRollup";
import type { Database } from "../../src/db/Database";
import type { ImpressionRecord } from "../../src/serving/impressionLog";
import { tinyCatalog } from "./support/tinyCatalog";

const METRICS = `query($from: DateTime!, $to: DateTime!, $groupBy: [OnlineMetricsGroup!]) {
  onlineMetrics(from: $from, to: $to, groupBy: $groupBy) {
    surface strategy model impressions users itemsShown itemsDistinct coverage novelty
    attributed { type count }
  }
}`;
const RECORD = `mutation($i: [InteractionInput!]!) { recordInteractions(interactions: $i) { created } }`;
// One sample of /metrics (0 when the series is absent).
function sample(metrics: string, series: string): number {
  const line = metrics.split("\n").find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : 0;
}
const PLAYS = `marquee_attributed_interactions_total{surface="recommendations",type="PLAY",how="named"}`;
const PRUNED = "marquee_impressions_pruned_total";
const JUNE = { from: "2026-06-01T10:00:00Z", to: "2026-06-01T12:00:00Z" };

// Written as the impression log writes them: the batch with its exact
// counts, then the reach gathered from it (flushed at once here).
async function writeShown(db: Database, batch: ImpressionRecord[]): Promise<void> {
  await insertImpressions(db, batch);
  const reach = new ReachRollup((groups) => addReach(db, groups));
  reach.add(batch);
  await reach.flush();
}

describe.each(databaseTargets())("online reach and impression retention on %s", (target) => {
  let t: TestDatabase;
  let app: App | undefined;
  const post = (query: string, variables?: Record<string, unknown>) => postGraphQL(app!.url, { query, variables });
  const metrics = async () => (await fetch(app!.url.replace(/\/graphql$/, "/metrics"))).text();
  const users = new Map<string, number>();
  const items = new Map<string, number>();
  const shown = (at: string, user: string | null, surface: string, strategy: string, ids: string[]): ImpressionRecord => {
    const shownAt = new Date(at);
    return {
      id: impressionId(shownAt.getTime()),
      userId: user === null ? null : users.get(user)!,
      userKey: user,
      surface,
      strategy,
      model: "popular@1",
      shownAt,
      itemIds: ids.map((id) => items.get(id)!),
      ranks: ids.map((_, k) => k + 1),
      rails: null,
      scores: ids.map(() => 1),
    };
  };
  // Shown 10:05 to u1 (s1 s2 s3) and anonymously as similar items (c3 j1),
  // then in a second batch 10:40 to u2 (s1 n1) and 11:30 to u1 again (s1).
  const a = () => shown("2026-06-01T10:05:00Z", "u1", "recommendations", "POPULAR", ["s1", "s2", "s3"]);
  let first: ImpressionRecord;

  beforeAll(async () => {
    t = await openTestDatabase(target);
    await importCatalog(t.db, tinyCatalog());
    for (const r of await t.db.sql.query<{ id: number; external_id: string }>(`SELECT id, external_id FROM users`)) users.set(r.external_id, r.id);
    for (const r of await t.db.sql.query<{ id: number; external_id: string }>(`SELECT id, external_id FROM items`)) items.set(r.external_id, r.id);
    app = await startHttpApp(t.db, { MARQUEE_WORKER: "false" });
  }, 120_000);
  afterAll(async () => {
    await app?.stop();
    await t?.dispose();
  });

  it("counts users, distinct items, coverage and novelty by group, from the rollups alone", async () => {
    first = a();
    await writeShown(t.db, [first, shown("2026-06-01T10:10:00Z", null, "similarItems", "ITEM_KNN", ["c3", "j1"])]);
    await writeShown(t.db, [
      shown("2026-06-01T10:40:00Z", "u2", "recommendations", "POPULAR", ["s1", "n1"]),
      shown("2026-06-01T11:30:00Z", "u1", "recommendations", "POPULAR", ["s1"]),
    ]);
    // The tiny catalog: 8 users, 9 items. Users who interacted with each item:
    // s1 4 (u1 u2 u5 ann), s2 3, s3 2, c3 1, j1 1, n1 none (counted as 1).
    // Self-information -log2(users / 8): s1 1, s2 1.415037, s3 2, c3 j1 n1 3.
    // recommendations showed s1 three times, s2, s3 and n1 once:
    // (3 * 1 + 1.415037 + 2 + 3) / 6 = 1.569173 bits; similar items (3 + 3) / 2 = 3.
    const expected = {
      data: {
        onlineMetrics: [
          {
            surface: "recommendations", strategy: "POPULAR", model: "popular@1",
            impressions: 3, users: 2, itemsShown: 6, itemsDistinct: 4, coverage: 4 / 9, novelty: expect.closeTo(9.415037 / 6, 5), attributed: [],
          },
          {
            surface: "similarItems", strategy: "ITEM_KNN", model: "popular@1",
            impressions: 1, users: 0, itemsShown: 2, itemsDistinct: 2, coverage: 2 / 9, novelty: expect.closeTo(3, 6), attributed: [],
          },
        ],
      },
    };
    expect((await post(METRICS, JUNE)).json).toEqual(expected);
    // Everything in one row: s1 s2 s3 n1 c3 j1; (9.415037 + 6) / 8 bits.
    expect((await post(METRICS, { ...JUNE, groupBy: [] })).json).toEqual({
      data: {
        onlineMetrics: [
          { surface: null, strategy: null, model: null, impressions: 4, users: 2, itemsShown: 8, itemsDistinct: 6, coverage: 6 / 9, novelty: expect.closeTo(15.415037 / 8, 5), attributed: [] },
        ],
      },
    });
    // The 11:00 hour alone: u1 shown s1.
    expect((await post(METRICS, { from: "2026-06-01T11:00:00Z", to: "2026-06-01T12:00:00Z", groupBy: ["SURFACE"] })).json).toEqual({
      data: {
        onlineMetrics: [
          { surface: "recommendations", strategy: null, model: null, impressions: 1, users: 1, itemsShown: 1, itemsDistinct: 1, coverage: 1 / 9, novelty: expect.closeTo(1, 6), attributed: [] },
        ],
      },
    });
    // Read from the rollups: the same answer with the impressions gone.
    const kept = await t.db.sql.query(`SELECT * FROM impressions`);
    await t.db.sql.query(`DELETE FROM impressions`);
    expect((await post(METRICS, JUNE)).json).toEqual(expected);
    await t.db.sql.query(
      `INSERT INTO impressions SELECT * FROM json_populate_recordset(null::impressions, $1::json)`,
      [JSON.stringify(kept)],
    );
  });

  it("has the job worker prune impressions past the retention with their attributions, and every figure stays", async () => {
    const recent = shown(new Date().toISOString(), "u3", "recommendations", "POPULAR", ["s4"]);
    await writeShown(t.db, [recent]);
    const counted = await metrics();
    const recorded = await post(RECORD, {
      i: [
        { userId: "u1", itemId: "s1", type: "PLAY", impressionId: first.id },
        { userId: "u3", itemId: "s4", type: "PLAY", impressionId: recent.id },
      ],
    });
    expect(recorded.json).toEqual({ data: { recordInteractions: { created: 2 } } });
    expect(sample(await metrics(), PLAYS)).toBe(sample(counted, PLAYS) + 2);
    const now = { from: new Date(Date.now() - 3_600_000).toISOString(), to: new Date(Date.now() + 3_600_000).toISOString() };
    const before = [(await post(METRICS, JUNE)).json, (await post(METRICS, now)).json];
    expect(before[0].data.onlineMetrics[0]).toMatchObject({ impressions: 3, users: 2, attributed: [{ type: "PLAY", count: 1 }] });
    expect(before[1].data.onlineMetrics).toEqual([expect.objectContaining({ impressions: 1, users: 1, itemsDistinct: 1, attributed: [{ type: "PLAY", count: 1 }] })]);

    await app!.stop();
    app = await startHttpApp(t.db, { MARQUEE_WORKER: "true", MARQUEE_IMPRESSION_RETENTION: "30d" });
    const left = await pollUntil(
      "the worker to prune the June impressions",
      async () => {
        const rows = await t.db.sql.query<{ id: string }>(`SELECT id::text AS id FROM impressions ORDER BY id`);
        return rows.length === 1 ? rows : undefined;
      },
      { timeoutMs: 20_000, intervalMs: 100 },
    );
    expect(left).toEqual([{ id: recent.id }]);
    // The four June answers.
    await pollUntil("the pruned count", async () => sample(await metrics(), PRUNED) === sample(counted, PRUNED) + 4, { timeoutMs: 5000, intervalMs: 50 });
    const attributions = await t.db.sql.query<{ impression_id: string }>(`SELECT impression_id::text AS impression_id FROM interaction_attributions`);
    expect(attributions).toEqual([{ impression_id: recent.id }]);
    // The interactions themselves stay: only where they came from is forgotten.
    expect(Number((await t.db.sql.query<{ n: number }>(`SELECT count(*) AS n FROM interactions WHERE type = 'PLAY'`))[0].n)).toBe(2);
    expect([(await post(METRICS, JUNE)).json, (await post(METRICS, now)).json]).toEqual(before);
  });
});
