// onlineMetrics over real HTTP, from the hourly rollups the impression batch
// and the attribution statement keep: answers served, items shown,
// attributed interactions by type, CTR@k and conversion with their Wilson
// intervals, worked out by hand from a few answers and interactions.
import { countStatements, databaseTargets, openTestDatabase, type TestDatabase } from "../support/testDatabase";
import { postGraphQL, startHttpApp } from "../support/testServer";
import type { App } from "../../src/app";
import { importCatalog } from "../../src/services/importService";
import { tinyCatalog } from "./support/tinyCatalog";
import { trainAndActivate } from "./support/trainAndServe";
import { impressionLogOf } from "../../src/serving/impressionLog";
import { wilsonInterval } from "../../src/services/wilsonInterval";

const RECORD = `mutation($i: [InteractionInput!]!) { recordInteractions(interactions: $i) { created } }`;
const METRICS = `query($from: DateTime!, $to: DateTime!, $k: Int, $groupBy: [OnlineMetricsGroup!], $surface: String) {
  onlineMetrics(from: $from, to: $to, k: $k, groupBy: $groupBy, surface: $surface) {
    surface strategy model arm impressions users itemsShown
    attributed { type count }
    clickThrough { successes trials value low high }
    conversion { successes trials value low high }
  }
}`;

describe("the Wilson score interval", () => {
  it("matches worked values, stays in [0, 1] and has no value without trials", () => {
    const half = wilsonInterval(5, 10);
    expect(half.value).toBe(0.5);
    expect(half.low).toBeCloseTo(0.2366, 4);
    expect(half.high).toBeCloseTo(0.7634, 4);
    const quarter = wilsonInterval(1, 4);
    expect(quarter.low).toBeCloseTo(0.0456, 4);
    expect(quarter.high).toBeCloseTo(0.6994, 4);
    expect(wilsonInterval(0, 3)).toMatchObject({ value: 0, low: 0 });
    expect(wilsonInterval(0, 3).high).toBeCloseTo(0.5615, 4);
    expect(wilsonInterval(3, 3)).toMatchObject({ value: 1, high: 1 });
    expect(wilsonInterval(0, 0)).toEqual({ successes: 0, trials: 0, value: null, low: null, high: null });
  });
});

describe.each(databaseTargets())("onlineMetrics on %s", (target) => {
  let t: TestDatabase;
  let app: App | undefined;
  const post = (query: string, variables?: Record<string, unknown>) => postGraphQL(app!.url, { query, variables });
  const now = Date.now();
  const range = { from: new Date(now - 3_600_000).toISOString(), to: new Date(now + 3_600_000).toISOString() };

  beforeAll(async () => {
    t = await openTestDatabase(target);
    await importCatalog(t.db, tinyCatalog());
    await trainAndActivate(t.db, ["popular"]);
    app = await startHttpApp(t.db, { MARQUEE_WORKER: "false", MARQUEE_IMPRESSION_FLUSH_MS: "600000" });
  }, 120_000);
  afterAll(async () => {
    await app?.stop();
    await t?.dispose();
  });

  it("counts answers, items, attributed interactions, CTR@k and conversion by surface, strategy and model", async () => {
    const a = (await post(`{ recommendations(userId: "u1", first: 3, strategy: POPULAR) { item { id } impressionId } }`)).json.data.recommendations;
    const b = (await post(`{ recommendations(userId: "u2", first: 3, strategy: POPULAR) { item { id } impressionId } }`)).json.data.recommendations;
    await post(`{ similarItems(itemId: "s1", first: 2) { impressionId } }`);
    const at = new Date(now + 60_000).toISOString();
    const recorded = await post(RECORD, {
      i: [
        { userId: "u1", itemId: a[0].item.id, type: "PLAY", impressionId: a[0].impressionId }, // rank 1
        { userId: "u1", itemId: a[2].item.id, type: "VIEW", occurredAt: at }, // rank 3, inferred
        { userId: "u2", itemId: b[1].item.id, type: "PURCHASE", impressionId: b[0].impressionId }, // rank 2
        { userId: "u2", itemId: "j1", type: "LIKE", impressionId: b[0].impressionId }, // not in the answer
      ],
    });
    expect(recorded.json).toEqual({ data: { recordInteractions: { created: 4 } } });
    await impressionLogOf(app!.db)!.flush();
    const read = await countStatements(t.db, () => post(METRICS, { ...range, k: 2 }));
    expect(read.statements.filter((s) => /impression_hourly/.test(s))).toHaveLength(1);
    const proportion = (x: number, n: number) => {
      const w = wilsonInterval(x, n);
      return { successes: x, trials: n, value: w.value, low: w.low, high: w.high };
    };
    expect(read.result.json).toEqual({
      data: {
        onlineMetrics: [
          {
            surface: "recommendations",
            strategy: "POPULAR",
            model: "popular@1",
            arm: null,
            impressions: 2,
            users: 2,
            itemsShown: 6,
            attributed: [
              { type: "VIEW", count: 1 },
              { type: "PLAY", count: 1 },
              { type: "LIKE", count: 1 },
              { type: "PURCHASE", count: 1 },
            ],
            // k = 2: the PLAY at rank 1 over the 4 items shown at ranks 1 and 2 (the VIEW was at rank 3).
            clickThrough: proportion(1, 4),
            conversion: proportion(1, 2),
          },
          {
            surface: "similarItems",
            strategy: "ITEM_KNN",
            model: "popular@1",
            arm: null,
            impressions: 1,
            // similarItems answers are anonymous.
            users: 0,
            itemsShown: 2,
            attributed: [],
            clickThrough: proportion(0, 2),
            conversion: proportion(0, 1),
          },
        ],
      },
    });
    // One row for everything; one surface; k = 3 counts the VIEW at rank 3 too.
    const all = await post(METRICS, { ...range, k: 3, groupBy: [] });
    expect(all.json.data.onlineMetrics).toEqual([
      expect.objectContaining({ surface: null, strategy: null, model: null, impressions: 3, users: 2, itemsShown: 8, clickThrough: proportion(2, 8) }),
    ]);
    const one = await post(METRICS, { ...range, surface: "similarItems", groupBy: ["SURFACE"] });
    expect(one.json.data.onlineMetrics).toEqual([expect.objectContaining({ surface: "similarItems", impressions: 1 })]);
    // Hours outside the range count nothing.
    const before = await post(METRICS, { from: "2026-01-01T00:00:00Z", to: "2026-01-02T00:00:00Z" });
    expect(before.json).toEqual({ data: { onlineMetrics: [] } });
  });

  it("refuses a range that ends before it starts, or spans more than 400 days, and k outside 1..100", async () => {
    const bad = async (variables: Record<string, unknown>) => (await post(METRICS, variables)).json.errors.map((e: any) => e.extensions);
    expect(await bad({ from: range.to, to: range.from })).toEqual([{ code: "BAD_USER_INPUT", argument: "to" }]);
    expect(await bad({ from: "2024-01-01T00:00:00Z", to: "2026-01-01T00:00:00Z" })).toEqual([{ code: "BAD_USER_INPUT", argument: "to" }]);
    expect(await bad({ ...range, k: 0 })).toEqual([{ code: "BAD_USER_INPUT", argument: "k" }]);
  });
});
