import { itemKnn } from "../../../src/engine/algorithms/itemKnn";
import { NO_BIASES, tinyRatings } from "../support/tinyRatings";
import { modelHitRate, modelRmse, syntheticFixture } from "../support/syntheticFixture";

describe("itemKnn on the tiny example (worked by hand)", () => {
  // mu = 3.375, biases 0, MSD between items over the users who rated both:
  // msd(i2, i0): users u1, u2: (4 - 4, 2 - 1) -> msd 1/2 -> sim 2/3
  // msd(i2, i1): (4 - 3, 2 - 5) -> msd 5 -> sim 1/6
  // predict(u0, i2) = 3.375 + (2/3 (5 - 3.375) + 1/6 (3 - 3.375)) / (2/3 + 1/6)
  //                 = 3.375 + (49/48) / (5/6) = 3.375 + 1.225 = 4.6
  const params = { ...NO_BIASES, similarity: "msd" as const, shrinkage: 0 };

  it("predicts baseline + weighted deviations of the user's most similar items", () => {
    expect(itemKnn.fit(tinyRatings, params, { seed: 0 }).predict!(0, 2)).toBeCloseTo(4.6, 6);
  });

  it("k = 1 keeps i0 alone: 3.375 + 1.625 = 5", () => {
    expect(itemKnn.fit(tinyRatings, { ...params, k: 1 }, { seed: 0 }).predict!(0, 2)).toBeCloseTo(5, 6);
  });

  it("explains with the user's items that contributed most", () => {
    const model = itemKnn.fit(tinyRatings, params, { seed: 0 });
    const evidence = model.explain!(0, 2, 2);
    expect(evidence.map((e) => (e.kind === "becauseYouInteracted" ? e.item : -1))).toEqual([0, 1]);
    expect(evidence[0]).toMatchObject({ kind: "becauseYouInteracted", item: 0 });
    expect((evidence[0] as { weight: number }).weight).toBeCloseTo(2 / 3, 6);
    expect(model.explain!(0, 2, 1)).toHaveLength(1);
  });

  it("lists similar items best first, never the item itself", () => {
    const model = itemKnn.fit(tinyRatings, params, { seed: 0 });
    const similar = model.similarItems!(2, 5);
    expect(similar.map((s) => s.item)).toEqual([0, 1]);
    expect(model.similarItems!(3, 5)).toEqual([]); // cold-start item has no neighbours
  });

  it("returns the baseline for a cold-start item and user", () => {
    const model = itemKnn.fit(tinyRatings, params, { seed: 0 });
    expect(model.predict!(0, 3)).toBeCloseTo(3.375, 6);
    expect(model.predict!(9, 2)).toBeCloseTo(3.375, 6);
    expect(Array.from(model.scoreAll(9))).toEqual([0, 0, 0, 0]);
  });
});

describe("itemKnn on the synthetic catalog", () => {
  const { data, test } = syntheticFixture();

  it("defaults to Gorse's item kNN settings: Pearson shrunk by 100, k 40", () => {
    expect(itemKnn.defaults).toMatchObject({ k: 40, minK: 1, similarity: "pearson", shrinkage: 100 });
  });

  it("pins RMSE (baselineOnly: 1.0659) and hit rate", () => {
    const model = itemKnn.fit(data, {}, { seed: 0 });
    expect(modelRmse(model, test)).toBeCloseTo(0.930407, 5);
    expect(modelHitRate(model, data, test)).toBeCloseTo(0.111888, 5);
  });

  it("is deterministic", () => {
    const a = itemKnn.fit(data, {}, { seed: 0 });
    const b = itemKnn.fit(data, {}, { seed: 0 });
    expect(Array.from(a.scoreAll(5))).toEqual(Array.from(b.scoreAll(5)));
    expect(test.map((r) => a.predict!(r.user, r.item))).toEqual(test.map((r) => b.predict!(r.user, r.item)));
  });
});
