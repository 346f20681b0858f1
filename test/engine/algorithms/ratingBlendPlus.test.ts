import { ratingBlendPlus } from "../../../src/engine/algorithms/hybrid";
import type { Model } from "../../../src/engine/types";
import { globalMeanRmse, rmse, syntheticData } from "./support/syntheticData";

describe("ratingBlendPlus", () => {
  it("blends its eleven inputs into ratings on the scale, well below the global mean's RMSE (pinned)", () => {
    const data = syntheticData(1);
    const model = ratingBlendPlus.fit(data.train, {}, { seed: 3 }) as Model & { weights: number[] };
    expect(model.weights).toHaveLength(11);
    const value = rmse(model, data.test);
    expect(value).toBeLessThan(globalMeanRmse(data) - 0.3);
    expect(value).toBeCloseTo(0.5563, 3);
    for (const t of data.test.slice(0, 20)) {
      const p = model.predict!(t.user, t.item);
      expect(p).toBeGreaterThanOrEqual(1);
      expect(p).toBeLessThanOrEqual(5);
    }
  });

  it("is deterministic with a seed and predicts a cold-start user without NaN", () => {
    const data = syntheticData(2);
    const a = ratingBlendPlus.fit(data.train, {}, { seed: 1 });
    const b = ratingBlendPlus.fit(data.train, {}, { seed: 1 });
    expect(a.predict!(3, 4)).toBe(b.predict!(3, 4));
    const cold = data.train.nUsers - 1;
    expect(Number.isFinite(a.predict!(cold, 0))).toBe(true);
  });
});
