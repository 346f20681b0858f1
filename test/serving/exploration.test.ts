// Exploration and off-policy estimates over real HTTP. setExploration's bad
// input; with rate 1 every shown item has propensity eps/M and the list is a
// sample without repeats from the top M of the ranking; with rate 0.5 the
// propensities follow p = (1 - eps)[normal item] + eps/M; then exploring
// traffic clicked by a fixed rule, and the estimate of the very version
// that served it against the CTR its normal lists get under the same rule.
import { BACKGROUND_STATEMENTS, countStatements, databaseTargets, openTestDatabase, type TestDatabase } from "../support/testDatabase";
import { postGraphQL, startHttpApp, testConfig } from "../support/testServer";
import { activeModelVersion } from "../../src/db/modelRepository";
import { offPolicyGateCheck } from "../../src/jobs/offPolicyGateCheck";
import type { App } from "../../src/app";
import type { CatalogData } from "../../src/importers/CatalogData";
import { importCatalog } from "../../src/services/importService";
import { trainAndActivate } from "./support/trainAndServe";
import { impressionLogOf } from "../../src/serving/impressionLog";
import { createRng } from "../../src/engine/random";
import { explorationSettingsOf } from "../../src/serving/explorationSettings";
import { pollUntil } from "../support/pollUntil";

const ITEMS = 20;
const USERS = 150;

// Items i0..i19; user uN liked i(N mod 5) and i(5 + N mod 7), so popularity
// ranks i0..i11 and every user has two of them excluded.
function catalog(): CatalogData {
  const at = new Date(Date.UTC(2026, 0, 1));
  const items = Array.from({ length: ITEMS }, (_, k) => ({
    externalId: `i${k}`, kind: "MOVIE" as const, title: `Item ${k}`, releaseYear: null, description: null, attributes: {}, features: [],
  }));
  const users = Array.from({ length: USERS }, (_, n) => ({ externalId: `u${n}`, attributes: {} }));
  const interactions = users.flatMap((u, n) =>
    [n % 5, 5 + (n % 7)].map((k) => ({ userExternalId: u.externalId, itemExternalId: `i${k}`, type: "LIKE" as const, value: 1, occurredAt: at })),
  );
  return { items, users, interactions };
}

// The simulated audience: a user views the item at rank r when it is one of
// the five most popular (i0..i4) and r <= 2 (position bias: nobody looks at
// rank 3). The normal lists open with two of them, so they earn 2/3 at k = 3;
// exploring lists, sampled from a pool of six, earn less.
const clicks = (itemId: string, rank: number) => Number(itemId.slice(1)) < 5 && rank <= 2;

const SET = `mutation($s: String!, $r: Float!, $p: Int) { setExploration(surface: $s, rate: $r, poolSize: $p) { surface rate poolSize updatedAt } }`;
const RECS = `query($u: ID!, $n: Int) { recommendations(userId: $u, first: $n, strategy: POPULAR) { rank item { id } impressionId } }`;
const ESTIMATE = `query($m: String!, $v: Int!, $from: DateTime!, $to: DateTime!, $k: Int, $s: String) {
  offPolicyEstimate(model: $m, version: $v, from: $from, to: $to, k: $k, surface: $s) {
    model surface k impressions skipped matchedSlots support effectiveSampleSize message
    logged { successes trials value }
    ips { value standardError low high }
    selfNormalizedIps { value standardError low high }
    doublyRobust { value standardError low high }
  }
}`;

describe.each(databaseTargets())("exploration and off-policy estimates on %s", (target) => {
  let t: TestDatabase;
  let app: App | undefined;
  const post = (query: string, variables?: Record<string, unknown>) => postGraphQL(app!.url, { query, variables });
  const recs = async (user: string, n: number) => (await post(RECS, { u: user, n })).json.data.recommendations as { rank: number; item: { id: string }; impressionId: string }[];
  const logged = async (ids: string[]) => {
    await impressionLogOf(app!.db)!.flush();
    const rows = await t.db.sql.query<{ id: string; items: string[]; propensities: number[]; pool: string[] }>(
      `SELECT im.id::text AS id,
              (SELECT array_agg(it.external_id ORDER BY s.k) FROM unnest(im.item_ids) WITH ORDINALITY s(item, k) JOIN items it ON it.id = s.item) AS items,
              im.propensities,
              coalesce((SELECT array_agg(it.external_id ORDER BY s.k) FROM unnest(im.pool_item_ids) WITH ORDINALITY s(item, k) JOIN items it ON it.id = s.item), '{}') AS pool
         FROM impressions im WHERE im.id = ANY($1::uuid[])`,
      [ids],
    );
    return new Map(rows.map((r) => [r.id, { items: r.items, propensities: r.propensities.map(Number), pool: r.pool }]));
  };
  const badInput = (field: string, argument: string, message: string) => ({
    data: null,
    errors: [{ message, locations: expect.any(Array), path: [field], extensions: { code: "BAD_USER_INPUT", argument } }],
  });

  beforeAll(async () => {
    t = await openTestDatabase(target);
    await importCatalog(t.db, catalog());
    await trainAndActivate(t.db, ["popular"]);
    app = await startHttpApp(t.db, { MARQUEE_WORKER: "false", MARQUEE_IMPRESSION_FLUSH_MS: "600000", MARQUEE_WATCH_INTERVAL_MS: "200" });
  }, 120_000);
  afterAll(async () => {
    jest.restoreAllMocks();
    await app?.stop();
    await t?.dispose();
  });

  it("lists every explorable surface, off until set, and refuses bad settings naming the field", async () => {
    expect((await post(`{ exploration { surface rate poolSize updatedAt } }`)).json).toEqual({
      data: {
        exploration: [
          { surface: "recommendations", rate: 0, poolSize: 100, updatedAt: null },
          { surface: "upNext", rate: 0, poolSize: 100, updatedAt: null },
        ],
      },
    });
    expect((await post(SET, { s: "page", r: 0.5 })).json).toEqual(badInput("setExploration", "surface", `Invalid surface: must be one of recommendations, upNext; got "page"`));
    expect((await post(SET, { s: "recommendations", r: 1.5 })).json).toEqual(badInput("setExploration", "rate", "Invalid rate: must be from 0 to 1 (0 turns exploration off); got 1.5"));
    expect((await post(SET, { s: "recommendations", r: -0.1 })).json).toEqual(badInput("setExploration", "rate", "Invalid rate: must be from 0 to 1 (0 turns exploration off); got -0.1"));
    expect((await post(SET, { s: "recommendations", r: 0.5, p: 0 })).json).toEqual(badInput("setExploration", "poolSize", "Invalid poolSize: must be from 1 to 1000; got 0"));
    expect((await post(SET, { s: "recommendations", r: 0.5, p: 5000 })).json).toEqual(badInput("setExploration", "poolSize", "Invalid poolSize: must be from 1 to 1000; got 5000"));
    // Nothing was stored.
    expect(await t.db.sql.query(`SELECT * FROM exploration_settings`)).toEqual([]);
    const set = await post(SET, { s: "upNext", r: 0.25 });
    expect(set.json).toEqual({ data: { setExploration: { surface: "upNext", rate: 0.25, poolSize: 100, updatedAt: expect.any(String) } } });
    expect((await post(SET, { s: "upNext", r: 0 })).json.data.setExploration).toMatchObject({ rate: 0 });
  });

  it("with rate 1 shows a sample without repeats from the top M, each item logged with propensity 1/M", async () => {
    const exploringCount = async () => {
      const text = await (await fetch(app!.url.replace(/\/graphql$/, "/metrics"))).text();
      return Number(text.split("\n").find((l) => l.startsWith(`marquee_exploring_answers_total{surface="recommendations"} `))?.split(" ")[1] ?? 0);
    };
    const normal = (await recs("u0", 5)).map((r) => r.item.id);
    expect(normal).toHaveLength(5);
    await impressionLogOf(app!.db)!.flush();
    const exploringBefore = await exploringCount();
    expect((await post(SET, { s: "recommendations", r: 1, p: 5 })).json.data.setExploration).toMatchObject({ rate: 1, poolSize: 5 });
    // The setting is held in memory: an answer reads no exploration_settings.
    // (The watch tick reads the settings too: a tick landing in the counted
    // window is told apart by trying again; a request reading them would read
    // them every time.)
    let counted = await countStatements(t.db, () => recs("u0", 3));
    for (let attempt = 0; attempt < 3 && counted.statements.some((s) => /exploration_settings/.test(s)); attempt++) counted = await countStatements(t.db, () => recs("u0", 3));
    expect(counted.statements.filter((s) => /exploration_settings/.test(s))).toEqual([]);
    const answers = [counted.result, ...(await Promise.all(Array.from({ length: 29 }, () => recs("u0", 3))))];
    const rows = await logged(answers.map((a) => a[0].impressionId));
    // Prometheus counts the exploring answers (the registry is the process's: compare before and after).
    expect((await exploringCount()) - exploringBefore).toBe(30);
    for (const a of answers) {
      const row = rows.get(a[0].impressionId)!;
      expect(row.items).toEqual(a.map((r) => r.item.id));
      expect(a.map((r) => r.rank)).toEqual([1, 2, 3]);
      expect(new Set(row.items).size).toBe(3);
      for (const id of row.items) expect(normal).toContain(id);
      expect(row.pool).toEqual(normal);
      for (const p of row.propensities) expect(p).toBeCloseTo(1 / 5, 6);
    }
    // 30 uniform draws of 60 ordered samples are not all the normal top 3.
    expect(answers.some((a) => a.map((r) => r.item.id).join() !== normal.slice(0, 3).join())).toBe(true);
    // A later page does not explore and logs no propensities.
    const first = (await post(`{ recommendations(userId: "u0", first: 2, strategy: POPULAR) { cursor } }`)).json.data.recommendations;
    const later = (await post(`query($c: String) { recommendations(userId: "u0", first: 2, after: $c, strategy: POPULAR) { rank item { id } impressionId } }`, { c: first[1].cursor })).json.data.recommendations;
    expect(later.map((r: { rank: number; item: { id: string } }) => [r.rank, r.item.id])).toEqual([[3, normal[2]], [4, normal[3]]]);
    expect((await logged([later[0].impressionId])).get(later[0].impressionId)!.propensities).toEqual([]);
  });

  it("with rate 0.5 logs p = (1 - eps)[the normal item at that rank] + eps/M", async () => {
    await post(SET, { s: "recommendations", r: 0, p: 4 });
    const normal = (await recs("u1", 3)).map((r) => r.item.id);
    await post(SET, { s: "recommendations", r: 0.5, p: 4 });
    const answers = await Promise.all(Array.from({ length: 40 }, () => recs("u1", 3)));
    const rows = await logged(answers.map((a) => a[0].impressionId));
    let explored = 0;
    for (const a of answers) {
      const row = rows.get(a[0].impressionId)!;
      row.items.forEach((id, r) => expect(row.propensities[r]).toBeCloseTo(0.5 * (id === normal[r] ? 1 : 0) + 0.5 / 4, 6));
      if (row.items.join() !== normal.join()) explored++;
    }
    expect(explored).toBeGreaterThan(0);
    expect(explored).toBeLessThan(40);
    // Off again: a deterministic answer logs no propensities.
    await post(SET, { s: "recommendations", r: 0 });
    const off = await recs("u1", 3);
    expect(off.map((r) => r.item.id)).toEqual(normal);
    expect((await logged([off[0].impressionId])).get(off[0].impressionId)!.propensities).toEqual([]);
  });

  it("estimates the serving version's CTR from its exploring traffic close to the CTR its normal lists earn", async () => {
    const users = Array.from({ length: USERS }, (_, n) => `u${n}`);
    // What the version shows each user without exploring, and what the rule clicks there.
    const normal = new Map<string, string[]>();
    for (const u of users) normal.set(u, (await recs(u, 3)).map((r) => r.item.id));
    let truthClicks = 0;
    for (const list of normal.values()) list.forEach((id, r) => (truthClicks += clicks(id, r + 1) ? 1 : 0));
    const truth = truthClicks / (USERS * 3);

    // Exploring traffic, drawn from a seeded source, clicked by the rule.
    const rng = createRng(5);
    jest.spyOn(Math, "random").mockImplementation(() => rng.next());
    const from = new Date(Date.now() - 1).toISOString();
    await post(SET, { s: "recommendations", r: 0.5, p: 6 });
    let loggedClicks = 0;
    for (const u of users) {
      const answer = await recs(u, 3);
      const viewed = answer.filter((r) => clicks(r.item.id, r.rank));
      loggedClicks += viewed.length;
      if (viewed.length > 0) {
        const recorded = await post(`mutation($i: [InteractionInput!]!) { recordInteractions(interactions: $i) { created } }`, {
          i: viewed.map((r) => ({ userId: u, itemId: r.item.id, type: "VIEW", impressionId: r.impressionId })),
        });
        expect(recorded.json).toEqual({ data: { recordInteractions: { created: viewed.length } } });
      }
    }
    jest.restoreAllMocks();
    await post(SET, { s: "recommendations", r: 0 });
    await impressionLogOf(app!.db)!.flush();
    const to = new Date(Date.now() + 1000).toISOString();

    const read = await countStatements(t.db, () => post(ESTIMATE, { m: "popular", v: 1, from, to, k: 3 }));
    const e = read.result.json.data.offPolicyEstimate;
    // The version, the impressions, their clicks, the histories: a handful, not one per impression.
    // (Leaving out the background ticks that may fall in.)
    const own = read.statements.filter((s) => !BACKGROUND_STATEMENTS.test(s));
    expect(own).toEqual([
      expect.stringMatching(/model_versions/),
      expect.stringMatching(/model_artifacts/),
      expect.stringMatching(/FROM impressions/),
      expect.stringMatching(/FROM interaction_attributions/),
      expect.stringMatching(/FROM interactions/),
    ]);
    expect(e).toMatchObject({ model: "popular@1", surface: "recommendations", k: 3, impressions: USERS, skipped: 0, support: 1, message: null });

    // The challenger gate's off-policy check reads the same estimate for
    // champion and challenger; below its minimum of impressions it has none.
    const champion = (await activeModelVersion(t.db, "popular"))!;
    const gate = (minImpressions?: number) => offPolicyGateCheck(t.db, testConfig(), { minImpressions, now: () => new Date(Date.parse(to) - 500) })({ name: "popular", champion, challenger: champion });
    // (Its window is the last 7 days: the earlier tests' exploring answers count too.)
    const figures = (await gate(USERS))!;
    expect(figures).toEqual({ metric: expect.stringMatching(/^ctr@3 \(doubly robust, \d+ impressions\)$/), champion: expect.any(Number), challenger: figures.champion, higherIsBetter: true });
    const used = Number(/(\d+) impressions/.exec(figures.metric)![1]);
    expect(used).toBeGreaterThanOrEqual(USERS);
    expect(await gate(used + 1)).toBeNull();
    expect(await gate()).toBeNull();
    expect(e.logged).toEqual({ successes: loggedClicks, trials: USERS * 3, value: loggedClicks / (USERS * 3) });
    // Matched slots: the normal item at its rank, p >= 0.5 + 0.5/6.
    expect(e.matchedSlots).toBeGreaterThan(USERS * 3 * 0.5);
    expect(e.effectiveSampleSize).toBeGreaterThan(e.matchedSlots * 0.9);
    // (Matched slots at one rank all have the same reward under this rule,
    // so SNIPS is exact there: its error is 0.)
    for (const est of [e.ips, e.selfNormalizedIps, e.doublyRobust]) {
      expect(est.standardError).toBeGreaterThanOrEqual(0);
      expect(est.low).toBeLessThanOrEqual(est.value);
      expect(est.high).toBeGreaterThanOrEqual(est.value);
      expect(Math.abs(est.value - truth)).toBeLessThan(Math.max(3.5 * est.standardError, 0.02));
    }
    // The exploring traffic's own CTR is well below the normal lists': the
    // estimates correct for what exploration showed instead.
    expect(truth).toBeCloseTo(2 / 3, 12);
    expect(truth - e.logged.value).toBeGreaterThan(0.05);
  }, 240_000);

  it("follows a setting written by another replica on its watch tick; upNext explores too", async () => {
    await t.db.sql.query(`INSERT INTO exploration_settings (surface, rate, pool_size) VALUES ('upNext', 1, 3) ON CONFLICT (surface) DO UPDATE SET rate = 1, pool_size = 3`);
    await pollUntil("the watcher to read the upNext setting", () => explorationSettingsOf(app!.db).exploring("upNext")?.poolSize === 3, { timeoutMs: 10_000, intervalMs: 50 });
    const answer = (await post(`{ upNext(userId: "u3", first: 2) { item { id } impressionId } }`)).json.data.upNext;
    const row = (await logged([answer[0].impressionId])).get(answer[0].impressionId)!;
    expect(row.items).toEqual(answer.map((r: { item: { id: string } }) => r.item.id));
    expect(row.propensities.map((p) => Number(p.toFixed(6)))).toEqual([0.333333, 0.333333]);
    expect(row.pool).toHaveLength(3);
    await t.db.sql.query(`UPDATE exploration_settings SET rate = 0 WHERE surface = 'upNext'`);
    await pollUntil("the watcher to turn upNext exploration off", () => explorationSettingsOf(app!.db).exploring("upNext") === undefined, { timeoutMs: 10_000, intervalMs: 50 });
  });

  it("answers zero impressions with a message, and refuses an unknown version, a reversed range and another surface", async () => {
    const empty = await post(ESTIMATE, { m: "popular", v: 1, from: "2020-01-01T00:00:00Z", to: "2020-01-02T00:00:00Z" });
    expect(empty.json).toEqual({
      data: {
        offPolicyEstimate: {
          model: "popular@1", surface: "recommendations", k: 0, impressions: 0, skipped: 0, matchedSlots: 0, support: null, effectiveSampleSize: 0,
          message: "no logged recommendations impressions with propensities in the range: turn exploration on with setExploration and let traffic come in.",
          logged: { successes: 0, trials: 0, value: null },
          ips: { value: null, standardError: null, low: null, high: null },
          selfNormalizedIps: { value: null, standardError: null, low: null, high: null },
          doublyRobust: { value: null, standardError: null, low: null, high: null },
        },
      },
    });
    const range = { from: "2026-01-01T00:00:00Z", to: "2026-01-02T00:00:00Z" };
    expect((await post(ESTIMATE, { m: "popular", v: 7, ...range })).json).toEqual({
      data: null,
      errors: [{ message: `No model version with id "popular@7"`, locations: expect.any(Array), path: ["offPolicyEstimate"], extensions: { code: "NOT_FOUND", argument: "version", ids: ["popular@7"] } }],
    });
    expect((await post(ESTIMATE, { m: "no-such", v: 1, ...range })).json.errors[0].extensions).toEqual({ code: "NOT_FOUND", argument: "version", ids: ["no-such@1"] });
    expect((await post(ESTIMATE, { m: "popular", v: 1, from: range.to, to: range.from })).json).toEqual(
      badInput("offPolicyEstimate", "to", `Invalid to: must be after from; got "2026-01-01T00:00:00.000Z"`),
    );
    expect((await post(ESTIMATE, { m: "popular", v: 0, ...range })).json).toEqual(badInput("offPolicyEstimate", "version", "Invalid version: must be a positive integer; got 0"));
    expect((await post(ESTIMATE, { m: "popular", v: 1, ...range, k: 0 })).json).toEqual(badInput("offPolicyEstimate", "k", "Invalid k: must be from 1 to 100; got 0"));
    expect((await post(ESTIMATE, { m: "popular", v: 1, ...range, s: "page" })).json).toEqual(
      badInput("offPolicyEstimate", "surface", `Invalid surface: must be one of recommendations, upNext; got "page"`),
    );
    expect((await post(ESTIMATE, { m: "popular", v: 1, ...range, s: "upNext" })).json.errors[0].extensions).toEqual({ code: "BAD_USER_INPUT", argument: "surface" });
  });
});
