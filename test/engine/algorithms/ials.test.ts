import { ials } from "../../../src/engine/algorithms/ials";
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
});
