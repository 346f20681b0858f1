// The learned models through the real server on the tiny catalog: iALS, BPR,
// SVD, EASE, the Mult-DAE and the EASE + iALS blend, trained and activated
// as `npm run train -- --model all` does. Every strategy answers with the
// model that served it (not POPULAR with a ColdStart), the stored versions
// hold no user state, and a recorded interaction changes the next answer.
import { databaseTargets, openTestDatabase, type TestDatabase } from "../support/testDatabase";
import { startTestServer, type TestServer } from "../support/testServer";
import { importCatalog } from "../../src/services/importService";
import { loadActiveModels } from "../../src/db/modelRepository";
import { tinyCatalog } from "./support/tinyCatalog";
import { trainAndActivate } from "./support/trainAndServe";
import { modelStoreOf } from "../../src/serving/ModelStore";
import { selectTopK } from "../../src/engine/recommender/selectTopK";
import type { UserHistory } from "../../src/engine/types";

const RECS = `query($userId: ID!, $strategy: Strategy, $first: Int) {
  recommendations(userId: $userId, first: $first, strategy: $strategy) {
    item { id } strategy
    reasons { __typename ... on BecauseYouInteracted { item { id } } ... on ColdStart { why } }
  }
}`;

type Rec = { item: { id: string }; strategy: string; reasons: { __typename: string; item?: { id: string } }[] };

const LEARNED = ["ials", "bpr", "svd", "ease", "vae", "hybrid"];

describe.each(databaseTargets())("learned models on %s", (target) => {
  let t: TestDatabase;
  let server: TestServer;
  beforeAll(async () => {
    t = await openTestDatabase(target);
    await importCatalog(t.db, tinyCatalog());
    await trainAndActivate(t.db, ["popular", "content", ...LEARNED]);
    server = await startTestServer(t.db);
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
    await t?.dispose();
  });

  const recs = async (userId: string, strategy: string, first = 3): Promise<Rec[]> => {
    const result = await server.run(RECS, { userId, strategy, first });
    expect(result.errors).toBeUndefined();
    return result.data.recommendations;
  };

  it("stores item-side state only: no training users, no per-user arrays", async () => {
    const stored = await loadActiveModels(t.db);
    for (const name of LEARNED) {
      const model = stored.find((m) => m.name === name)!;
      expect(model.index.users).toHaveLength(0);
      expect(model.index.items.length).toBe(9);
      for (const a of Object.values(model.serialized.arrays)) expect(a.length === 0 || a.length % 9 === 0 || name === "vae").toBe(true);
    }
  });

  it.each([
    ["MATRIX_FACTORIZATION", "u1"],
    ["NEURAL", "u1"],
    ["HYBRID", "u1"],
  ])("%s answers with the learned model, never a ColdStart", async (strategy, userId) => {
    const list = await recs(userId, strategy);
    expect(list).toHaveLength(3);
    for (const r of list) {
      expect(r.strategy).toBe(strategy);
      expect(r.reasons.map((x) => x.__typename)).not.toContain("ColdStart");
      expect(["s1", "s2", "s3"]).not.toContain(r.item.id); // u1's own items are not recommended
    }
  });

  it("asks a model that has an index (topHistory, large catalogs) for its top items instead of scoring them all", async () => {
    const exact = await recs("u2", "MATRIX_FACTORIZATION", 4);
    const model = modelStoreOf(t.db).get("ials")!.model;
    const asked: { n: number; skipsHistory: boolean }[] = [];
    // Stands in for the IVF index (built only from 20,000 items): the exact top n.
    model.topHistory = (history: UserHistory, n: number, skip?: (i: number) => boolean) => {
      asked.push({ n, skipsHistory: history.items.length === 3 && Array.from(history.items).every((i) => skip?.(i) === true) });
      return selectTopK(model.scoreHistory!(history), n, skip);
    };
    try {
      expect(await recs("u2", "MATRIX_FACTORIZATION", 4)).toEqual(exact);
      expect(asked).toEqual([{ n: 100, skipsHistory: true }]);
      // An index that finds nothing: popular items, saying why.
      model.topHistory = () => [];
      const none = await recs("u3", "MATRIX_FACTORIZATION", 2);
      expect(none.map((r) => r.reasons[0])).toEqual([
        { __typename: "ColdStart", why: "MATRIX_FACTORIZATION has no signal for this user yet" },
        { __typename: "ColdStart", why: "MATRIX_FACTORIZATION has no signal for this user yet" },
      ]);
    } finally {
      delete model.topHistory;
    }
  });

  it("explains factor-model picks by the user's own items closest in the item factors", async () => {
    const list = await recs("u1", "MATRIX_FACTORIZATION", 6);
    const because = list.flatMap((r) => r.reasons.filter((x) => x.__typename === "BecauseYouInteracted").map((x) => x.item!.id));
    expect(because.length).toBeGreaterThan(0);
    for (const id of because) expect(["s1", "s2", "s3"]).toContain(id);
  });

  it("similarItems by EMBEDDING is served by the item factors of iALS", async () => {
    const result = await server.run(`{ similarItems(itemId: "s1", method: EMBEDDING, first: 3) { item { id } strategy reasons { __typename } } }`);
    expect(result.errors).toBeUndefined();
    const list: Rec[] = result.data.similarItems;
    expect(list).toHaveLength(3);
    for (const r of list) {
      expect(r.strategy).toBe("MATRIX_FACTORIZATION");
      expect(r.item.id).not.toBe("s1");
      expect(r.reasons.map((x) => x.__typename)).not.toContain("ColdStart");
    }
  });

  it("predicts a rating from SVD, folded in from the user's ratings", async () => {
    const result = await server.run(`{ predictRating(userId: "u1", itemId: "s2") { rating model { name algorithm } coldStart { why } } }`);
    expect(result.errors).toBeUndefined();
    expect(result.data.predictRating).toEqual({ rating: expect.any(Number), model: { name: "svd", algorithm: "svd" }, coldStart: null });
    expect(result.data.predictRating.rating).toBeGreaterThanOrEqual(0.5);
    expect(result.data.predictRating.rating).toBeLessThanOrEqual(5);
  });

  it("reads the history at request time: a recorded interaction changes the MATRIX_FACTORIZATION answer", async () => {
    const before = await recs("ann", "MATRIX_FACTORIZATION", 8);
    expect(before.every((r) => r.strategy === "MATRIX_FACTORIZATION")).toBe(true);
    const recorded = await server.run(`mutation { recordInteractions(interactions: [
      { userId: "ann", itemId: "c1", type: LIKE, occurredAt: "2026-02-01T00:00:00Z" },
      { userId: "ann", itemId: "c2", type: LIKE, occurredAt: "2026-02-01T00:00:00Z" }
    ]) { created } }`);
    expect(recorded).toEqual({ data: { recordInteractions: { created: 2 } } });
    const after = await recs("ann", "MATRIX_FACTORIZATION", 6);
    expect(after.every((r) => r.strategy === "MATRIX_FACTORIZATION")).toBe(true);
    expect(after.map((r) => r.item.id)).not.toContain("c1");
    expect(after.map((r) => r.item.id)).not.toContain("c2");
    // Liking two comedies moves the third up.
    const rank = (list: Rec[], id: string) => list.findIndex((r) => r.item.id === id);
    expect(rank(after, "c3")).toBeGreaterThanOrEqual(0);
    expect(rank(after, "c3")).toBeLessThan(rank(before, "c3") < 0 ? 99 : rank(before, "c3"));
    // A user no model was trained on is folded in the same way.
    await server.run(`mutation { recordInteractions(interactions: [{ userId: "late", itemId: "c3", type: LIKE, occurredAt: "2026-02-01T00:00:00Z" }]) { created } }`);
    for (const strategy of ["MATRIX_FACTORIZATION", "NEURAL", "HYBRID"]) {
      const late = await recs("late", strategy, 2);
      expect(late.map((r) => r.strategy)).toEqual([strategy, strategy]);
    }
  });
});
