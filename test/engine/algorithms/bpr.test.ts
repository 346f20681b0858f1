import { bpr } from "../../../src/engine/algorithms/bpr";
import { ndcgAt10, popularityNdcg, syntheticData } from "./support/syntheticData";

describe("bpr (Rendle et al. 2009)", () => {
  const data = syntheticData(1, { implicit: true });
  const params = { nFactors: 8 };

  it("ranks the synthetic catalog far above popularity (pinned nDCG@10)", () => {
    const value = ndcgAt10(bpr.fit(data.train, params, { seed: 3 }), data);
    expect(value).toBeGreaterThan(popularityNdcg(data) + 0.3);
    expect(value).toBeCloseTo(0.617, 3);
  });

  it("is deterministic for a seed, and the seed matters", () => {
    const a = bpr.fit(data.train, { ...params, nEpochs: 5 }, { seed: 9 });
    const b = bpr.fit(data.train, { ...params, nEpochs: 5 }, { seed: 9 });
    const c = bpr.fit(data.train, { ...params, nEpochs: 5 }, { seed: 10 });
    expect(Array.from(a.scoreAll(1))).toEqual(Array.from(b.scoreAll(1)));
    expect(Array.from(a.scoreAll(1))).not.toEqual(Array.from(c.scoreAll(1)));
  });

  it("scores a cold-start user by the item bias alone, without NaN", () => {
    const model = bpr.fit(data.train, { ...params, nEpochs: 5 }, { seed: 3 });
    const scores = model.scoreAll(data.train.nUsers - 1);
    expect(Array.from(scores)).toEqual(Array.from(Float32Array.from(model.itemBias)));
  });

  it("survives a user who has interacted with every item (no negative to sample)", () => {
    const { csrFromTriplets } = jest.requireActual("../../../src/engine/data/CsrMatrix");
    const full = { nUsers: 2, nItems: 2, ratings: csrFromTriplets(2, 2, [0, 0, 1], [0, 1, 0], [1, 1, 1]) };
    const model = bpr.fit(full, { nFactors: 2, nEpochs: 3 }, { seed: 1 });
    expect(model.scoreAll(1).every(Number.isFinite)).toBe(true);
  });
});
