// The held-out figures a trained version carries: the split leaks nothing
// and the metrics are the worked-by-hand values for a fixed ranking.
import { csrFromTriplets } from "../../src/engine/data/CsrMatrix";
import type { Algorithm, Model, TrainingSet } from "../../src/engine/types";
import { evaluateOnHoldout, holdoutSplit } from "../../src/serving/holdoutEvaluation";

function set(rows: number[][], nItems: number, value = 1): TrainingSet {
  const r: number[] = [];
  const c: number[] = [];
  const v: number[] = [];
  rows.forEach((items, u) => items.forEach((i) => (r.push(u), c.push(i), v.push(value))));
  return { nUsers: rows.length, nItems, ratings: csrFromTriplets(rows.length, nItems, Int32Array.from(r), Int32Array.from(c), Float64Array.from(v), "sum") };
}

// Scores item i as -i whoever asks: lower ids first. Records what it was fitted on.
const fittedOn: TrainingSet[] = [];
const lowIdsFirst: Algorithm = {
  name: "low-ids-first",
  defaults: {},
  fit(data): Model {
    fittedOn.push(data);
    return { scoreAll: () => Float32Array.from({ length: data.nItems }, (_, i) => -i), predict: () => 3 } as unknown as Model;
  },
};

describe("holdoutSplit", () => {
  const data = set([[0, 1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 2], [3], [0, 4, 8, 9, 5]], 10);

  it("puts every entry on exactly one side, 20% per user (at least one), none for a single-entry user", () => {
    const split = holdoutSplit(data, 7);
    const held = new Map<number, number[]>();
    split.users.forEach((u, e) => held.set(u, [...(held.get(u) ?? []), split.items[e]]));
    expect([0, 1, 2, 3].map((u) => held.get(u)?.length ?? 0)).toEqual([2, 1, 0, 1]);
    for (let u = 0; u < 4; u++) {
      const train = Array.from(split.train.ratings.indices.subarray(split.train.ratings.indptr[u], split.train.ratings.indptr[u + 1]));
      const all = Array.from(data.ratings.indices.subarray(data.ratings.indptr[u], data.ratings.indptr[u + 1]));
      const test = held.get(u) ?? [];
      expect(train.filter((i) => test.includes(i))).toEqual([]);
      expect([...train, ...test].sort((a, b) => a - b)).toEqual(all);
    }
  });

  it("is the same for a seed and differs across seeds", () => {
    expect(Array.from(holdoutSplit(data, 7).items)).toEqual(Array.from(holdoutSplit(data, 7).items));
    const seeds = new Set([1, 2, 3, 4, 5, 6].map((s) => Array.from(holdoutSplit(data, s).items).join(",")));
    expect(seeds.size).toBeGreaterThan(1);
  });
});

describe("evaluateOnHoldout", () => {
  it("ranks without the training items, fits on the training side only, and averages the hand-computed metrics", () => {
    // Every user has items 0 and 3; one of them is held out.
    const data = set([[0, 3], [0, 3], [0, 3], [0, 3], [0, 3], [0, 3]], 4);
    const split = holdoutSplit(data, 11);
    fittedOn.length = 0;
    const m = evaluateOnHoldout(lowIdsFirst, data, {}, false, { seed: 11 });
    expect(fittedOn).toHaveLength(1);
    expect(fittedOn[0].ratings.indices.length).toBe(6); // the training side only
    // Held 0 (trained on 3): list [0, 1, 2], hit at rank 1: nDCG 1.
    // Held 3 (trained on 0): list [1, 2, 3], hit at rank 3: nDCG 1/log2(4) = 0.5.
    const heldZero = Array.from(split.items).filter((i) => i === 0).length;
    expect(heldZero).toBeGreaterThan(0);
    expect(heldZero).toBeLessThan(6); // the seed gives both cases
    expect(m["ndcg@10"]).toBeCloseTo((heldZero * 1 + (6 - heldZero) * 0.5) / 6, 10);
    expect(m["precision@10"]).toBeCloseTo(0.1, 10);
    expect(m["recall@10"]).toBeCloseTo(1, 10);
    expect(m.coverage).toBe(1); // items 0..3 all appear in some list
    expect(m.evaluatedUsers).toBe(6);
    expect(m.rmse).toBeUndefined();
  });

  it("gives RMSE and MAE of clipped predictions for explicit models", () => {
    const data = set([[0, 1], [0, 1], [1, 2]], 3, 5);
    const m = evaluateOnHoldout(lowIdsFirst, data, {}, true, { seed: 3, ratingScale: { min: 1, max: 5 } });
    // predict() says 3 for every held-out rating of 5.
    expect(m.rmse).toBeCloseTo(2, 10);
    expect(m.mae).toBeCloseTo(2, 10);
  });

  it("has nothing to say when no user has two entries", () => {
    expect(evaluateOnHoldout(lowIdsFirst, set([[0], [1]], 2), {}, false, { seed: 1 })).toEqual({});
  });
});
