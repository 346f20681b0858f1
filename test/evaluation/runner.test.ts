// The runner on a small synthetic dataset with models written here, so the
// expected figures can be worked out by hand.
import { csrFromTriplets } from "../../src/engine/data/CsrMatrix";
import { IdMap } from "../../src/engine/data/IdMap";
import type { Algorithm, Model, TrainingSet } from "../../src/engine/types";
import type { RatingTable } from "../../src/evaluation/datasets";
import { evaluateAlgorithm } from "../../src/evaluation/runner";
import { buildTrainingSet } from "../../src/evaluation/trainingSet";

// 4 users x 6 items. Rows: (user, item, rating).
const rows: [number, number, number][] = [
  [0, 0, 5], [0, 1, 4], [0, 2, 1],
  [1, 0, 4], [1, 3, 2], [1, 4, 5],
  [2, 1, 3], [2, 3, 4], [2, 5, 2],
  [3, 0, 2], [3, 2, 5], [3, 4, 3],
];

function table(): RatingTable {
  const n = rows.length;
  return {
    name: "synthetic",
    nUsers: 4,
    nItems: 6,
    users: Int32Array.from(rows.map((r) => r[0])),
    items: Int32Array.from(rows.map((r) => r[1])),
    ratings: Float32Array.from(rows.map((r) => r[2])),
    timestamps: Float64Array.from({ length: n }, (_, i) => 1000 + i),
    userIds: IdMap.from(["a", "b", "c", "d"]),
    itemIds: IdMap.from(["i0", "i1", "i2", "i3", "i4", "i5"]),
    itemTitles: ["i0", "i1", "i2", "i3", "i4", "i5"],
    // two genres: items 0-2 genre 0, items 3-5 genre 1
    itemFeatures: csrFromTriplets(6, 2, [0, 1, 2, 3, 4, 5], [0, 0, 0, 1, 1, 1], [1, 1, 1, 1, 1, 1]),
    featureNames: ["g0", "g1"],
    ratingScale: { min: 1, max: 5 },
  };
}

// Predicts the global training mean; ranks by a fixed item order 5,4,...,0.
const constant: Algorithm<Record<string, never>> = {
  name: "constant",
  defaults: {},
  fit(data: TrainingSet): Model {
    const v = data.ratings.values;
    const meanRating = v.reduce((a, b) => a + b, 0) / v.length;
    return {
      name: "constant",
      scoreAll: () => Float32Array.from({ length: data.nItems }, (_, i) => i),
      predict: () => meanRating,
    };
  },
};

// Ranking only: no predict().
const rankOnly: Algorithm<Record<string, never>> = {
  name: "rankOnly",
  defaults: {},
  fit: (data) => ({ name: "rankOnly", scoreAll: () => Float32Array.from({ length: data.nItems }, (_, i) => -i) }),
};

// Hand-made split: test rows 2 (u0,i2), 5 (u1,i4), 8 (u2,i5).
const fold = { train: Int32Array.from([0, 1, 3, 4, 6, 7, 9, 10, 11]), test: Int32Array.from([2, 5, 8]) };

describe("buildTrainingSet", () => {
  it("keeps dataset-wide indices, sorts rows by item and aligns timestamps", () => {
    const t = buildTrainingSet(table(), Int32Array.from([4, 3, 0]));
    expect(Array.from(t.ratings.indptr)).toEqual([0, 1, 3, 3, 3]);
    expect(Array.from(t.ratings.indices)).toEqual([0, 0, 3]);
    expect(Array.from(t.ratings.values)).toEqual([5, 4, 2]);
    expect(Array.from(t.timestamps!)).toEqual([1000, 1003, 1004]);
    expect(t.nItems).toBe(6);
  });

  it("builds each user's sequence in time order, ties in file order, whatever order the rows come in", () => {
    const tied = { ...table(), timestamps: Float64Array.from([7, 5, 5, 1, 1, 1, 0, 0, 0, 0, 0, 0]) };
    const t = buildTrainingSet(tied, Int32Array.from([2, 0, 1, 5, 3, 4]));
    // user 0: row 1 @5, row 2 @5 (file order), row 0 @7; user 1: rows 3, 4, 5 all @1.
    expect(Array.from(t.sequences!.offsets)).toEqual([0, 3, 6, 6, 6]);
    expect(Array.from(t.sequences!.items)).toEqual([1, 2, 0, 0, 3, 4]);
    expect(Array.from(t.sequences!.timestamps)).toEqual([5, 5, 7, 1, 1, 1]);
  });

  it("implicit: every rating is a 1 and there is no rating scale", () => {
    const t = buildTrainingSet(table(), Int32Array.from([4, 3, 0]), { implicit: true });
    expect(Array.from(t.ratings.values)).toEqual([1, 1, 1]);
    expect(t.ratingScale).toBeUndefined();
  });
});

describe("evaluateAlgorithm", () => {
  it("computes RMSE/MAE against the training mean on a rating protocol", () => {
    const r = evaluateAlgorithm(table(), constant, "surprise-5fold", { folds: [fold] });
    // training ratings 5,4,4,2,3,4,2,5,3 -> mean 32/9; test ratings 1,5,2
    const m = 32 / 9;
    const errors = [1, 5, 2].map((a) => m - a);
    expect(r.metrics.rmse).toBeCloseTo(Math.sqrt(errors.reduce((s, e) => s + e * e, 0) / 3), 6);
    expect(r.metrics.mae).toBeCloseTo(errors.reduce((s, e) => s + Math.abs(e), 0) / 3, 6);
    expect(r.metrics["ndcg@10"]).toBeUndefined();
  });

  it("skips a model without predict() on a rating-only protocol", () => {
    const r = evaluateAlgorithm(table(), rankOnly, "surprise-5fold", { folds: [fold] });
    expect(r.skipped).toMatch(/no predict/);
    expect(r.metrics).toEqual({});
  });

  it("ranks unseen training items, Recommenders conventions (msr-stratified)", () => {
    const r = evaluateAlgorithm(table(), constant, "msr-stratified", { folds: [fold], k: 2 });
    // Candidates: items with a training interaction, 0..4 (item 5 is only in test).
    // Order by score: 4,3,2,1,0.
    // u0 (seen 0,1): [4,3]   relevant {2}: no hit
    // u1 (seen 0,3): [4,2]   relevant {4}: hit at 1
    // u2 (seen 1,3): [4,2]   relevant {5}: no hit (5 is not a candidate)
    expect(r.metrics["precision@2"]).toBeCloseTo((0 + 1 / 2 + 0) / 3, 12);
    expect(r.metrics["recall@2"]).toBeCloseTo((0 + 1 + 0) / 3, 12);
    expect(r.metrics["map@2"]).toBeCloseTo((0 + 1 + 0) / 3, 12);
    expect(r.metrics["ndcg@2"]).toBeCloseTo((0 + 1 + 0) / 3, 12);
    expect(r.metrics["mrr@2"]).toBeCloseTo((0 + 1 + 0) / 3, 12);
    // Lists [4,3], [4,2], [4,2]: 3 distinct of 5 candidate items.
    expect(r.metrics.coverage).toBeCloseTo(3 / 5, 12);
    // Genre diversity: [4,3] same genre (cos 1) -> 0; [4,2] different (cos 0) -> 1.
    expect(r.metrics.diversity).toBeCloseTo((0 + 1 + 1) / 3, 12);
    // Novelty: 4 training users; item 4 seen by u3 only (2 bits), 3 by u1 and u2 (1 bit), 2 by u3 (2 bits).
    expect(r.metrics.novelty).toBeCloseTo((2 + 1 + 2 + 2 + 2 + 2) / 6, 12);
    expect(r.metrics.rmse).toBeDefined(); // explicit model: rating metrics too
    expect(r.ndcgCurve).toHaveLength(20);
    expect(r.diversityBasis).toBe("genres");
  });

  it("ranks every rated item for every test user, Gorse conventions (gorse-5fold)", () => {
    const r = evaluateAlgorithm(table(), constant, "gorse-5fold", { folds: [fold], k: 2 });
    // Candidates include item 5 (rated in test). Order 5,4,3,2,1,0.
    // u0: [5,4] rel {2} miss; u1: [5,4] rel {4} hit at 2; u2 (seen 1,3): [5,4] rel {5} hit at 1
    expect(r.metrics["precision@2"]).toBeCloseTo((0 + 0.5 + 0.5) / 3, 12);
    expect(r.metrics["mrr@2"]).toBeCloseTo((0 + 0.5 + 1) / 3, 12);
    expect(r.metrics["ndcg@2"]).toBeCloseTo((0 + 1 / Math.log2(3) + 1) / 3, 12);
    expect(r.metrics.rmse).toBeUndefined();
  });

  it("reports fit and predict times from the injected clock, averaged per fold", () => {
    let t = 0;
    const r = evaluateAlgorithm(table(), constant, "gorse-5fold", { folds: [fold, fold], now: () => (t += 500) });
    expect(r.fitSeconds).toBe(0.5);
    expect(r.predictSeconds).toBeGreaterThan(0);
    expect(r.folds).toBe(2);
  });

  it("is deterministic end to end with the protocol's own splits", () => {
    const a = evaluateAlgorithm(table(), constant, "gorse-5fold", { seed: 3 });
    const b = evaluateAlgorithm(table(), constant, "gorse-5fold", { seed: 3 });
    expect(a.metrics).toEqual(b.metrics);
    expect(a.folds).toBe(5);
  });
});
