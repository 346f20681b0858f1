// A strategy whose own model is missing is served by another, and the answer
// says so: every item carries a Fallback reason (last among its reasons) and
// marquee_recommendation_fallbacks_total counts the answer. It used to be
// silent: HYBRID without a trained hybrid answered ITEM_KNN with nothing but
// the `strategy` field to tell. Through the real server on the tiny catalog
// (support/tinyCatalog), the models trained step by step:
//   nothing trained -> item-knn -> a hybrid version that cannot be loaded ->
//   a hybrid that loads -> the broken version activated again.
import { databaseTargets, openTestDatabase, type TestDatabase } from "../support/testDatabase";
import { memoryLogger, startTestServer, type LoggedLine, type TestServer } from "../support/testServer";
import { pollUntil } from "../support/pollUntil";
import { importCatalog } from "../../src/services/importService";
import { activateModelVersion } from "../../src/db/modelRepository";
import { loadModelStore, modelStoreOf, ModelStore } from "../../src/serving/ModelStore";
import { ActiveVersionWatcher } from "../../src/serving/activeVersionWatcher";
import { trainModel } from "../../src/serving/trainModel";
import { processMetrics } from "../../src/observability/metrics";
import { tinyCatalog } from "./support/tinyCatalog";
import { RATING_SCALE, trainAndActivate } from "./support/trainAndServe";

const REASONS = `reasons {
  __typename
  ... on BecauseYouInteracted { item { id } }
  ... on ColdStart { why }
  ... on Fallback { requested served why }
}`;

const RECS = `query($userId: ID!, $first: Int, $strategy: Strategy) {
  recommendations(userId: $userId, first: $first, strategy: $strategy) { item { id } strategy ${REASONS} }
}`;

const popularReason = { __typename: "Popular" };
const because = (id: string) => ({ __typename: "BecauseYouInteracted", item: { id } });
const fallback = (requested: string, served: string, why: string) => ({ __typename: "Fallback", requested, served, why });

// The counter's value for one label set (0 before its first increment).
async function fallbacks(requested: string, served: string, surface: string): Promise<number> {
  const { values } = await processMetrics().fallbacks.get();
  return values.find((v) => v.labels.requested === requested && v.labels.served === served && v.labels.surface === surface)?.value ?? 0;
}

describe.each(databaseTargets())("strategy fallbacks on %s", (target) => {
  let t: TestDatabase;
  let server: TestServer;
  beforeAll(async () => {
    t = await openTestDatabase(target);
    await importCatalog(t.db, tinyCatalog());
    await loadModelStore(t.db);
    server = await startTestServer(t.db);
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
    await t?.dispose();
  });

  const recs = (variables: Record<string, unknown>) => server.run(RECS, variables);

  it("with nothing trained, HYBRID answers POPULAR and says which models are missing; POPULAR itself is no fallback", async () => {
    const before = await fallbacks("HYBRID", "POPULAR", "recommendations");
    const why = fallback("HYBRID", "POPULAR", "hybrid, item-knn and content are not trained");
    // Popularity counted in the database (ann liked s1; s2 has 3 likers, s3 2).
    expect(await recs({ userId: "ann", first: 2 })).toEqual({
      data: {
        recommendations: [
          { item: { id: "s2" }, strategy: "POPULAR", reasons: [popularReason, why] },
          { item: { id: "s3" }, strategy: "POPULAR", reasons: [popularReason, why] },
        ],
      },
    });
    // Popularity personalises nothing: no ColdStart for an unknown user either.
    expect(await recs({ userId: "ghost", first: 1 })).toEqual({
      data: { recommendations: [{ item: { id: "s1" }, strategy: "POPULAR", reasons: [popularReason, why] }] },
    });
    expect(await recs({ userId: "ann", first: 1, strategy: "POPULAR" })).toEqual({
      data: { recommendations: [{ item: { id: "s2" }, strategy: "POPULAR", reasons: [popularReason] }] },
    });
    expect(await recs({ userId: "ann", first: 1, strategy: "NEURAL" })).toEqual({
      data: { recommendations: [{ item: { id: "s2" }, strategy: "POPULAR", reasons: [popularReason, fallback("NEURAL", "POPULAR", "vae is not trained")] }] },
    });
    expect((await fallbacks("HYBRID", "POPULAR", "recommendations")) - before).toBe(2);
  });

  describe("with only item-knn trained", () => {
    beforeAll(async () => {
      await trainAndActivate(t.db, ["item-knn"]);
    }, 120_000);
    const hybridByItemKnn = fallback("HYBRID", "ITEM_KNN", "hybrid is not trained");

    it("HYBRID answers ITEM_KNN and every item, backfill included, carries the Fallback", async () => {
      // item-kNN (Jaccard) from ann's s1: s2 0.4, then s3, s4, c1, c2 at 0.2;
      // c3 and j1 (no co-likers) are filled up from popularity.
      expect(await recs({ userId: "ann", first: 7 })).toEqual({
        data: {
          recommendations: [
            ...["s2", "s3", "s4", "c1", "c2"].map((id) => ({ item: { id }, strategy: "ITEM_KNN", reasons: [because("s1"), hybridByItemKnn] })),
            ...["c3", "j1"].map((id) => ({ item: { id }, strategy: "POPULAR", reasons: [popularReason, hybridByItemKnn] })),
          ],
        },
      });
    });

    it("the strategy asked for by name is no fallback; a cold start under a fallback says both", async () => {
      expect(await recs({ userId: "ann", first: 1, strategy: "ITEM_KNN" })).toEqual({
        data: { recommendations: [{ item: { id: "s2" }, strategy: "ITEM_KNN", reasons: [because("s1")] }] },
      });
      expect(await recs({ userId: "newbie", first: 1 })).toEqual({
        data: {
          recommendations: [{ item: { id: "s1" }, strategy: "POPULAR", reasons: [{ __typename: "ColdStart", why: "the user has no interactions yet" }, popularReason, hybridByItemKnn] }],
        },
      });
    });

    it("User.recommendations, page rails and similar items report it the same way", async () => {
      const result = await server.run(`{
        user(id: "ann") { recommendations(first: 1) { item { id } strategy ${REASONS} } }
        page(userId: "ann", rails: [{ kind: RECOMMENDED, first: 1 }, { kind: BECAUSE_YOU_INTERACTED, first: 1 }]) { rails { kind items { item { id } strategy ${REASONS} } } }
        content: similarItems(itemId: "s1", method: CONTENT, first: 1) { item { id } strategy ${REASONS} }
        item(id: "s1") { similar(first: 1) { item { id } strategy ${REASONS} } }
      }`);
      expect(result).toEqual({
        data: {
          user: { recommendations: [{ item: { id: "s2" }, strategy: "ITEM_KNN", reasons: [because("s1"), hybridByItemKnn] }] },
          page: {
            rails: [
              { kind: "RECOMMENDED", items: [{ item: { id: "s2" }, strategy: "ITEM_KNN", reasons: [because("s1"), hybridByItemKnn] }] },
              // Similar to s1 by item-knn (COLLABORATIVE, its own model): no fallback. s2 went to the rail above.
              { kind: "BECAUSE_YOU_INTERACTED", items: [{ item: { id: "s3" }, strategy: "ITEM_KNN", reasons: [{ __typename: "SharedFeature" }] }] },
            ],
          },
          content: [{ item: { id: "s2" }, strategy: "POPULAR", reasons: [popularReason, fallback("CONTENT", "POPULAR", "content is not trained")] }],
          item: { similar: [{ item: { id: "s2" }, strategy: "ITEM_KNN", reasons: [{ __typename: "SharedFeature" }] }] },
        },
      });
    });

    it("counts each answer that fell back once, by requested, served and surface", async () => {
      const labels = [
        ["HYBRID", "ITEM_KNN", "recommendations"],
        ["HYBRID", "ITEM_KNN", "page"],
        ["CONTENT", "POPULAR", "similarItems"],
        ["CONTENT", "POPULAR", "page"],
      ] as const;
      const before = await Promise.all(labels.map(([requested, served, surface]) => fallbacks(requested, served, surface)));
      const result = await server.run(`{
        a: recommendations(userId: "ann", first: 5) { rank }
        b: recommendations(userId: "ghost", first: 5) { rank }
        c: recommendations(userId: "ann", first: 5, strategy: ITEM_KNN) { rank }
        users(ids: ["u1", "u2", "nobody"]) { recommendations(first: 3) { rank } }
        page(userId: "ann", rails: [{ kind: RECOMMENDED, first: 2 }, { kind: TRENDING, first: 2 }, { kind: RECOMMENDED, strategy: ITEM_KNN, first: 2 }]) { userId }
        d: similarItems(itemId: "s1", method: CONTENT, first: 3) { rank }
        e: similarItems(itemId: "s1", method: COLLABORATIVE, first: 3) { rank }
      }`);
      expect(result.errors).toBeUndefined();
      const after = await Promise.all(labels.map(([requested, served, surface]) => fallbacks(requested, served, surface)));
      // a, b and two known users (users() answers null for "nobody"); one
      // RECOMMENDED rail of HYBRID; d. Not c, e, TRENDING nor the ITEM_KNN rail.
      expect(after.map((v, k) => v - before[k])).toEqual([4, 1, 1, 0]);
    });
  });

  describe("a hybrid version that fails to load", () => {
    let broken: number;
    beforeAll(async () => {
      const { version } = await trainModel(t.db, "hybrid", { seed: 42, ratingScale: RATING_SCALE, evaluate: false });
      broken = version.version;
      // One of its arrays lost: the version cannot be read back.
      const [artifact] = await t.db.sql.query<{ key: string }>(
        `DELETE FROM model_artifacts WHERE (model_version_id, key) = (
           SELECT a.model_version_id, min(a.key) FROM model_artifacts a JOIN model_versions v ON v.id = a.model_version_id
           WHERE v.name = 'hybrid' AND v.version = $1 AND a.key LIKE 'array.%' GROUP BY a.model_version_id)
         RETURNING key`,
        [broken],
      );
      expect(artifact).toBeDefined();
      await activateModelVersion(t.db, "hybrid", broken);
      await modelStoreOf(t.db).reload();
    }, 120_000);

    it("is reported with its version and the error, and the rest still loads", async () => {
      const store = modelStoreOf(t.db);
      expect(store.get("hybrid")).toBeUndefined();
      expect(store.get("item-knn")).toBeDefined();
      const failure = store.failure("hybrid")!;
      expect(failure).toMatchObject({ name: "hybrid", version: broken });
      expect(failure.message).toMatch(/^model hybrid v\d+: artifact array\..+ is missing$/);
      // The client hears which version failed, not the internal error (the log has it).
      const why = `hybrid's active version ${broken} failed to load`;
      expect(await recs({ userId: "ann", first: 1 })).toEqual({
        data: { recommendations: [{ item: { id: "s2" }, strategy: "ITEM_KNN", reasons: [because("s1"), fallback("HYBRID", "ITEM_KNN", why)] }] },
      });
    });

    it("a replica's watcher logs it, keeps serving the rest, and retries it later rather than every tick", async () => {
      const logs: LoggedLine[] = [];
      const replica = new ModelStore(t.db);
      const watcher = new ActiveVersionWatcher(t.db, replica, { intervalMs: 20, logger: memoryLogger(logs) });
      watcher.start();
      try {
        await pollUntil("the watcher's first reload", () => replica.get("item-knn"), { timeoutMs: 10_000, intervalMs: 20 });
        await new Promise((r) => setTimeout(r, 300));
      } finally {
        await watcher.stop();
      }
      expect(replica.get("hybrid")).toBeUndefined();
      expect(logs.filter((l) => l.level !== "debug").map(({ level, msg, model, version, error, serving }) => ({ level, msg, model, version, error, serving }))).toEqual([
        { level: "info", msg: "active model versions changed; reloaded", model: undefined, version: undefined, error: undefined, serving: undefined },
        {
          level: "error",
          msg: "could not load an active model version; serving without it",
          model: "hybrid",
          version: broken,
          error: modelStoreOf(t.db).failure("hybrid")!.message,
          serving: "none (its strategy falls back)",
        },
      ]);
    });

    it("a hybrid that loads serves HYBRID with no Fallback; the broken version activated again leaves it serving", async () => {
      const { version } = await trainModel(t.db, "hybrid", { seed: 42, ratingScale: RATING_SCALE, evaluate: false });
      await activateModelVersion(t.db, "hybrid", version.version);
      await modelStoreOf(t.db).reload();
      const served = await recs({ userId: "ann", first: 3 });
      expect(served.errors).toBeUndefined();
      for (const r of served.data.recommendations) {
        expect(r.strategy).toBe("HYBRID");
        expect(r.reasons.map((x: { __typename: string }) => x.__typename)).not.toContain("Fallback");
      }
      // Better the version served until now than none: no fallback, the failure kept for the logs.
      await activateModelVersion(t.db, "hybrid", broken);
      await modelStoreOf(t.db).reload();
      expect(modelStoreOf(t.db).get("hybrid")?.version).toBe(version.version);
      expect(modelStoreOf(t.db).failure("hybrid")?.version).toBe(broken);
      expect(await recs({ userId: "ann", first: 3 })).toEqual(served);
    });
  });
});
