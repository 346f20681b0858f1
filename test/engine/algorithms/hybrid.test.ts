import { createHybrid, splitPerUser } from "../../../src/engine/algorithms/hybrid";
import { bpr } from "../../../src/engine/algorithms/bpr";
import { ease } from "../../../src/engine/algorithms/ease";
import { svd } from "../../../src/engine/algorithms/svd";
import { svdpp } from "../../../src/engine/algorithms/svdpp";
import type { Algorithm, Model, TrainingSet } from "../../../src/engine/types";
import { globalMeanRmse, ndcgAt10, rmse, syntheticData } from "./support/syntheticData";

// A component that records every training set it was fitted on.
function spy(inner: Algorithm<any>, seen: TrainingSet[]): Algorithm<any> {
  return { name: inner.name, defaults: inner.defaults, fit: (d, p, o) => (seen.push(d), inner.fit(d, p, o)) };
}

describe("splitPerUser", () => {
  it("holds out a share of each user's rows and keeps the rest, disjointly", () => {
    const data = syntheticData(1).train;
    const { train, held } = splitPerUser(data, 0.2, 7);
    expect(train.ratings.indices.length + held.users.length).toBe(data.ratings.indices.length);
    for (let t = 0; t < held.users.length; t++) {
      const u = held.users[t];
      const row = Array.from(train.ratings.indices.subarray(train.ratings.indptr[u], train.ratings.indptr[u + 1]));
      expect(row).not.toContain(held.items[t]);
    }
    // every user with rows keeps some in training
    for (let u = 0; u < data.nUsers; u++)
      if (data.ratings.indptr[u + 1] > data.ratings.indptr[u]) expect(train.ratings.indptr[u + 1]).toBeGreaterThan(train.ratings.indptr[u]);
    expect(held.users.length).toBeCloseTo(data.ratings.indices.length * 0.2, -1);
  });
});

describe("createHybrid", () => {
  it("rating blend: fits components on sub-train then on all data, beats the global mean", () => {
    const data = syntheticData(1);
    const seen: TrainingSet[] = [];
    const hybrid = createHybrid([spy(svd, seen), spy(svdpp, seen)], {
      name: "svdBlend",
      target: "rating",
      componentParams: [{ nFactors: 10 }, {}],
    });
    const model = hybrid.fit(data.train, {}, { seed: 3 }) as Model & { weights: number[]; intercept: number };
    expect(seen).toHaveLength(4);
    expect(seen[0].ratings.indices.length).toBeLessThan(data.train.ratings.indices.length);
    expect(seen[2]).toBe(data.train);
    expect(seen[3]).toBe(data.train);
    const value = rmse(model, data.test);
    expect(value).toBeLessThan(globalMeanRmse(data) - 0.2);
    expect(value).toBeCloseTo(0.6935, 3);
    // svd++ is much the better component here, so it carries more weight
    expect(model.weights[1]).toBeGreaterThan(model.weights[0]);
  });

  it("rating blend: recovers an exact linear map of a component by least squares", () => {
    // Ratings are f(u, i) = 1 + (u + i) mod 5; the component predicts (f − 1) / 2,
    // so the blend must be 1 + 2·ŷ (intercept 1, weight 2), with or without support features.
    const f = (u: number, i: number) => 1 + ((u + i) % 5);
    const rows: number[] = [];
    const cols: number[] = [];
    const vals: number[] = [];
    for (let u = 0; u < 30; u++)
      for (let i = 0; i < 20; i += 1 + (u % 3)) {
        rows.push(u);
        cols.push(i);
        vals.push(f(u, i));
      }
    const { csrFromTriplets } = jest.requireActual("../../../src/engine/data/CsrMatrix");
    const data: TrainingSet = { nUsers: 30, nItems: 20, ratings: csrFromTriplets(30, 20, rows, cols, vals), ratingScale: { min: 1, max: 5 } };
    const half: Algorithm<{}> = {
      name: "half",
      defaults: {},
      fit: () => ({ name: "half", scoreAll: (u) => Float32Array.from({ length: 20 }, (_, i) => (f(u, i) - 1) / 2), predict: (u, i) => (f(u, i) - 1) / 2 }),
    };
    for (const supportFeatures of [false, true]) {
      const model = createHybrid([half], { name: "exact", target: "rating" }).fit(data, { supportFeatures, ridge: 0 }, { seed: 1 }) as Model & { weights: number[]; intercept: number };
      expect(model.intercept).toBeCloseTo(1, 6);
      expect(model.weights[0]).toBeCloseTo(2, 6);
      expect(model.predict!(3, 7)).toBeCloseTo(f(3, 7), 6);
      expect(model.scoreAll(3)[7]).toBeCloseTo(f(3, 7), 5);
    }
  });

  it("ranking blend: weights chosen on validation, at least as good as a component alone on validation", () => {
    const data = syntheticData(1, { implicit: true });
    const hybrid = createHybrid([ease, bpr], { name: "rankBlend", target: "ranking", componentParams: [{ lambda: 10 }, { nFactors: 8 }] });
    const model = hybrid.fit(data.train, {}, { seed: 3 }) as Model & { weights: number[] };
    expect(model.weights.some((w) => w > 0)).toBe(true);
    const value = ndcgAt10(model, data);
    expect(value).toBeGreaterThan(0.55);
    expect(value).toBeCloseTo(0.6542, 3);
  });

  it("is deterministic and handles a cold-start user", () => {
    const data = syntheticData(2, { implicit: true });
    const hybrid = createHybrid([ease, bpr], { name: "rankBlend", target: "ranking", componentParams: [{}, { nFactors: 4, nEpochs: 5 }] });
    const a = hybrid.fit(data.train, {}, { seed: 1 });
    const b = hybrid.fit(data.train, {}, { seed: 1 });
    expect(Array.from(a.scoreAll(2))).toEqual(Array.from(b.scoreAll(2)));
    expect(a.scoreAll(data.train.nUsers - 1).every(Number.isFinite)).toBe(true);
  });

  it("reports progress up to 1", () => {
    const data = syntheticData(2, { implicit: true });
    const seen: number[] = [];
    createHybrid([ease], { name: "one", target: "ranking" }).fit(data.train, {}, { seed: 1, onProgress: (f) => seen.push(f) });
    expect(Math.max(...seen)).toBeCloseTo(1, 9);
    expect(seen.every((f, k) => k === 0 || f >= seen[k - 1])).toBe(true);
  });
});
