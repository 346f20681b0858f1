import { fitBaselines } from "../../../src/engine/algorithms/baseline";
import { bpmf, sampleGamma, sampleWishart, type BpmfModel } from "../../../src/engine/algorithms/bpmf";
import { csrFromTriplets } from "../../../src/engine/data/CsrMatrix";
import { createRng } from "../../../src/engine/random";
import type { TrainingSet } from "../../../src/engine/types";
import { globalMeanRmse, rmse, syntheticData } from "./support/syntheticData";

describe("bpmf samplers", () => {
  it("Gamma(k, 1) draws have mean k and variance k, for k below and above 1", () => {
    for (const shape of [0.5, 3, 40]) {
      const rng = createRng(11);
      const n = 40000;
      let sum = 0;
      let sq = 0;
      let min = Infinity;
      for (let t = 0; t < n; t++) {
        const x = sampleGamma(shape, rng);
        min = Math.min(min, x);
        sum += x;
        sq += x * x;
      }
      const mean = sum / n;
      expect(min).toBeGreaterThan(0);
      expect(mean).toBeGreaterThan(shape * 0.97);
      expect(mean).toBeLessThan(shape * 1.03);
      expect(sq / n - mean * mean).toBeGreaterThan(shape * 0.9);
      expect(sq / n - mean * mean).toBeLessThan(shape * 1.1);
    }
  });

  it("Wishart(W, ν) draws are symmetric positive definite with mean ν·W", () => {
    // W = [[2, 0.5], [0.5, 1]], ν = 5: E = [[10, 2.5], [2.5, 5]].
    const scale = Float64Array.from([2, 0.5, 0.5, 1]);
    const rng = createRng(5);
    const n = 20000;
    const mean = new Float64Array(4);
    let asymmetric = 0;
    let notPositive = 0;
    for (let t = 0; t < n; t++) {
      const w = sampleWishart(scale, 5, 2, rng);
      if (w[1] !== w[2]) asymmetric++;
      if (!(w[0] > 0 && w[0] * w[3] - w[1] * w[2] > 0)) notPositive++;
      for (let k = 0; k < 4; k++) mean[k] += w[k] / n;
    }
    expect(asymmetric).toBe(0);
    expect(notPositive).toBe(0);
    expect(mean[0]).toBeCloseTo(10, 0);
    expect(mean[1]).toBeCloseTo(2.5, 0);
    expect(mean[3]).toBeCloseTo(5, 0);
    expect(Math.abs(mean[0] - 10)).toBeLessThan(0.25);
    expect(Math.abs(mean[1] - 2.5)).toBeLessThan(0.15);
    expect(Math.abs(mean[3] - 5)).toBeLessThan(0.12);
  });

  it("rejects a scale that is not positive definite", () => {
    expect(() => sampleWishart(Float64Array.from([1, 2, 2, 1]), 3, 2, createRng(1))).toThrow(/positive definite/);
  });
});

describe("bpmf (Salakhutdinov & Mnih 2008)", () => {
  it("recovers a noiseless rank-one matrix it was trained on", () => {
    // r_ui = 3 + a_u b_i with a = (1, -1, 0.5, -0.5), b = (1, -1, 0.8): every entry observed.
    const a = [1, -1, 0.5, -0.5];
    const b = [1, -1, 0.8];
    const rows: number[] = [];
    const cols: number[] = [];
    const vals: number[] = [];
    for (let u = 0; u < a.length; u++)
      for (let i = 0; i < b.length; i++) {
        rows.push(u);
        cols.push(i);
        vals.push(3 + a[u] * b[i]);
      }
    const data: TrainingSet = { nUsers: 4, nItems: 3, ratings: csrFromTriplets(4, 3, rows, cols, vals), ratingScale: { min: 1, max: 5 } };
    const model = bpmf.fit(data, { nFactors: 2, alpha: 400, burnIn: 200, nSamples: 400 }, { seed: 1 });
    for (let t = 0; t < rows.length; t++) expect(Math.abs(model.predict!(rows[t], cols[t]) - vals[t])).toBeLessThan(0.12);
  });

  it("beats the global mean on the synthetic catalog (pinned RMSE) and keeps its samples", () => {
    const data = syntheticData(1);
    const model = bpmf.fit(data.train, { burnIn: 20, nSamples: 40 }, { seed: 3 }) as BpmfModel;
    expect(model.userSamples).toHaveLength(40);
    expect(model.itemSamples[0]).toHaveLength(data.train.nItems * 10);
    const value = rmse(model, data.test);
    expect(value).toBeLessThan(globalMeanRmse(data) - 0.2);
    expect(value).toBeCloseTo(0.625, 3);
  });

  it("is deterministic for a seed, and a different seed gives a different model", () => {
    const data = syntheticData(2);
    const params = { burnIn: 5, nSamples: 5 };
    const a = bpmf.fit(data.train, params, { seed: 9 });
    const b = bpmf.fit(data.train, params, { seed: 9 });
    const c = bpmf.fit(data.train, params, { seed: 10 });
    expect(Array.from(a.scoreAll(3))).toEqual(Array.from(b.scoreAll(3)));
    expect(Array.from(a.scoreAll(3))).not.toEqual(Array.from(c.scoreAll(3)));
  });

  it("answers a cold-start user or item with the baseline, and stays on the rating scale", () => {
    const data = syntheticData(1);
    const model = bpmf.fit(data.train, { burnIn: 5, nSamples: 5 }, { seed: 3 });
    const base = fitBaselines(data.train);
    const cold = data.train.nUsers - 1;
    expect(data.train.ratings.indptr[cold + 1] - data.train.ratings.indptr[cold]).toBe(0);
    for (const i of [0, 7]) {
      const expected = Math.min(5, Math.max(1, base.globalMean + base.itemBias[i]));
      expect(model.predict!(cold, i)).toBeCloseTo(expected, 5);
      expect(model.predict!(data.train.nUsers + 5, i)).toBeCloseTo(expected, 5);
      expect(model.scoreAll(cold)[i]).toBeCloseTo(base.globalMean + base.itemBias[i], 4);
    }
    // An item the model has never seen: the user's baseline (global mean + user bias).
    expect(model.predict!(2, data.train.nItems + 3)).toBeCloseTo(Math.min(5, Math.max(1, base.globalMean + base.userBias[2])), 5);
    for (let i = 0; i < data.train.nItems; i++) {
      const p = model.predict!(2, i);
      expect(p).toBeGreaterThanOrEqual(1);
      expect(p).toBeLessThanOrEqual(5);
    }
  });
});
