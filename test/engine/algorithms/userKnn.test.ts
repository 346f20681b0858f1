import { userKnn } from "../../../src/engine/algorithms/userKnn";
import { SIMILARITY_NAMES } from "../../../src/engine/similarity/similarityMatrix";
import { NO_BIASES, tinyRatings } from "../support/tinyRatings";
import { modelHitRate, modelRmse, syntheticFixture } from "../support/syntheticFixture";

describe("userKnn on the tiny example (worked by hand)", () => {
  // mu = 27/8 = 3.375, biases 0.
  // msd(u0, u1): co-rated i0, i1, differences (1, 0) -> msd 1/2 -> sim 2/3
  // msd(u0, u2): differences (4, -2) -> msd 10 -> sim 1/11
  // predict(u0, i2) = 3.375 + (2/3 (4 - 3.375) + 1/11 (2 - 3.375)) / (2/3 + 1/11)
  //                 = 3.375 + (7/24) / (25/33) = 3.375 + 0.385 = 3.76
  const opts = { seed: 0 };

  it("predicts baseline + weighted neighbour deviations", () => {
    expect(userKnn.fit(tinyRatings, NO_BIASES, opts).predict!(0, 2)).toBeCloseTo(3.76, 6);
  });

  it("uses only the k nearest: k = 1 keeps u1 alone -> 3.375 + 0.625", () => {
    expect(userKnn.fit(tinyRatings, { ...NO_BIASES, k: 1 }, opts).predict!(0, 2)).toBeCloseTo(4, 6);
  });

  it("falls back to the baseline below minK", () => {
    expect(userKnn.fit(tinyRatings, { ...NO_BIASES, minK: 3 }, opts).predict!(0, 2)).toBeCloseTo(3.375, 6);
  });

  it("returns the baseline for a cold-start item (no one rated i3) and user", () => {
    const model = userKnn.fit(tinyRatings, NO_BIASES, opts);
    expect(model.predict!(0, 3)).toBeCloseTo(3.375, 6);
    expect(model.predict!(7, 0)).toBeCloseTo(3.375, 6);
    expect(Array.from(model.scoreAll(7))).toEqual([0, 0, 0, 0]);
  });

  it("lists similar users best first and explains with the neighbours who liked the item", () => {
    const model = userKnn.fit(tinyRatings, NO_BIASES, opts);
    const similar = model.similarUsers!(0, 5);
    expect(similar.map((s) => s.item)).toEqual([1, 2]);
    expect(similar[0].score).toBeCloseTo(2 / 3, 6);
    expect(model.explain!(0, 2, 3)).toEqual([{ kind: "similarUsersLiked", count: 2 }]);
    // neighbourhood score: sum of similarities of the neighbours who rated i2
    expect(model.scoreAll(0)[2]).toBeCloseTo(2 / 3 + 1 / 11, 6);
  });
});

describe("userKnn on the synthetic catalog", () => {
  const { data, test } = syntheticFixture();

  it("defaults to Surprise's KNNBaseline: k 40, min_k 1, msd, ALS baselines", () => {
    expect(userKnn.defaults).toMatchObject({ k: 40, minK: 1, similarity: "msd", minSupport: 1 });
    expect(userKnn.defaults.baseline).toMatchObject({ method: "als", regI: 10, regU: 15, nEpochs: 10 });
  });

  it("pins RMSE (baselineOnly: 1.0659) and hit rate", () => {
    const model = userKnn.fit(data, {}, { seed: 0 });
    expect(modelRmse(model, test)).toBeCloseTo(0.987371, 5);
    expect(modelHitRate(model, data, test)).toBeCloseTo(0.174825, 5);
  });

  it("is deterministic", () => {
    const a = userKnn.fit(data, {}, { seed: 0 });
    const b = userKnn.fit(data, {}, { seed: 0 });
    expect(Array.from(a.scoreAll(5))).toEqual(Array.from(b.scoreAll(5)));
    expect(test.map((r) => a.predict!(r.user, r.item))).toEqual(test.map((r) => b.predict!(r.user, r.item)));
  });

  it.each(SIMILARITY_NAMES)("runs with %s similarity and stays in the rating scale", (similarity) => {
    const model = userKnn.fit(data, { similarity }, { seed: 0 });
    for (const r of test.slice(0, 50)) {
      const p = model.predict!(r.user, r.item);
      expect(p).toBeGreaterThanOrEqual(1);
      expect(p).toBeLessThanOrEqual(5);
    }
    expect(modelRmse(model, test)).toBeLessThan(1.2);
  });
});
