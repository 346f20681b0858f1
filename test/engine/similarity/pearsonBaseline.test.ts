import { pearsonBaseline, pearsonBaselineAllPairs } from "../../../src/engine/similarity/pearsonBaseline";
import { A, B, matrix, sv } from "../support/sparse";

describe("pearsonBaseline", () => {
  // mu = 3, b_a = 0.5, b_b = -0.5, column biases (0, 0.5, -0.5, 0, -1)
  // residuals over co-rated columns 1, 2, 4:
  //   a: 3 - 4 = -1, 4 - 3 = 1, 1 - 2.5 = -1.5
  //   b: 4 - 3 = 1,  2 - 2 = 0, 2 - 1.5 = 0.5
  // dot = -1 + 0 - 0.75 = -1.75; |a|^2 = 4.25; |b|^2 = 1.25
  // raw = -1.75 / sqrt(5.3125) = -0.759257...; Surprise's shrink (n-1)/(n-1+100) = 2/102
  const baselines = { globalMean: 3, biasA: 0.5, biasB: -0.5, colBias: [0, 0.5, -0.5, 0, -1] };
  const raw = -1.75 / Math.sqrt(5.3125);

  it("correlates baseline residuals, shrunk by (n-1)/(n-1+100) by default (worked by hand)", () => {
    expect(pearsonBaseline(sv(A), sv(B), baselines, { shrinkage: 0 })).toBeCloseTo(raw, 12);
    expect(pearsonBaseline(sv(A), sv(B), baselines)).toBeCloseTo((raw * 2) / 102, 12);
  });

  it("is symmetric, in [-1, 1], and uses only co-rated entries", () => {
    const swapped = { ...baselines, biasA: baselines.biasB, biasB: baselines.biasA };
    expect(pearsonBaseline(sv(B), sv(A), swapped)).toBeCloseTo(pearsonBaseline(sv(A), sv(B), baselines), 15);
    expect(pearsonBaseline(sv({ ...A, 0: 1 }), sv({ ...B, 3: 1 }), baselines, { shrinkage: 0 })).toBeCloseTo(raw, 12);
    expect(Math.abs(raw)).toBeLessThanOrEqual(1);
  });

  it("all pairs agree with the pairwise function", () => {
    const sim = pearsonBaselineAllPairs(matrix(5, [A, B]), { globalMean: 3, rowBias: [0.5, -0.5], colBias: baselines.colBias });
    expect(sim[1]).toBeCloseTo((raw * 2) / 102, 6);
    expect(sim[2]).toBe(sim[1]);
  });
});
