// Continuous training through the real server over HTTP, on every target
// database. The challenger gate: a champion is trained; a challenger trained
// with parameters that make it clearly worse (item-knn with k = 1 on a
// catalog of four taste clusters) is REFUSED with the figures, and the
// champion keeps serving; a challenger trained as the champion was is
// PROMOTED. The schedule: with MARQUEE_RETRAIN_EVERY="5 interactions", five
// recorded interactions start exactly one round, which queues one challenger
// per active model, even with two workers polling the same database.
import type { App } from "../../src/app";
import type { Database } from "../../src/db/Database";
import { createDatabase } from "../../src/db/createDatabase";
import { startBackground, type Background } from "../../src/jobs/startBackground";
import { RetrainScheduler } from "../../src/jobs/retrainScheduler";
import type { CatalogData } from "../../src/importers/CatalogData";
import { importCatalog } from "../../src/services/importService";
import { databaseTargets, openTestDatabase, type TestDatabase } from "../support/testDatabase";
import { memoryLogger, postGraphQL, startHttpApp, type LoggedLine } from "../support/testServer";
import { pollUntil } from "../support/pollUntil";
import { trainAndActivate, RATING_SCALE } from "../serving/support/trainAndServe";

const waitFor = <T,>(what: string, fn: () => Promise<T | undefined | null | false>, timeoutMs = 60_000) => pollUntil(what, fn, { timeoutMs, intervalMs: 25 });

// Four clusters of eight items; each of 32 users likes five items of their
// user number's cluster (a fixed pseudo-random pick), so a neighbour of any
// liked item is in the same cluster and k = 1 neighbour loses most of them.
function clusteredCatalog(): CatalogData {
  const CLUSTERS = 4;
  const ITEMS = 8;
  let s = 1;
  const next = () => (s = (s * 16807) % 2147483647) / 2147483647;
  const items = Array.from({ length: CLUSTERS * ITEMS }, (_, i) => ({
    externalId: `i${i}`,
    kind: "MOVIE" as const,
    title: `Item ${i}`,
    releaseYear: null,
    description: null,
    attributes: {},
    features: [],
  }));
  const users = Array.from({ length: 32 }, (_, u) => ({ externalId: `u${u}`, attributes: {} }));
  const interactions = users.flatMap((_, u) => {
    const picked = new Set<number>();
    while (picked.size < 5) picked.add(Math.floor(next() * ITEMS));
    return [...picked].map((i) => ({ userExternalId: `u${u}`, itemExternalId: `i${(u % CLUSTERS) * ITEMS + i}`, type: "LIKE" as const, value: 1, occurredAt: new Date(Date.UTC(2026, 0, 1 + i)) }));
  });
  return { items, users, interactions };
}

const TRAIN = `mutation ($name: String!, $params: JSON, $challenge: Boolean, $activate: Boolean) {
  trainModel(name: $name, params: $params, challenge: $challenge, activate: $activate) { id status payload }
}`;
const JOB = `query ($id: ID!) { job(id: $id) { status error result } }`;
const VERSIONS = `{ models { name active { version } versions { version isActive metrics
  challenge { outcome reason metric challenger champion margin championVersion offPolicy { metric } decidedAt } } } }`;
const SCHEDULE = `{ retrainSchedule { enabled every intervalSeconds interactions margin newInteractions nextDueAt
  lastRound { round startedAt trigger jobs { kind status payload } } } }`;
const RECORD = `mutation ($i: [InteractionInput!]!) { recordInteractions(interactions: $i) { created } }`;

describe.each(databaseTargets())("the challenger gate through the API on %s", (target) => {
  let t: TestDatabase;
  let app: App & { logs: LoggedLine[] };
  const post = async (query: string, variables?: Record<string, unknown>) => (await postGraphQL(app.url, { query, variables })).json;
  const finished = (id: string) =>
    waitFor(`job ${id} to finish`, async () => {
      const answer = await post(JOB, { id });
      return ["SUCCEEDED", "FAILED"].includes(answer.data?.job?.status) && answer.data.job;
    });
  const itemKnn = async () => (await post(VERSIONS)).data.models.find((m: { name: string }) => m.name === "item-knn");

  beforeAll(async () => {
    t = await openTestDatabase(target);
    await importCatalog(t.db, clusteredCatalog());
    app = await startHttpApp(t.db, { MARQUEE_JOB_POLL_INTERVAL_MS: "50" });
  }, 120_000);
  afterAll(async () => {
    await app?.stop();
    await t?.dispose();
  });

  it("refuses a clearly worse challenger with the figures (the champion keeps serving) and promotes a good one", async () => {
    const champion = await finished((await post(TRAIN, { name: "item-knn" })).data.trainModel.id);
    expect(champion).toMatchObject({ status: "SUCCEEDED", result: { version: 1, activated: true } });
    expect((await itemKnn()).versions).toEqual([expect.objectContaining({ version: 1, isActive: true, challenge: null })]);

    const queued = await post(TRAIN, { name: "item-knn", params: { k: 1 }, challenge: true });
    expect(queued.data.trainModel).toEqual({ id: expect.any(String), status: "QUEUED", payload: { name: "item-knn", activate: true, seed: 42, params: { k: 1 }, challenge: true } });
    const refused = await finished(queued.data.trainModel.id);
    let model = await itemKnn();
    const [v2, v1] = model.versions;
    const ndcg1 = v1.metrics["ndcg@10"] as number;
    const ndcg2 = v2.metrics["ndcg@10"] as number;
    // Clearly worse: one neighbour finds far fewer of a user's held-out items.
    expect(ndcg2).toBeLessThan(ndcg1 * 0.8);
    const reason = `ndcg@10 ${ndcg2.toFixed(4)} < champion v1's ${ndcg1.toFixed(4)} - 2%`;
    expect(refused).toMatchObject({ status: "SUCCEEDED", result: { version: 2, activated: false, challenge: { outcome: "REFUSED", reason, championVersion: 1 } } });
    expect(model.active).toEqual({ version: 1 });
    expect(v2).toEqual({
      version: 2,
      isActive: false,
      metrics: expect.any(Object),
      challenge: { outcome: "REFUSED", reason, metric: "ndcg@10", challenger: ndcg2, champion: ndcg1, margin: 0.02, championVersion: 1, offPolicy: null, decidedAt: expect.any(String) },
    });
    // The champion still serves.
    expect((await post(`{ activeModels { name version } }`)).data.activeModels).toEqual([{ name: "item-knn", version: 1 }]);
    const recs = await post(`{ recommendations(userId: "u0", first: 3, strategy: ITEM_KNN) { strategy } }`);
    expect(recs.data.recommendations.map((r: { strategy: string }) => r.strategy)).toEqual(["ITEM_KNN", "ITEM_KNN", "ITEM_KNN"]);
    expect(app.logs).toContainEqual(expect.objectContaining({ level: "warn", msg: "challenger refused; the champion keeps serving", model: "item-knn", version: 2, outcome: "REFUSED", reason, champion: 1 }));

    // Trained as the champion was, on the same data: the same figures, within the margin.
    const promoted = await finished((await post(TRAIN, { name: "item-knn", challenge: true })).data.trainModel.id);
    model = await itemKnn();
    const promotedReason = `ndcg@10 ${ndcg1.toFixed(4)} >= champion v1's ${ndcg1.toFixed(4)} - 2%`;
    expect(promoted).toMatchObject({ status: "SUCCEEDED", result: { version: 3, activated: true, challenge: { outcome: "PROMOTED", reason: promotedReason, championVersion: 1 } } });
    expect(model.active).toEqual({ version: 3 });
    expect(model.versions[0].challenge).toEqual({ outcome: "PROMOTED", reason: promotedReason, metric: "ndcg@10", challenger: ndcg1, champion: ndcg1, margin: 0.02, championVersion: 1, offPolicy: null, decidedAt: expect.any(String) });
    expect((await post(`{ activeModels { name version } }`)).data.activeModels).toEqual([{ name: "item-knn", version: 3 }]);
    expect(app.logs).toContainEqual(expect.objectContaining({ level: "info", msg: "challenger promoted", model: "item-knn", version: 3, outcome: "PROMOTED" }));
  }, 120_000);

  it("refuses activate: false with challenge: true, and reports the schedule as off by default", async () => {
    expect(await post(TRAIN, { name: "item-knn", challenge: true, activate: false })).toEqual({
      data: null,
      errors: [
        {
          message: "Invalid activate: cannot be false with challenge: true (the challenger gate decides whether the version is activated); got false",
          locations: expect.any(Array),
          path: ["trainModel"],
          extensions: { code: "BAD_USER_INPUT", argument: "activate" },
        },
      ],
    });
    expect(await post(SCHEDULE)).toEqual({
      data: { retrainSchedule: { enabled: false, every: null, intervalSeconds: null, interactions: null, margin: 0.02, newInteractions: null, nextDueAt: null, lastRound: null } },
    });
  });
});

describe.each(databaseTargets())("scheduled retraining rounds on %s", (target) => {
  let t: TestDatabase;
  let app: App & { logs: LoggedLine[] };
  // A second worker on the same database (on PostgreSQL its own connection pool).
  let otherDb: Database;
  let other: Background;
  let stopped = false;
  const otherLogs: LoggedLine[] = [];
  const SCHEDULE_ENV = { MARQUEE_RETRAIN_EVERY: "5 interactions, 1d", MARQUEE_RETRAIN_POLL_INTERVAL_MS: "40", MARQUEE_JOB_POLL_INTERVAL_MS: "50", MARQUEE_CHALLENGER_MARGIN: "5%" };
  const post = async (query: string, variables?: Record<string, unknown>) => (await postGraphQL(app.url, { query, variables })).json;
  const record = (users: string[]) => post(RECORD, { i: users.map((u, k) => ({ userId: u, itemId: `i${k}`, type: "VIEW" })) });
  const roundsInDb = async () => (await t.db.sql.query<{ round: number; job_ids: number[] }>(`SELECT round, job_ids FROM retrain_rounds ORDER BY round`)).map((r) => ({ round: Number(r.round), jobs: r.job_ids.length }));

  beforeAll(async () => {
    t = await openTestDatabase(target);
    await importCatalog(t.db, clusteredCatalog());
    await trainAndActivate(t.db, ["item-knn", "popular"]);
    app = await startHttpApp(t.db, SCHEDULE_ENV);
    otherDb = t.url ? await createDatabase({ databaseUrl: t.url, poolSize: 3 }) : t.db;
    other = startBackground(otherDb, memoryLogger(otherLogs), {
      worker: true,
      watchIntervalMs: 60_000,
      jobPollIntervalMs: 50,
      ratingScale: RATING_SCALE,
      challengerMargin: 0.05,
      retrain: { everyMs: 86_400_000, everyInteractions: 5, pollIntervalMs: 40 },
    });
  }, 120_000);
  afterAll(async () => {
    if (!stopped) {
      await other?.stop();
      await app?.stop();
    }
    if (otherDb && otherDb !== t.db) await otherDb.close();
    await t?.dispose();
  });

  it("starts the schedule once, and five new interactions queue one round of challengers, once", async () => {
    const started = await waitFor("the schedule to start", async () => (await post(SCHEDULE)).data.retrainSchedule.lastRound);
    expect(started).toEqual({ round: 0, startedAt: expect.any(String), trigger: "schedule started", jobs: [] });
    const schedule = (await post(SCHEDULE)).data.retrainSchedule;
    expect(schedule).toEqual({
      enabled: true,
      every: "1d, 5 interactions",
      intervalSeconds: 86_400,
      interactions: 5,
      margin: 0.05,
      newInteractions: 0,
      nextDueAt: new Date(Date.parse(started.startedAt) + 86_400_000).toISOString(),
      lastRound: started,
    });

    // Four are not enough: several polls of both workers later, still round 0.
    await record(["u1", "u2", "u3", "u4"]);
    await new Promise((r) => setTimeout(r, 400));
    expect((await post(SCHEDULE)).data.retrainSchedule).toMatchObject({ newInteractions: 4, lastRound: { round: 0 } });

    await record(["u5"]);
    const round = await waitFor("round 1", async () => {
      const last = (await post(SCHEDULE)).data.retrainSchedule.lastRound;
      return last.round === 1 && last;
    });
    expect(round).toEqual({
      round: 1,
      startedAt: expect.any(String),
      trigger: "5 new interactions since round 0 (every 5)",
      jobs: [
        { kind: "train", status: expect.any(String), payload: { name: "item-knn", activate: true, seed: 42, params: {}, challenge: true, round: 1 } },
        { kind: "train", status: expect.any(String), payload: { name: "popular", activate: true, seed: 42, params: {}, challenge: true, round: 1 } },
      ],
    });
    // Both challengers are trained and judged (by whichever worker took each).
    const judged = await waitFor("both challengers to be judged", async () => {
      const models = (await post(VERSIONS)).data.models.filter((m: { name: string }) => ["item-knn", "popular"].includes(m.name));
      return models.every((m: { versions: { challenge: unknown }[] }) => m.versions.length === 2 && m.versions[0].challenge !== null) && models;
    });
    for (const m of judged) expect(m.versions[0].challenge).toMatchObject({ outcome: expect.stringMatching(/^(PROMOTED|REFUSED)$/), championVersion: 1, margin: 0.05 });

    // More polls from both workers queue nothing more: one round, two jobs, in all.
    await new Promise((r) => setTimeout(r, 400));
    expect(await roundsInDb()).toEqual([{ round: 0, jobs: 0 }, { round: 1, jobs: 2 }]);
    const jobs = await t.db.sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM jobs WHERE payload ? 'round'`);
    expect(jobs[0].n).toBe(2);
    const logged = [...app.logs, ...otherLogs].filter((l) => l.msg === "retraining round queued challengers");
    expect(logged).toEqual([expect.objectContaining({ level: "info", round: 1, trigger: "5 new interactions since round 0 (every 5)", jobs: expect.any(Array) })]);
  }, 120_000);

  it("two workers checking at the same instant: exactly one claims the round", async () => {
    const schedule = { everyMs: undefined, everyInteractions: 5, pollIntervalMs: 60_000 };
    const logger = memoryLogger([]);
    // Checked by hand (not started), so both checks run at the same time.
    const a = new RetrainScheduler(t.db, schedule, { logger, claimedBy: "a" });
    const b = new RetrainScheduler(otherDb, schedule, { logger, claimedBy: "b" });
    // Stop the running loops first so only a and b race.
    await other.stop();
    await app.stop();
    stopped = true;
    await t.db.sql.query(`INSERT INTO interactions (user_id, item_id, type, occurred_at) SELECT u.id, i.id, 'VIEW', now() FROM users u, items i WHERE u.external_id = 'u9' AND i.external_id LIKE 'i1%'`);
    const [x, y] = await Promise.all([a.check(), b.check()]);
    const claimed = [x, y].filter((r) => r !== null);
    expect(claimed).toEqual([expect.objectContaining({ round: 2, trigger: expect.stringMatching(/^\d+ new interactions since round 1 \(every 5\)$/) })]);
    expect(claimed[0]!.jobIds).toHaveLength(2);
    expect(await roundsInDb()).toEqual([{ round: 0, jobs: 0 }, { round: 1, jobs: 2 }, { round: 2, jobs: 2 }]);
    // Nothing more is due.
    expect(await Promise.all([a.check(), b.check()])).toEqual([null, null]);
  });
});
