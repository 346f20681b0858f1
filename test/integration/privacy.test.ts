// exportUser returns everything stored about a user; deleteUser removes it
// all, including the user's trace in every stored model version — proved
// with SQL over the tables and the model artifacts themselves, for every
// servable model (and for versions stored before models declared their
// per-user state).
import crypto from "node:crypto";
import { databaseTargets, openTestDatabase, type TestDatabase } from "../support/testDatabase";
import { startTestServer, type TestServer } from "../support/testServer";
import { importCatalog } from "../../src/services/importService";
import { tinyCatalog } from "../serving/support/tinyCatalog";
import { trainModel } from "../../src/serving/trainModel";
import { activateModelVersion, decodeArray, saveModelVersion, storedUserState, type StoredParams } from "../../src/db/modelRepository";
import { modelStoreOf } from "../../src/serving/ModelStore";
import { SERVING_ALGORITHMS } from "../../src/serving/servingAlgorithms";
import { idsOf, readTrainingData } from "../../src/db/trainingDataRepository";
import { buildTrainingSet } from "../../src/engine/data/buildTrainingSet";
import { buildItemFeatures } from "../../src/engine/data/buildItemFeatures";
import { contentBased } from "../../src/engine/algorithms/content";
import { enableImpressionLog, stopImpressionLog } from "../../src/serving/impressionLog";
import { IMPRESSIONS_USERS_LOCK, insertImpressions } from "../../src/db/impressionRepository";
import { deleteUserByExternalId } from "../../src/db/userRepository";
import { assignArm } from "../../src/engine/experiments/assignArm";

const RATING_SCALE = { min: 0.5, max: 5 };
type Dtype = "float32" | "float64" | "int32";

describe.each(databaseTargets())("privacy operations on %s", (target) => {
  let t: TestDatabase;
  let server: TestServer;
  let u1: number;
  beforeAll(async () => {
    t = await openTestDatabase(target);
    await importCatalog(t.db, tinyCatalog());
    await t.db.sql.query(`UPDATE users SET attributes = '{"country":"SE","plan":"family"}' WHERE external_id = 'u1'`);
    u1 = (await t.db.sql.query<{ id: number }>(`SELECT id FROM users WHERE external_id = 'u1'`))[0].id;
    const data = await readTrainingData(t.db);
    for (const { name } of SERVING_ALGORITHMS) {
      await trainModel(t.db, name, { seed: 1, ratingScale: RATING_SCALE, data, evaluate: false });
      await activateModelVersion(t.db, name, 1);
    }
    await trainModel(t.db, "item-knn", { seed: 2, ratingScale: RATING_SCALE, data, evaluate: false });
    // Versions stored before models declared their per-user state: a
    // baseline, and a content model that kept every training user's ratings.
    await trainModel(t.db, "baseline", { seed: 2, ratingScale: RATING_SCALE, data, evaluate: false });
    const set = buildTrainingSet(data.interactions, {
      nUsers: data.users.size,
      nItems: data.items.size,
      explicit: false,
      ratingScale: RATING_SCALE,
      itemFeatures: buildItemFeatures(data.items.size, data.features.size, data.itemFeatures),
    });
    const content = contentBased.fit(set, {}, { seed: 1 }).serialize!();
    await saveModelVersion(t.db, {
      name: "content",
      serialized: {
        ...content,
        meta: { ...content.meta, nUsers: set.nUsers },
        arrays: { ...content.arrays, "ratings.indptr": set.ratings.indptr, "ratings.indices": set.ratings.indices, "ratings.values": set.ratings.values },
        userState: {},
      },
      index: { users: idsOf(data.users), items: idsOf(data.items), features: idsOf(data.features) },
    });
    await t.db.sql.query(`UPDATE model_versions SET params = params - 'userState' WHERE (name = 'baseline' OR name = 'content') AND version = 2`);
    await modelStoreOf(t.db).reload();
    server = await startTestServer(t.db);
    // Answers are logged as the app logs them (written when a write needs them).
    enableImpressionLog(t.db, (batch) => insertImpressions(t.db, batch), { batchSize: 500, flushIntervalMs: 600_000, maxBuffered: 1000 });
  }, 120_000);
  afterAll(async () => {
    if (t) await stopImpressionLog(t.db);
    await server?.stop();
    await t?.dispose();
  });

  async function versionsHolding(userId: number): Promise<string[]> {
    const rows = await t.db.sql.query<{ name: string; version: number; data: Uint8Array }>(
      `SELECT v.name, v.version, a.data FROM model_artifacts a JOIN model_versions v ON v.id = a.model_version_id WHERE a.key = 'index.users' ORDER BY v.name, v.version`,
    );
    return rows.filter((r) => (decodeArray(r.data, "int32") as Int32Array).includes(userId)).map((r) => `${r.name}@${r.version}`);
  }

  it("exports the profile, every interaction, the impressions and attributions, and the model versions that hold the user", async () => {
    // What u1 was shown, and an interaction re-sent naming that answer; u2's and an anonymous answer are not u1's.
    const shown = await server.run(`{ recommendations(userId: "u1", first: 2, strategy: POPULAR) { item { id } rank score impressionId } }`);
    await server.run(`{ recommendations(userId: "u2", first: 1, strategy: POPULAR) { impressionId } }`);
    await server.run(`{ similarItems(itemId: "s1", first: 1) { impressionId } }`);
    const [first, second] = shown.data.recommendations;
    expect(second.impressionId).toBe(first.impressionId);
    const resent = await server.run(
      `mutation($i: [InteractionInput!]!) { recordInteractions(interactions: $i) { accepted created unchanged } }`,
      { i: [{ userId: "u1", itemId: "s1", type: "LIKE", occurredAt: "2026-01-01T00:00:00.000Z", impressionId: first.impressionId, position: 4 }] },
    );
    expect(resent).toEqual({ data: { recordInteractions: { accepted: 1, created: 0, unchanged: 1 } } });
    // An experiment that ran (a draft is no assignment): u1's arm is computed, not stored.
    const created = await server.run(`mutation { createExperiment(input: { name: "privacy-ab", arms: [{ name: "control", strategy: POPULAR, weight: 1 }, { name: "knn", strategy: ITEM_KNN, weight: 1 }] }) { id } }`);
    const experimentId = created.data.createExperiment.id;
    await server.run(`mutation($id: ID!) { startExperiment(id: $id) { status } }`, { id: experimentId });
    await server.run(`mutation($id: ID!) { stopExperiment(id: $id) { status } }`, { id: experimentId });
    await server.run(`mutation { createExperiment(input: { name: "privacy-draft", arms: [{ name: "a", strategy: POPULAR, weight: 1 }, { name: "b", strategy: POPULAR, weight: 1 }] }) { id } }`);
    const arm = ["control", "knn"][assignArm(Number(experimentId), "u1", [1, 1])];
    const answer = await server.run(`{ exportUser(id: "u1") }`);
    expect(answer).toEqual({
      data: {
        exportUser: {
          exportedAt: expect.any(String),
          user: { id: "u1", attributes: { country: "SE", plan: "family" }, createdAt: expect.any(String), updatedAt: expect.any(String) },
          interactions: [
            { itemId: "s1", itemTitle: "Title s1", type: "LIKE", value: 1, occurredAt: "2026-01-01T00:00:00.000Z" },
            { itemId: "s2", itemTitle: "Title s2", type: "LIKE", value: 1, occurredAt: "2026-01-02T00:00:00.000Z" },
            { itemId: "s3", itemTitle: "Title s3", type: "LIKE", value: 1, occurredAt: "2026-01-03T00:00:00.000Z" },
            { itemId: "s1", itemTitle: "Title s1", type: "RATING", value: 5, occurredAt: "2026-01-10T00:00:00.000Z" },
          ],
          impressions: [
            {
              id: first.impressionId,
              surface: "recommendations",
              strategy: "POPULAR",
              model: "popular@1",
              shownAt: expect.any(String),
              items: [
                { itemId: first.item.id, rank: 1, rail: null, score: first.score, propensity: null },
                { itemId: second.item.id, rank: 2, rail: null, score: second.score, propensity: null },
              ],
            },
          ],
          // s1 was not in the answer (u1 had seen it): no rank.
          attributions: [
            { itemId: "s1", type: "LIKE", occurredAt: "2026-01-01T00:00:00.000Z", impressionId: first.impressionId, position: 4, rank: null, inferred: false },
          ],
          experiments: [{ experiment: "privacy-ab", status: "STOPPED", arm, servedAs: arm }],
          models: [
            { name: "baseline", version: 1, perUserData: ["userBias"] },
            { name: "baseline", version: 2, perUserData: ["userBias"] },
            { name: "content", version: 2, perUserData: ["ratings"] },
            { name: "item-knn", version: 1, perUserData: ["userBias", "ratings"] },
            { name: "item-knn", version: 2, perUserData: ["userBias", "ratings"] },
            { name: "user-knn", version: 1, perUserData: ["userBias", "ratings", "neighbours"] },
          ],
        },
      },
    });
    expect(await server.run(`{ exportUser(id: "nobody") }`)).toEqual({
      data: null,
      errors: [expect.objectContaining({ message: 'No user with id "nobody"', extensions: { code: "NOT_FOUND", argument: "id", ids: ["nobody"] } })],
    });
  });

  interface StoredVersion {
    id: number;
    label: string;
    revision: number;
    params: StoredParams;
    artifacts: Map<string, Uint8Array>;
  }

  // Every stored version with its raw artifacts.
  async function storedVersions(): Promise<StoredVersion[]> {
    const versions = await t.db.sql.query<{ id: number; label: string; revision: number; params: StoredParams }>(
      `SELECT id, name || '@' || version AS label, revision, params FROM model_versions ORDER BY name, version`,
    );
    const artifacts = await t.db.sql.query<{ model_version_id: number; key: string; data: Uint8Array }>(`SELECT model_version_id, key, data FROM model_artifacts`);
    return versions.map((v) => ({
      ...v,
      artifacts: new Map(artifacts.filter((a) => a.model_version_id === v.id).map((a) => [a.key, new Uint8Array(a.data)])),
    }));
  }

  const decoded = (v: StoredVersion, key: string) => Array.from(decodeArray(v.artifacts.get(key)!, v.params.dtypes[key] as Dtype));

  // What a version holds at a user position, per declared per-user array:
  // the row's values, the CSR row's entry count, and graph entries naming it.
  function heldAt(v: StoredVersion, position: number): Record<string, unknown> {
    const layout = storedUserState(v.params);
    const held: Record<string, unknown> = {};
    for (const [key, width] of Object.entries(layout.rows ?? {})) held[key] = decoded(v, `array.${key}`).slice(position * width, (position + 1) * width);
    for (const prefix of layout.csr ?? []) {
      const ptr = decoded(v, `array.${prefix}.indptr`);
      held[prefix] = ptr[position + 1] - ptr[position];
    }
    for (const prefix of layout.userGraph ?? []) {
      const ptr = decoded(v, `array.${prefix}.indptr`);
      held[prefix] = ptr[position + 1] - ptr[position] + decoded(v, `array.${prefix}.indices`).filter((i) => i === position).length;
    }
    return held;
  }

  it("deletes the user, their interactions and their trace in every model version, in one go", async () => {
    const holders = ["baseline@1", "baseline@2", "content@2", "item-knn@1", "item-knn@2", "user-knn@1"];
    expect(await versionsHolding(u1)).toEqual(holders);
    const before = await storedVersions();
    // Every servable model is stored, and only models with per-user state keep a list of users.
    expect(before.map((v) => v.label)).toEqual(expect.arrayContaining(SERVING_ALGORITHMS.map((a) => `${a.name}@1`)));
    for (const v of before) {
      expect({ v: v.label, users: decoded(v, "index.users").length > 0 }).toEqual({ v: v.label, users: holders.includes(v.label) || ["user-knn@1"].includes(v.label) });
    }
    const positions = new Map(before.map((v) => [v.label, decoded(v, "index.users").indexOf(u1)]));
    const heldBefore = Object.fromEntries(before.filter((v) => holders.includes(v.label)).map((v) => [v.label, heldAt(v, positions.get(v.label)!)]));
    // Worked from the catalog: u1 has one rating (the bias models' row), three likes and a rating
    // on three items (the implicit ratings rows), and user-knn neighbours.
    expect(heldBefore["baseline@1"]).toEqual({ userBias: [expect.any(Number)] });
    expect((heldBefore["baseline@1"].userBias as number[])[0]).not.toBe(0);
    expect(heldBefore["content@2"]).toEqual({ ratings: 3 });
    expect(heldBefore["item-knn@1"]).toMatchObject({ ratings: 3 });
    expect((heldBefore["user-knn@1"].neighbours as number)).toBeGreaterThan(0);

    // Every impression and attribution row, by whose they are.
    const feedbackRows = async () => ({
      impressions: await t.db.sql.query<{ id: string; user_id: number | null }>(`SELECT id::text, user_id, item_ids, ranks, scores FROM impressions ORDER BY id`),
      attributions: await t.db.sql.query(`SELECT a.interaction_id::text, a.impression_id::text, i.user_id FROM interaction_attributions a JOIN interactions i ON i.id = a.interaction_id ORDER BY 1`),
    });
    const feedbackBefore = await feedbackRows();
    expect(feedbackBefore.impressions.filter((r) => r.user_id === u1)).toHaveLength(1);
    expect(feedbackBefore.impressions.filter((r) => r.user_id !== u1)).toHaveLength(2); // u2's and the anonymous one
    expect(feedbackBefore.attributions).toEqual([{ interaction_id: expect.any(String), impression_id: feedbackBefore.impressions.find((r) => r.user_id === u1)!.id, user_id: u1 }]);

    expect(await server.run(`mutation { deleteUser(id: "u1") { id deletedInteractions } }`)).toEqual({
      data: { deleteUser: { id: "u1", deletedInteractions: 4 } },
    });
    // u1's impressions and attributions are gone; nothing else changed.
    expect(await feedbackRows()).toEqual({
      impressions: feedbackBefore.impressions.filter((r) => r.user_id !== u1),
      attributions: [],
    });
    expect(await t.db.sql.query(`SELECT id FROM users WHERE id = $1 OR external_id = 'u1'`, [u1])).toEqual([]);
    // Experiment assignments are computed by hashing (experiment, user) and
    // never stored: the experiment tables have no column about a user.
    expect(await t.db.sql.query(`SELECT column_name FROM information_schema.columns WHERE table_name IN ('experiments', 'experiment_arms') AND column_name LIKE '%user%'`)).toEqual([]);
    expect(await t.db.sql.query(`SELECT user_id FROM interactions WHERE user_id = $1`, [u1])).toEqual([]);
    expect(await versionsHolding(u1)).toEqual([]);

    const after = await storedVersions();
    for (const v of after) {
      const was = before.find((b) => b.label === v.label)!;
      const layout = storedUserState(v.params);
      const perUser = new Set([
        "index.users",
        ...Object.keys(layout.rows ?? {}).map((k) => `array.${k}`),
        ...[...(layout.csr ?? []), ...(layout.userGraph ?? [])].flatMap((p) => ["indptr", "indices", "values"].map((part) => `array.${p}.${part}`)),
      ]);
      // Only declared per-user arrays were rewritten; everything else is byte for byte what it was.
      const changed = [...v.artifacts.keys()].filter((key) => Buffer.compare(Buffer.from(v.artifacts.get(key)!), Buffer.from(was.artifacts.get(key)!)) !== 0);
      expect({ v: v.label, undeclaredChanges: changed.filter((key) => !perUser.has(key)) }).toEqual({ v: v.label, undeclaredChanges: [] });
      if (holders.includes(v.label)) {
        const position = positions.get(v.label)!;
        expect(decoded(v, "index.users")[position]).toBe(-1);
        const zeroed = Object.fromEntries(Object.entries(heldBefore[v.label]).map(([key, value]) => [key, Array.isArray(value) ? value.map(() => 0) : 0]));
        expect({ v: v.label, held: heldAt(v, position) }).toEqual({ v: v.label, held: zeroed });
        // Every rewritten version's revision went up, so other replicas reload it.
        expect({ v: v.label, revision: v.revision - was.revision }).toEqual({ v: v.label, revision: 1 });
      } else {
        expect({ v: v.label, changed, revision: v.revision - was.revision }).toEqual({ v: v.label, changed: [], revision: 0 });
      }
    }
    // The served models were reloaded without the user, and keep serving.
    for (const strategy of ["ITEM_KNN", "USER_KNN", "CONTENT", "HYBRID"]) {
      const again = await server.run(`{ recommendations(userId: "u2", first: 1, strategy: ${strategy}) { strategy } }`);
      expect(again.data.recommendations).toEqual([{ strategy }]);
    }
    const rating = await server.run(`{ predictRating(userId: "u2", itemId: "s3") { model { name } coldStart { why } } }`);
    expect(rating).toEqual({ data: { predictRating: { model: { name: expect.any(String) }, coldStart: null } } });
    expect(await server.run(`{ exportUser(id: "u1") }`)).toMatchObject({ errors: [{ extensions: { code: "NOT_FOUND" } }] });
  });

  // Impressions' user ids have no foreign key: a batch being written and a
  // deletion exclude each other through IMPRESSIONS_USERS_LOCK. Each side's
  // code runs against the other side's protocol held open on a second
  // connection (PostgreSQL only: the embedded database has one session).
  const twoSessions = target === "postgres" ? it : it.skip;
  const waitingForTheLock = async () => {
    for (let i = 0; i < 200; i++) {
      const waiting = await t.db.sql.query(`SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND NOT granted`);
      if (waiting.length > 0) return;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error("nothing waited for the impressions' lock");
  };
  const shownTo = (userId: number) => ({
    id: crypto.randomUUID(), userId, userKey: null, surface: "recommendations", strategy: "POPULAR", model: null,
    shownAt: new Date(), itemIds: [1], ranks: [1], rails: null, scores: [1],
  });
  const impressionsOf = (userId: number) => t.db.sql.query(`SELECT id FROM impressions WHERE user_id = $1`, [userId]);
  const newUser = async (externalId: string) =>
    (await t.db.sql.query<{ id: number }>(`INSERT INTO users (external_id, updated_at) VALUES ($1, now()) RETURNING id`, [externalId]))[0].id;

  twoSessions("a batch written while the user is being deleted waits, and then leaves the user out", async () => {
    const id = await newUser("race-deleted-first");
    let commit!: () => void;
    const deletion = t.db.sql.transaction(async (tx) => {
      await tx.query(`SELECT 1 AS locked FROM pg_advisory_xact_lock(${IMPRESSIONS_USERS_LOCK})`);
      await tx.query(`DELETE FROM impressions WHERE user_id = $1`, [id]);
      await tx.query(`DELETE FROM users WHERE id = $1`, [id]);
      await new Promise<void>((r) => (commit = r));
    });
    await new Promise((r) => setTimeout(r, 50));
    const batch = insertImpressions(t.db, [shownTo(id)]);
    await waitingForTheLock();
    commit();
    await deletion;
    await batch;
    expect(await impressionsOf(id)).toEqual([]);
  });

  twoSessions("deleteUser waits for a batch being written, and then deletes what it wrote", async () => {
    const id = await newUser("race-written-first");
    let commit!: () => void;
    const writing = t.db.sql.transaction(async (tx) => {
      await tx.query(`SELECT 1 AS locked FROM pg_advisory_xact_lock_shared(${IMPRESSIONS_USERS_LOCK})`);
      await tx.query(`INSERT INTO impressions (id, user_id, surface, shown_at, item_ids, ranks, scores) VALUES ($1, $2, 'recommendations', now(), '{1}', '{1}', '{1}')`, [crypto.randomUUID(), id]);
      await new Promise<void>((r) => (commit = r));
    });
    await new Promise((r) => setTimeout(r, 50));
    const deletion = deleteUserByExternalId(t.db, "race-written-first", { subjectHash: Buffer.alloc(32, 7), at: new Date(), keepSeconds: 60 });
    await waitingForTheLock();
    commit();
    await writing;
    expect(await deletion).toMatchObject({ externalId: "race-written-first", userId: id });
    expect(await impressionsOf(id)).toEqual([]);
    expect(await t.db.sql.query(`SELECT 1 FROM users WHERE id = $1`, [id])).toEqual([]);
  });
});
