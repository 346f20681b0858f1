import { ials } from "../../../src/engine/algorithms/ials";
import { NO_USER_STATE } from "../../../src/engine/userState";
import { ndcgAt10, popularityNdcg, syntheticData } from "./support/syntheticData";

describe("ials (Hu, Koren & Volinsky 2008; CG solver of Takács et al. 2011)", () => {
  const data = syntheticData(1, { implicit: true });
  const params = { nFactors: 8, regularization: 1 };

  it("ranks the synthetic catalog far above popularity (pinned nDCG@10)", () => {
    const value = ndcgAt10(ials.fit(data.train, params, { seed: 3 }), data);
    expect(value).toBeGreaterThan(popularityNdcg(data) + 0.3);
    expect(value).toBeCloseTo(0.6427, 3);
  });

  it("with many CG steps reaches the exact ALS solution for the user side", () => {
    // After a sweep, x_u must solve (YᵀCᵤY + λI) x_u = YᵀCᵤp(u) with the final Y;
    // run enough CG steps per solve and check the normal equations' residual.
    const p = { nFactors: 4, regularization: 1, alpha: 2, nIterations: 3, cgSteps: 50 };
    const model = ials.fit(data.train, p, { seed: 1 });
    const { indptr, indices, values } = data.train.ratings;
    const k = 4;
    const u = 2;
    const y = model.itemFactors;
    // Items were solved last, so re-check the item side: item i against the fixed user factors.
    const x = model.userFactors;
    const i = indices[indptr[u]];
    const a = new Float64Array(k * k);
    const b = new Float64Array(k);
    for (let v = 0; v < data.train.nUsers; v++) {
      let c = 1;
      let pos = 0;
      for (let e = indptr[v]; e < indptr[v + 1]; e++) if (indices[e] === i) (c = 1 + p.alpha * values[e]), (pos = 1);
      for (let f = 0; f < k; f++) {
        b[f] += c * pos * x[v * k + f];
        for (let g = 0; g < k; g++) a[f * k + g] += c * x[v * k + f] * x[v * k + g];
      }
    }
    for (let f = 0; f < k; f++) {
      let s = p.regularization * y[i * k + f];
      for (let g = 0; g < k; g++) s += a[f * k + g] * y[i * k + g];
      expect(s).toBeCloseTo(b[f], 6);
    }
  });

  it("is deterministic for a seed", () => {
    const a = ials.fit(data.train, params, { seed: 9 });
    const b = ials.fit(data.train, params, { seed: 9 });
    expect(Array.from(a.scoreAll(1))).toEqual(Array.from(b.scoreAll(1)));
  });

  it("gives a cold-start user finite (zero) scores", () => {
    const model = ials.fit(data.train, params, { seed: 3 });
    const scores = model.scoreAll(data.train.nUsers - 1);
    expect(scores.every((s) => s === 0)).toBe(true);
    expect(model.similarItems!(0, 3)).toHaveLength(3);
  });

  it("with weighted regularization (ALS-WR, Spark's ALS) solves each row with λ times its positive entries", () => {
    const p = { nFactors: 4, regularization: 0.5, alpha: 2, nIterations: 3, cgSteps: 50, weightedRegularization: true };
    const model = ials.fit(data.train, p, { seed: 1 });
    const { indptr, indices, values } = data.train.ratings;
    const k = 4;
    const y = model.itemFactors;
    const x = model.userFactors;
    const i = indices[indptr[2]];
    const a = new Float64Array(k * k);
    const b = new Float64Array(k);
    let positives = 0;
    for (let v = 0; v < data.train.nUsers; v++) {
      let c = 1;
      let pos = 0;
      for (let e = indptr[v]; e < indptr[v + 1]; e++) if (indices[e] === i && values[e] > 0) (c = 1 + p.alpha * values[e]), (pos = 1);
      positives += pos;
      for (let f = 0; f < k; f++) {
        b[f] += c * pos * x[v * k + f];
        for (let g = 0; g < k; g++) a[f * k + g] += c * x[v * k + f] * x[v * k + g];
      }
    }
    expect(positives).toBeGreaterThan(1);
    for (let f = 0; f < k; f++) {
      let s = p.regularization * positives * y[i * k + f];
      for (let g = 0; g < k; g++) s += a[f * k + g] * y[i * k + g];
      expect(s).toBeCloseTo(b[f], 6);
    }
  });

  it("folds a history in with λ·n⁺ when the regularization is weighted (worked by hand)", () => {
    // Three items, two factors: y0 = (1, 0), y1 = (0, 1), y2 = (1, 1); YᵀY = [[2, 1], [1, 2]].
    // History: item 0 with r = 1, item 2 with r = 0.5; α = 2, λ = 0.5, two positives so λ·n⁺ = 1.
    // A = YᵀY + Σ α·r·y yᵀ + λ·n⁺·I = [[2,1],[1,2]] + 2·[[1,0],[0,0]] + 1·[[1,1],[1,1]] + I = [[6, 2], [2, 4]]
    // b = Σ (1 + α·r)·y = 3·(1, 0) + 2·(1, 1) = (5, 2); x = A⁻¹b = (16, 2) / 20 = (0.8, 0.1).
    const serialized = {
      algorithm: "ials",
      params: { nFactors: 2, regularization: 0.5, alpha: 2, weightedRegularization: true },
      meta: { nItems: 3, nFactors: 2 },
      arrays: { itemFactors: Float32Array.from([1, 0, 0, 1, 1, 1]) },
      userState: NO_USER_STATE,
    };
    const model = ials.deserialize(serialized);
    const scores = model.scoreHistory!({ items: Int32Array.from([0, 2]), values: Float32Array.from([1, 0.5]) });
    expect(Array.from(scores).map((s) => Number(s.toFixed(5)))).toEqual([0.8, 0.1, 0.9]);
    // Unweighted, λ counts once: A = [[5.5, 2], [2, 3.5]], x = (13.5, 1) / 15.25 = (54, 4) / 61.
    const plain = ials.deserialize({ ...serialized, params: { ...serialized.params, weightedRegularization: false } });
    const x = [54 / 61, 4 / 61];
    expect(Array.from(plain.scoreHistory!({ items: Int32Array.from([0, 2]), values: Float32Array.from([1, 0.5]) }))).toEqual(
      [x[0], x[1], x[0] + x[1]].map((v) => Math.fround(v)),
    );
    // No positive entry: no factor, as in training.
    expect(Array.from(model.scoreHistory!({ items: Int32Array.from([1]), values: Float32Array.from([-1]) }))).toEqual([0, 0, 0]);
  });
});
