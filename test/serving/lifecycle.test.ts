// The model lifecycle slice: train -> save a version -> activate -> the
// server loads it and serves it; a newer version replaces it on reload();
// rolling back re-activates the previous one and the served answer follows.
import { databaseTargets, openTestDatabase, type TestDatabase } from "../support/testDatabase";
import { startTestServer, type TestServer } from "../support/testServer";
import { importCatalog } from "../../src/services/importService";
import { activateModelVersion, listModelVersions, loadActiveModels, rollbackModel, saveModelVersion } from "../../src/db/modelRepository";
import { readTrainingData } from "../../src/db/trainingDataRepository";
import { loadModelStore, modelStoreOf } from "../../src/serving/ModelStore";
import { trainModel } from "../../src/serving/trainModel";
import { parseTrainArgs } from "../../src/cli/train";
import { tinyCatalog } from "./support/tinyCatalog";
import { RATING_SCALE } from "./support/trainAndServe";

const SERVED = `{ activeModels { name version } ghost: recommendations(userId: "ghost", first: 2, strategy: POPULAR) { item { id } score strategy } }`;

describe.each(databaseTargets())("model lifecycle on %s", (target) => {
  let t: TestDatabase;
  let server: TestServer;
  beforeAll(async () => {
    t = await openTestDatabase(target);
    await importCatalog(t.db, tinyCatalog());
    server = await startTestServer(t.db);
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
    await t?.dispose();
  });

  it("serves popularity counted in the database before any model is trained", async () => {
    await loadModelStore(t.db);
    expect(await server.run(`{ activeModels { name } r: recommendations(userId: "ann", first: 1) { item { id } strategy reasons { __typename ... on Fallback { requested served why } } } }`)).toEqual({
      data: {
        activeModels: [],
        r: [
          {
            item: { id: "s2" },
            strategy: "POPULAR",
            reasons: [{ __typename: "Popular" }, { __typename: "Fallback", requested: "HYBRID", served: "POPULAR", why: "hybrid, item-knn and content are not trained" }],
          },
        ],
      },
    });
  });

  it("train -> activate -> serve, a new version on reload, rollback to the previous one", async () => {
    const v1 = await trainModel(t.db, "popular", { seed: 1, ratingScale: RATING_SCALE });
    expect(v1.version).toMatchObject({ name: "popular", version: 1, isActive: false, algorithm: "popularity" });
    expect(v1.dataStats).toEqual({ users: 8, items: 9, features: 3, interactions: 20, nonZero: 17 });
    await activateModelVersion(t.db, "popular", 1);
    await modelStoreOf(t.db).reload();
    // s1 has 4 users, s2 3.
    expect(await server.run(SERVED)).toEqual({
      data: { activeModels: [{ name: "popular", version: 1 }], ghost: [{ item: { id: "s1" }, score: 4, strategy: "POPULAR" }, { item: { id: "s2" }, score: 3, strategy: "POPULAR" }] },
    });

    // Three more users like s4; version 2 learns it, but serving changes only on activation + reload.
    await server.run(`mutation { recordInteractions(interactions: [
      { userId: "x1", itemId: "s4", type: LIKE }, { userId: "x2", itemId: "s4", type: LIKE }, { userId: "x3", itemId: "s4", type: LIKE }
    ]) { created } }`);
    const v2 = await trainModel(t.db, "popular", { seed: 1, ratingScale: RATING_SCALE });
    expect(v2.version.version).toBe(2);
    await modelStoreOf(t.db).reload();
    expect((await server.run(SERVED)).data.activeModels).toEqual([{ name: "popular", version: 1 }]);
    await activateModelVersion(t.db, "popular", 2);
    await modelStoreOf(t.db).reload();
    expect(await server.run(SERVED)).toEqual({
      data: { activeModels: [{ name: "popular", version: 2 }], ghost: [{ item: { id: "s4" }, score: 5, strategy: "POPULAR" }, { item: { id: "s1" }, score: 4, strategy: "POPULAR" }] },
    });

    const back = await rollbackModel(t.db, "popular");
    expect(back).toMatchObject({ name: "popular", version: 1, isActive: true });
    await modelStoreOf(t.db).reload();
    expect((await server.run(SERVED)).data).toEqual({
      activeModels: [{ name: "popular", version: 1 }],
      ghost: [{ item: { id: "s1" }, score: 4, strategy: "POPULAR" }, { item: { id: "s2" }, score: 3, strategy: "POPULAR" }],
    });
    expect((await listModelVersions(t.db, "popular")).map((v) => [v.version, v.isActive])).toEqual([[2, false], [1, true]]);

    // A reload asked for while one runs is run again after it, so it sees a
    // change made in between.
    const store = modelStoreOf(t.db);
    const running = store.reload();
    await activateModelVersion(t.db, "popular", 2);
    await Promise.all([running, store.reload(), store.reload()]);
    expect(store.get("popular")?.version).toBe(2);
    await rollbackModel(t.db, "popular");
    await store.reload();
    expect(store.get("popular")?.version).toBe(1);
  });

  it("keeps one active version per name, and says null for what does not exist", async () => {
    expect(await activateModelVersion(t.db, "popular", 99)).toBeNull();
    expect(await rollbackModel(t.db, "never-trained")).toBeNull();
    const active = (await listModelVersions(t.db)).filter((v) => v.isActive);
    expect(active.map((v) => `${v.name}@${v.version}`)).toEqual(["popular@1"]);
  });

  it("stores every array as raw little-endian bytes and loads it back bit for bit", async () => {
    const arrays = {
      f32: Float32Array.of(0.1, -2.5, Number.MAX_VALUE > 1 ? 3.4e38 : 0, Number.NaN),
      f64: Float64Array.of(Math.PI, -0, 1e-300),
      i32: Int32Array.of(-2147483648, 0, 2147483647),
      empty: new Float32Array(0),
    };
    const saved = await saveModelVersion(t.db, {
      name: "bytes-test",
      serialized: { algorithm: "popularity", params: { a: 1 }, meta: { b: [2] }, arrays, userState: {} },
      index: { users: Int32Array.of(7), items: Int32Array.of(8, 9), features: new Int32Array(0) },
    });
    await activateModelVersion(t.db, "bytes-test", saved.version);
    const loaded = (await loadActiveModels(t.db)).find((m) => m.name === "bytes-test")!;
    expect(loaded.serialized.params).toEqual({ a: 1 });
    expect(loaded.serialized.meta).toEqual({ b: [2] });
    for (const [key, a] of Object.entries(arrays)) {
      const b = loaded.serialized.arrays[key];
      expect(Object.prototype.toString.call(b)).toBe(Object.prototype.toString.call(a));
      expect(Buffer.from(b.buffer, b.byteOffset, b.byteLength).equals(Buffer.from(a.buffer, a.byteOffset, a.byteLength))).toBe(true);
    }
    expect(Array.from(loaded.index.items)).toEqual([8, 9]);
    const raw = await t.db.prisma.modelArtifact.findUnique({ where: { modelVersionId_key_part: { modelVersionId: saved.id, key: "array.i32", part: 0 } } });
    expect(Array.from(raw!.data)).toEqual([0, 0, 0, 0x80, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0x7f]);
    // Clean up: the store must not try to serve a made-up model.
    await t.db.prisma.modelVersion.delete({ where: { id: saved.id } });
  });

  it("stores an array larger than a part across rows, in order, and loads it back whole", async () => {
    // 10 float32 = 40 bytes in parts of 16: rows of 16, 16 and 8 bytes.
    const weights = Float32Array.from({ length: 10 }, (_, k) => k + 0.5);
    const saved = await saveModelVersion(t.db, {
      name: "parts-test",
      serialized: { algorithm: "popularity", params: {}, meta: {}, arrays: { weights, small: Int32Array.of(3) }, userState: {} },
      index: { users: new Int32Array(0), items: Int32Array.of(8), features: new Int32Array(0) },
      partBytes: 16,
    });
    const rows = await t.db.prisma.$queryRawUnsafe<{ key: string; part: number; bytes: number }[]>(
      `SELECT key, part, length(data) AS bytes FROM model_artifacts WHERE model_version_id = $1 AND key IN ('array.weights', 'array.small') ORDER BY key, part`,
      saved.id,
    );
    expect(rows.map((r) => [r.key, Number(r.part), Number(r.bytes)])).toEqual([
      ["array.small", 0, 4],
      ["array.weights", 0, 16],
      ["array.weights", 1, 16],
      ["array.weights", 2, 8],
    ]);
    await activateModelVersion(t.db, "parts-test", saved.version);
    const loaded = (await loadActiveModels(t.db)).find((m) => m.name === "parts-test")!;
    expect(Array.from(loaded.serialized.arrays.weights)).toEqual(Array.from(weights));
    expect(Array.from(loaded.serialized.arrays.small)).toEqual([3]);
    // A missing middle part is an error, not a silently shorter array.
    await t.db.prisma.$executeRawUnsafe(`DELETE FROM model_artifacts WHERE model_version_id = $1 AND key = 'array.weights' AND part = 1`, saved.id);
    await expect(loadActiveModels(t.db)).rejects.toThrow("artifact part 1 is missing");
    await t.db.prisma.modelVersion.delete({ where: { id: saved.id } });
  });

  it("trains every model on one snapshot, deterministically for a seed", async () => {
    const data = await readTrainingData(t.db);
    const a = await trainModel(t.db, "item-knn", { seed: 7, ratingScale: RATING_SCALE, data });
    const b = await trainModel(t.db, "item-knn", { seed: 7, ratingScale: RATING_SCALE, data });
    expect([a.version.version, b.version.version]).toEqual([1, 2]);
    await activateModelVersion(t.db, "item-knn", 1);
    const first = (await loadActiveModels(t.db)).find((m) => m.name === "item-knn")!;
    await activateModelVersion(t.db, "item-knn", 2);
    const second = (await loadActiveModels(t.db)).find((m) => m.name === "item-knn")!;
    expect(second.serialized).toEqual(first.serialized);
    await expect(trainModel(t.db, "svd-extreme", { seed: 1, ratingScale: RATING_SCALE })).rejects.toThrow(/unknown model "svd-extreme"; known: popular, item-knn, user-knn, content, baseline, ials, bpr, svd, ease, vae, hybrid/);
  });

  it("parses the train command line", () => {
    expect(parseTrainArgs(["--model", "item-knn"])).toEqual({ models: ["item-knn"], seed: 42, activate: true, evaluate: true, params: {} });
    expect(parseTrainArgs(["--model", "ials", "--no-evaluate"])).toEqual({ models: ["ials"], seed: 42, activate: true, evaluate: false, params: {} });
    expect(parseTrainArgs(["--model=all", "--seed", "3", "--no-activate"])).toEqual({
      models: ["popular", "item-knn", "user-knn", "content", "baseline", "ials", "bpr", "svd", "ease", "vae", "hybrid", "transitions", "sasrec", "gru4rec"],
      seed: 3,
      activate: false,
      evaluate: true,
      params: {},
    });
    expect(parseTrainArgs(["--model", "popular,ials,popular"]).models).toEqual(["popular", "ials"]);
    expect(() => parseTrainArgs(["--model", "popular,svd-extreme"])).toThrow(/unknown model "svd-extreme"/);
    expect(() => parseTrainArgs([])).toThrow(/--model is required/);
    expect(() => parseTrainArgs(["--model", "svd-extreme"])).toThrow(/unknown model "svd-extreme"/);
  });
});
