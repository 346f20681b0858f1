// Training as a background job through the real server, on every target
// database: trainModel queues a job, the in-process worker runs it, job(id)
// reports it, models lists the version, and recommendations come from it.
// A second ModelStore on the same database (a second replica) follows
// activations and rollbacks when its watcher ticks.
import type { Database } from "../../src/db/Database";
import { createDatabase } from "../../src/db/createDatabase";
import { startBackground, type Background } from "../../src/jobs/startBackground";
import { ActiveVersionWatcher } from "../../src/serving/activeVersionWatcher";
import { loadModelStore, ModelStore } from "../../src/serving/ModelStore";
import { trainableModels } from "../../src/serving/trainModel";
import { trainJobHandler } from "../../src/jobs/trainJob";
import type { JobRow } from "../../src/db/jobRepository";
import { importCatalog } from "../../src/services/importService";
import { databaseTargets, openTestDatabase, type TestDatabase } from "../support/testDatabase";
import { memoryLogger, startTestServer, type LoggedLine, type TestServer } from "../support/testServer";
import { tinyCatalog } from "../serving/support/tinyCatalog";
import { RATING_SCALE } from "../serving/support/trainAndServe";
import { pollUntil } from "../support/pollUntil";

// Each file's own default timeout and polling interval.
const waitFor = <T,>(what: string, fn: () => Promise<T | undefined | null | false> | T | undefined | null | false, timeoutMs = 30_000) =>
  pollUntil(what, fn, { timeoutMs, intervalMs: 25 });

const JOB = `query ($id: ID!) { job(id: $id) {
  id kind status progress attempts error payload result startedAt finishedAt
  modelVersion { name version algorithm isActive metrics dataStats }
} }`;
const TRAIN = `mutation ($name: String!, $activate: Boolean, $seed: Int, $params: JSON) { trainModel(name: $name, activate: $activate, seed: $seed, params: $params) { id kind status progress payload } }`;
const SERVED = `{ activeModels { name version } ghost: recommendations(userId: "ghost", first: 2, strategy: POPULAR) { item { id } score strategy } }`;

describe.each(databaseTargets())("training jobs through the API on %s", (target) => {
  let t: TestDatabase;
  let server: TestServer;
  let background: Background;
  // The second replica: its own store, watcher and (on PostgreSQL) connection pool.
  let replicaDb: Database;
  let replica: ModelStore;
  let replicaWatcher: ActiveVersionWatcher;
  const logs: LoggedLine[] = [];

  async function finished(id: string) {
    return waitFor(`job ${id} to finish`, async () => {
      const answer = await server.run(JOB, { id });
      return ["SUCCEEDED", "FAILED"].includes(answer.data?.job?.status) && answer;
    });
  }

  beforeAll(async () => {
    t = await openTestDatabase(target);
    await importCatalog(t.db, tinyCatalog());
    server = await startTestServer(t.db);
    await loadModelStore(t.db);
    // What startApp runs beside the API (watcher polling rarely here: activations in this process reload at once).
    background = startBackground(t.db, memoryLogger(logs), { worker: true, watchIntervalMs: 60_000, jobPollIntervalMs: 50, ratingScale: RATING_SCALE });
    replicaDb = t.url ? await createDatabase({ databaseUrl: t.url, poolSize: 3 }) : t.db;
    replica = new ModelStore(replicaDb);
    await replica.reload();
    replicaWatcher = new ActiveVersionWatcher(replicaDb, replica, { intervalMs: 50, logger: memoryLogger(logs) });
    replicaWatcher.start();
  }, 120_000);
  afterAll(async () => {
    await replicaWatcher?.stop();
    await background?.stop();
    await server?.stop();
    if (replicaDb && replicaDb !== t.db) await replicaDb.close();
    await t?.dispose();
  });

  // Popularity on the tiny catalog, measured on a per-user 80/20 holdout
  // (seed 7): 5 users with a held-out item, each found within the top 10.
  const HELD_OUT_POPULAR = expect.objectContaining({
    fitSeconds: expect.any(Number),
    seed: 7,
    "ndcg@10": expect.closeTo(0.5097, 3),
    "precision@10": 0.1,
    "recall@10": 1,
    evaluatedUsers: 5,
    evaluation: expect.stringMatching(/holdout/),
  });

  it("trainModel queues a job; the worker trains, activates, and the server serves the new version", async () => {
    const queued = await server.run(TRAIN, { name: "popular", seed: 7 });
    expect(queued).toEqual({
      data: { trainModel: { id: expect.stringMatching(/^\d+$/), kind: "train", status: "QUEUED", progress: 0, payload: { name: "popular", activate: true, seed: 7, params: {} } } },
    });
    const answer = await finished(queued.data.trainModel.id);
    expect(answer).toEqual({
      data: {
        job: {
          id: queued.data.trainModel.id,
          kind: "train",
          status: "SUCCEEDED",
          progress: 1,
          attempts: 1,
          error: null,
          payload: { name: "popular", activate: true, seed: 7, params: {} },
          result: {
            model: "popular",
            version: 1,
            algorithm: "popularity",
            activated: true,
            params: { weighting: "count", halfLifeDays: 0 },
            metrics: HELD_OUT_POPULAR,
            dataStats: { users: 8, items: 9, features: 3, interactions: 20, nonZero: 17 },
          },
          startedAt: expect.any(String),
          finishedAt: expect.any(String),
          modelVersion: {
            name: "popular",
            version: 1,
            algorithm: "popularity",
            isActive: true,
            metrics: HELD_OUT_POPULAR,
            dataStats: expect.objectContaining({ users: 8, items: 9, interactions: 20 }),
          },
        },
      },
    });
    // This server reloaded when its worker activated the version: no restart, no wait.
    expect(await server.run(SERVED)).toEqual({
      data: { activeModels: [{ name: "popular", version: 1 }], ghost: [{ item: { id: "s1" }, score: 4, strategy: "POPULAR" }, { item: { id: "s2" }, score: 3, strategy: "POPULAR" }] },
    });
    // The other replica follows at its watcher's tick.
    await waitFor("the replica to load popular v1", async () => replica.get("popular")?.version === 1);

    const models = await server.run(`{ models { name trainable active { version } versions { name version algorithm status isActive params metrics dataStats createdAt activatedAt } } }`);
    const popular = models.data.models.find((m: { name: string }) => m.name === "popular");
    expect(popular).toEqual({
      name: "popular",
      trainable: true,
      active: { version: 1 },
      versions: [
        {
          name: "popular",
          version: 1,
          algorithm: "popularity",
          status: "TRAINED",
          isActive: true,
          params: { weighting: "count", halfLifeDays: 0 },
          metrics: HELD_OUT_POPULAR,
          dataStats: expect.objectContaining({ users: 8, items: 9, features: 3, interactions: 20, nonZero: 17 }),
          createdAt: expect.any(String),
          activatedAt: expect.any(String),
        },
      ],
    });
    expect(models.data.models.map((m: { name: string }) => m.name)).toEqual([...trainableModels()].sort());
    expect(models.data.models.filter((m: { versions: unknown[] }) => m.versions.length > 0).map((m: { name: string }) => m.name)).toEqual(["popular"]);
  });

  it("activate: false trains a version without serving it; activate and rollback swap both replicas", async () => {
    // Three more users like s4: version 2 ranks it first.
    await server.run(`mutation { recordInteractions(interactions: [
      { userId: "x1", itemId: "s4", type: LIKE }, { userId: "x2", itemId: "s4", type: LIKE }, { userId: "x3", itemId: "s4", type: LIKE }
    ]) { created } }`);
    const queued = await server.run(TRAIN, { name: "popular", activate: false });
    expect(queued.data.trainModel.payload).toEqual({ name: "popular", activate: false, seed: 42, params: {} });
    const done = await finished(queued.data.trainModel.id);
    expect(done.data.job).toMatchObject({ status: "SUCCEEDED", result: { version: 2, activated: false }, modelVersion: { version: 2, isActive: false } });
    expect((await server.run(SERVED)).data.activeModels).toEqual([{ name: "popular", version: 1 }]);

    const activated = await server.run(`mutation { activateModel(name: "popular", version: 2) { name version isActive activatedAt } }`);
    expect(activated).toEqual({ data: { activateModel: { name: "popular", version: 2, isActive: true, activatedAt: expect.any(String) } } });
    expect(await server.run(SERVED)).toEqual({
      data: { activeModels: [{ name: "popular", version: 2 }], ghost: [{ item: { id: "s4" }, score: 5, strategy: "POPULAR" }, { item: { id: "s1" }, score: 4, strategy: "POPULAR" }] },
    });
    await waitFor("the replica to load popular v2", async () => replica.get("popular")?.version === 2);

    expect(await server.run(`mutation { rollbackModel(name: "popular") { name version isActive } }`)).toEqual({
      data: { rollbackModel: { name: "popular", version: 1, isActive: true } },
    });
    expect((await server.run(SERVED)).data.ghost[0]).toEqual({ item: { id: "s1" }, score: 4, strategy: "POPULAR" });
    await waitFor("the replica to roll back to popular v1", async () => replica.get("popular")?.version === 1);
    expect(logs.some((l) => l.msg === "active model versions changed; reloaded" && l.to === "popular@1.0")).toBe(true);

    // A tick with nothing changed reloads nothing.
    expect(await replicaWatcher.check()).toBe(false);
    // A version rewritten in place (deleteUser scrubs it and bumps its
    // revision) is reloaded by every replica.
    await t.db.sql.query(`UPDATE model_versions SET revision = revision + 1 WHERE name = 'popular' AND is_active`);
    await waitFor("the replica to reload popular v1 revision 1", async () => replica.get("popular")?.revision === 1);
    expect(replica.get("popular")?.version).toBe(1);
  });

  it("a training job that cannot succeed ends FAILED with the reason", async () => {
    // No interactions, users or items left to train on.
    const other = await openTestDatabase(target);
    const lonely = await startTestServer(other.db);
    const bg = startBackground(other.db, memoryLogger([]), { worker: true, watchIntervalMs: 60_000, jobPollIntervalMs: 50, ratingScale: RATING_SCALE });
    try {
      const queued = await lonely.run(TRAIN, { name: "item-knn" });
      const job = await waitFor("the job to fail", async () => {
        const answer = await lonely.run(`query ($id: ID!) { job(id: $id) { status error progress modelVersion { version } } }`, { id: queued.data.trainModel.id });
        return answer.data.job.status === "FAILED" && answer;
      });
      expect(job).toEqual({ data: { job: { status: "FAILED", error: "the database has no users or no items to train on", progress: 0, modelVersion: null } } });
    } finally {
      await bg.stop();
      await lonely.stop();
      await other.dispose();
    }
  }, 60_000);

  it("says which input was wrong: unknown model, version, job, nothing to roll back to", async () => {
    const known = trainableModels();
    expect(await server.run(TRAIN, { name: "nope" })).toEqual({
      data: null,
      errors: [
        {
          message: `Invalid name: must be a model that can be trained: ${known.join(", ")}; got "nope"`,
          locations: expect.any(Array),
          path: ["trainModel"],
          extensions: { code: "BAD_USER_INPUT", argument: "name" },
        },
      ],
    });
    const notFound = (what: string, id: string, argument: string) => ({
      message: `No ${what} with id ${JSON.stringify(id)}`,
      locations: expect.any(Array),
      path: expect.any(Array),
      extensions: { code: "NOT_FOUND", argument, ids: [id] },
    });
    expect(await server.run(`mutation { activateModel(name: "popular", version: 99) { version } }`)).toEqual({
      data: null,
      errors: [notFound("model version", "popular@99", "version")],
    });
    expect(await server.run(`mutation { activateModel(name: "nope", version: 1) { version } }`)).toEqual({
      data: null,
      errors: [notFound("model version", "nope@1", "version")],
    });
    expect(await server.run(`{ a: job(id: "999999") { id } }`)).toEqual({ data: { a: null }, errors: [notFound("job", "999999", "id")] });
    expect(await server.run(`{ b: job(id: "abc") { id } }`)).toEqual({ data: { b: null }, errors: [notFound("job", "abc", "id")] });
    expect(await server.run(`mutation { rollbackModel(name: "item-knn") { version } }`)).toEqual({
      data: null,
      errors: [
        {
          message: `Invalid name: has no previously active version to roll back to; got "item-knn"`,
          locations: expect.any(Array),
          path: ["rollbackModel"],
          extensions: { code: "BAD_USER_INPUT", argument: "name" },
        },
      ],
    });
  });

  it("trainModel's params: the job carries them, the version is fitted with them and stores them", async () => {
    const queued = await server.run(TRAIN, { name: "ials", activate: false, seed: 5, params: { nFactors: 3, alpha: 10 } });
    expect(queued.data.trainModel.payload).toEqual({ name: "ials", activate: false, seed: 5, params: { nFactors: 3, alpha: 10 } });
    const effective = { nFactors: 3, nIterations: 8, regularization: 50, alpha: 10, cgSteps: 2, initStd: 0.01, weightedRegularization: false };
    const done = await finished(queued.data.trainModel.id);
    expect(done.data.job).toMatchObject({ status: "SUCCEEDED", result: { model: "ials", version: 1, activated: false, params: effective } });
    const models = await server.run(`{ models { name versions { version params givenParams } } }`);
    expect(models.data.models.find((m: { name: string }) => m.name === "ials")).toEqual({ name: "ials", versions: [{ version: 1, params: effective, givenParams: { nFactors: 3, alpha: 10 } }] });
    // Three factors per item were stored.
    const [bytes] = await t.db.sql.query<{ n: number }>(
      `SELECT octet_length(a.data) AS n FROM model_artifacts a JOIN model_versions v ON v.id = a.model_version_id WHERE v.name = 'ials' AND a.key = 'array.itemFactors'`,
    );
    expect(Number(bytes.n)).toBe(9 * 3 * 4);
  });

  it("trainModel's params: an unknown name, a wrong type or a value out of range is BAD_USER_INPUT naming it, and queues nothing", async () => {
    const jobsBefore = await t.db.sql.query(`SELECT count(*)::int AS n FROM jobs`);
    const refused = (argument: string, message: string) => ({
      data: null,
      errors: [{ message, locations: expect.any(Array), path: ["trainModel"], extensions: { code: "BAD_USER_INPUT", argument } }],
    });
    expect(await server.run(TRAIN, { name: "ials", params: { alphaa: 10 } })).toEqual(
      refused("params.alphaa", "Invalid params.alphaa: is not a parameter of ials; known: alpha, cgSteps, initStd, nFactors, nIterations, regularization, weightedRegularization; got 10"),
    );
    expect(await server.run(TRAIN, { name: "ials", params: { nFactors: "64" } })).toEqual(refused("params.nFactors", `Invalid params.nFactors: must be an integer from 1 to 1024; got "64"`));
    expect(await server.run(TRAIN, { name: "ials", params: { nFactors: 2.5 } })).toEqual(refused("params.nFactors", "Invalid params.nFactors: must be an integer from 1 to 1024; got 2.5"));
    expect(await server.run(TRAIN, { name: "ials", params: { alpha: -2 } })).toEqual(refused("params.alpha", "Invalid params.alpha: must be a number from 0 to 1000000; got -2"));
    expect(await server.run(TRAIN, { name: "item-knn", params: { baseline: { regU: -1 } } })).toEqual(
      refused("params.baseline.regU", "Invalid params.baseline.regU: must be a number from 0 to 1000000; got -1"),
    );
    expect(await server.run(TRAIN, { name: "user-knn", params: { k: 5, minK: 6 } })).toEqual(refused("params.minK", "Invalid params.minK: must be at most k (5); got 6"));
    // In the query text as well as in variables.
    expect(await server.run(`mutation { trainModel(name: "popular", params: { weighting: "median" }) { id } }`)).toEqual(
      refused("params.weighting", `Invalid params.weighting: must be one of count, sum; got "median"`),
    );
    // Not an object at all: the JSON scalar refuses it while coercing the variable.
    expect(await server.run(TRAIN, { name: "ials", params: [1] })).toEqual({
      errors: [
        {
          message: `Variable "$params" got invalid value [1]; JSON attributes must be an object; got [1]`,
          locations: expect.any(Array),
          extensions: { code: "BAD_USER_INPUT" },
        },
      ],
    });
    expect(await t.db.sql.query(`SELECT count(*)::int AS n FROM jobs`)).toEqual(jobsBefore);
  });
});

describe("a training job taken over by another worker", () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await openTestDatabase("pglite");
    await importCatalog(t.db, tinyCatalog());
  });
  afterAll(async () => {
    await t?.dispose();
  });

  it("keeps its trained version but does not activate it", async () => {
    const handler = trainJobHandler(t.db, { ratingScale: RATING_SCALE });
    const job = { id: 41 } as unknown as JobRow;
    await expect(handler({ name: "popular", activate: true, seed: 1 }, { job, reportProgress: () => undefined, stillOwned: async () => false })).rejects.toThrow(
      "job 41 was taken over by another worker; version 1 saved but not activated",
    );
    expect(await t.db.sql.query(`SELECT name, version, is_active FROM model_versions`)).toEqual([{ name: "popular", version: 1, is_active: false }]);
    const owned = await handler({ name: "popular", activate: true, seed: 1 }, { job, reportProgress: () => undefined, stillOwned: async () => true });
    expect(owned).toMatchObject({ model: "popular", version: 2, activated: true });
  });
});
