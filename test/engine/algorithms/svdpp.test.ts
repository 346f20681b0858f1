import { svdpp } from "../../../src/engine/algorithms/svdpp";
import { globalMeanRmse, rmse, syntheticData } from "./support/syntheticData";

describe("svdpp (Koren 2008)", () => {
  const data = syntheticData(1);

  it("beats the global mean on the synthetic catalog (pinned RMSE)", () => {
    const model = svdpp.fit(data.train, {}, { seed: 3 });
    const value = rmse(model, data.test);
    expect(value).toBeLessThan(globalMeanRmse(data) - 0.2);
    expect(value).toBeCloseTo(0.6908, 3);
  });

  it("is deterministic for a seed", () => {
    const a = svdpp.fit(data.train, { nEpochs: 5 }, { seed: 5 });
    const b = svdpp.fit(data.train, { nEpochs: 5 }, { seed: 5 });
    expect(Array.from(a.scoreAll(3))).toEqual(Array.from(b.scoreAll(3)));
  });

  it("uses the implicit term: the user vector is p_u + |N(u)|^-½ Σ y_j", () => {
    const model = svdpp.fit(data.train, { nEpochs: 3 }, { seed: 5 });
    // A user's prediction equals μ + b_u + b_i + q_iᵀ(p_u + z_u) computed from the exposed vectors.
    const k = 20;
    const u = 4;
    const i = 9;
    let dot = 0;
    for (let f = 0; f < k; f++) dot += model.userVectors[u * k + f] * model.itemFactors[i * k + f];
    expect(model.scoreAll(u)[i]).toBeCloseTo(model.mu + model.userBias[u] + model.itemBias[i] + dot, 4);
  });

  it("handles a cold-start user without NaN", () => {
    const model = svdpp.fit(data.train, { nEpochs: 3 }, { seed: 3 });
    const cold = data.train.nUsers - 1;
    expect(model.scoreAll(cold).every(Number.isFinite)).toBe(true);
    expect(model.predict!(cold, 0)).toBeCloseTo(Math.min(5, Math.max(1, model.mu + model.itemBias[0])), 5);
  });
});
