import { baselineOnly } from "../../../src/engine/algorithms/baseline";
import { contentBased } from "../../../src/engine/algorithms/content";
import { itemKnn } from "../../../src/engine/algorithms/itemKnn";
import { popularity } from "../../../src/engine/algorithms/popularity";
import { userKnn } from "../../../src/engine/algorithms/userKnn";
import { recommendForUser } from "../../../src/engine/recommender/recommendForUser";
import type { RecommenderModels } from "../../../src/engine/recommender/Recommendation";
import { similarItemsFor } from "../../../src/engine/recommender/similarItemsFor";
import type { Algorithm, Model } from "../../../src/engine/types";
import { syntheticFixture } from "../support/syntheticFixture";

const { data, catalog } = syntheticFixture();
const opts = { seed: 0 };
const pop = popularity.fit(data, {}, opts);
const content = contentBased.fit(data, {}, opts);
const algorithms: Algorithm<any>[] = [popularity, baselineOnly, userKnn, itemKnn, contentBased];

function modelsFor(model: Model, withContent = true): RecommenderModels {
  return { model, popularity: pop, interactions: data.ratings, ...(withContent ? { content } : {}) };
}

function seen(user: number): Set<number> {
  const R = data.ratings;
  return new Set(Array.from(R.indices.subarray(R.indptr[user], R.indptr[user + 1])));
}

describe.each(algorithms.map((a) => [a.name, a] as const))("recommendForUser with %s", (_name, algorithm) => {
  const model = algorithm.fit(data, {}, opts);
  const models = modelsFor(model);

  it("serves a known user from the model, unseen items only, best first, with evidence", () => {
    const rec = recommendForUser(models, { user: 3, k: 10 });
    expect(rec.servedBy).toBe(model.name);
    expect(rec.fallback).toBeUndefined();
    expect(rec.items).toHaveLength(10);
    const s = seen(3);
    for (const it of rec.items) expect(s.has(it.item)).toBe(false);
    for (let n = 1; n < rec.items.length; n++) expect(rec.items[n - 1].score).toBeGreaterThanOrEqual(rec.items[n].score);
    expect(rec.items.every((it) => Array.isArray(it.evidence))).toBe(true);
  });

  it("serves an unknown user by popularity and says why", () => {
    const rec = recommendForUser(models, { user: undefined, k: 5 });
    expect(rec.servedBy).toBe("popularity");
    expect(rec.fallback?.reason).toMatch(/unknown user/);
    expect(rec.items.map((i) => i.item)).toEqual(recommendForUser(modelsFor(pop), { user: undefined, k: 5 }).items.map((i) => i.item));
    expect(rec.items[0].evidence).toContainEqual({ kind: "popular" });
  });

  it("serves an unknown user with stated preferences from content", () => {
    // A stated genre: every result has it, and says so.
    const byGenre = recommendForUser(models, { user: undefined, k: 5, likedFeatures: [0] });
    expect(byGenre.servedBy).toBe("contentBased");
    expect(byGenre.fallback?.reason).toMatch(/stated preferences/);
    expect(byGenre.items.every((i) => catalog.genreOf[i.item] === 0)).toBe(true);
    expect(byGenre.items[0].evidence).toContainEqual(expect.objectContaining({ kind: "sharedFeature", feature: 0 }));
    // A liked item: excluded itself; its director-mate (item 1 shares item 0's
    // "director" feature) comes first.
    const byItem = recommendForUser(models, { user: undefined, k: 5, likedItems: [0] });
    expect(byItem.items.map((i) => i.item)).not.toContain(0);
    expect(byItem.items[0].item).toBe(1);
  });

  it("gives a cold-start item its feature neighbours, or the model's when it knows the item", () => {
    const fresh = similarItemsFor(modelsFor(model), { item: undefined, features: [{ feature: 2, weight: 1 }], k: 5 });
    expect(fresh.servedBy).toBe("contentBased");
    expect(fresh.fallback?.reason).toMatch(/new item/);
    expect(fresh.items.every((i) => catalog.genreOf[i.item] === 2)).toBe(true);
    const known = similarItemsFor(modelsFor(model), { item: 6, k: 5 });
    expect(known.servedBy).toBe(model.similarItems ? model.name : "contentBased");
    expect(known.items.map((i) => i.item)).not.toContain(6);
  });
});

describe("recommendForUser fallbacks", () => {
  const knn = itemKnn.fit(data, {}, opts);

  it("treats a known index with no history like a new user", () => {
    const models: RecommenderModels = {
      model: knn,
      popularity: pop,
      interactions: { ...data.ratings, nRows: data.nUsers + 1, indptr: Int32Array.from([...data.ratings.indptr, data.ratings.indptr[data.nUsers]]) },
    };
    const rec = recommendForUser(models, { user: data.nUsers, k: 3 });
    expect(rec.fallback?.reason).toBe("user has no interactions yet: most popular items");
  });

  it("uses popularity for preferences when no content model is fitted", () => {
    const rec = recommendForUser(modelsFor(knn, false), { user: undefined, k: 3, likedItems: [1] });
    expect(rec.servedBy).toBe("popularity");
    expect(rec.items.map((i) => i.item)).not.toContain(1);
  });

  it("keeps seen items when asked and honours extra exclusions", () => {
    const all = recommendForUser(modelsFor(knn), { user: 2, k: data.nItems, excludeSeen: false, exclude: [5] });
    expect(all.items).toHaveLength(data.nItems - 1);
    expect(all.items.map((i) => i.item)).not.toContain(5);
  });

  it("is deterministic", () => {
    const a = recommendForUser(modelsFor(knn), { user: 7, k: 10 });
    const b = recommendForUser(modelsFor(itemKnn.fit(data, {}, opts)), { user: 7, k: 10 });
    expect(b).toEqual(a);
  });

  it("explains item-kNN results with the user's own items", () => {
    const rec = recommendForUser(modelsFor(knn), { user: 7, k: 3, maxEvidence: 2 });
    const s = seen(7);
    for (const it of rec.items) {
      expect(it.evidence.length).toBeLessThanOrEqual(2);
      for (const e of it.evidence) if (e.kind === "becauseYouInteracted") expect(s.has(e.item)).toBe(true);
    }
  });
});
