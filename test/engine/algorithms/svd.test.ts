import { svd } from "../../../src/engine/algorithms/svd";
import { globalMeanRmse, rmse, syntheticData } from "./support/syntheticData";

describe("svd (biased MF by SGD, as Surprise)", () => {
  const data = syntheticData(1);
  const params = { nFactors: 10 };

  it("beats the global mean on the synthetic catalog (pinned RMSE)", () => {
    const model = svd.fit(data.train, params, { seed: 3 });
    const value = rmse(model, data.test);
    expect(value).toBeLessThan(globalMeanRmse(data) - 0.1);
    expect(value).toBeCloseTo(0.9124, 3);
  });

  it("is deterministic for a seed", () => {
    const a = svd.fit(data.train, params, { seed: 5 });
    const b = svd.fit(data.train, params, { seed: 5 });
    expect(Array.from(a.scoreAll(7))).toEqual(Array.from(b.scoreAll(7)));
    expect(Array.from(a.scoreAll(7))).not.toEqual(Array.from(svd.fit(data.train, params, { seed: 6 }).scoreAll(7)));
  });

  it("clips predictions to the rating scale", () => {
    const model = svd.fit(data.train, { ...params, nEpochs: 60, lrAll: 0.02 }, { seed: 3 });
    for (let u = 0; u < data.train.nUsers; u += 7)
      for (let i = 0; i < data.train.nItems; i++) {
        const p = model.predict!(u, i);
        expect(p).toBeGreaterThanOrEqual(1);
        expect(p).toBeLessThanOrEqual(5);
      }
  });

  it("scores a cold-start user as μ + b_i, without NaN", () => {
    const model = svd.fit(data.train, params, { seed: 3 });
    const cold = data.train.nUsers - 1;
    const scores = model.scoreAll(cold);
    expect(scores.every(Number.isFinite)).toBe(true);
    expect(scores[0]).toBeCloseTo(model.mu + model.itemBias[0], 5);
    expect(model.similarUsers!(cold, 5)).toEqual([]);
    expect(model.similarItems!(0, 5)).toHaveLength(5);
  });

  it("reports progress once per epoch", () => {
    const seen: number[] = [];
    svd.fit(data.train, { nFactors: 2, nEpochs: 4 }, { seed: 1, onProgress: (f) => seen.push(f) });
    expect(seen).toEqual([0.25, 0.5, 0.75, 1]);
  });
});
