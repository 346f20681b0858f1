import { rankingBlendPlus } from "../../../src/engine/algorithms/hybrid";
import type { Model } from "../../../src/engine/types";
import { ndcgAt10, popularityNdcg, syntheticData } from "./support/syntheticData";

describe("rankingBlendPlus", () => {
  it("blends EASE and three iALS runs, far above popularity (pinned nDCG@10)", () => {
    const data = syntheticData(1, { implicit: true });
    const model = rankingBlendPlus.fit(data.train, {}, { seed: 3 }) as Model & { weights: number[] };
    expect(model.weights).toHaveLength(4);
    const value = ndcgAt10(model, data);
    expect(value).toBeGreaterThan(popularityNdcg(data) + 0.3);
    expect(value).toBeCloseTo(0.6661, 3);
  });

  it("is deterministic with a seed, handles a cold-start user and serves the same scores from storage", () => {
    const data = syntheticData(2, { implicit: true });
    const a = rankingBlendPlus.fit(data.train, {}, { seed: 1 });
    const b = rankingBlendPlus.fit(data.train, {}, { seed: 1 });
    expect(Array.from(a.scoreAll(2))).toEqual(Array.from(b.scoreAll(2)));
    expect(a.scoreAll(data.train.nUsers - 1).every(Number.isFinite)).toBe(true);
    const back = rankingBlendPlus.deserialize!(a.serialize!());
    const { indptr, indices, values } = data.train.ratings;
    const history = { items: indices.slice(indptr[2], indptr[3]), values: values.slice(indptr[2], indptr[3]) };
    expect(back.scoreHistory!(history).every(Number.isFinite)).toBe(true);
    expect(Array.from(back.scoreHistory!(history))).toEqual(Array.from(a.scoreHistory!(history)));
  });
});
