import { pearson, pearsonAllPairs } from "../../../src/engine/similarity/pearson";
import { A, B, matrix, sv } from "../support/sparse";

describe("pearson", () => {
  it("centres on the means over co-rated entries (worked by hand)", () => {
    // co-rated a = (3, 4, 1), mean 8/3 -> (1/3, 4/3, -5/3)
    //          b = (4, 2, 2), mean 8/3 -> (4/3, -2/3, -2/3)
    // num = (4 - 8 + 10) / 9 = 6/9; |a|^2 = 42/9; |b|^2 = 24/9
    // r = (6/9) / (sqrt(42 * 24) / 9) = 6 / sqrt(1008) = 0.188982...
    expect(pearson(sv(A), sv(B))).toBeCloseTo(6 / Math.sqrt(1008), 12);
  });

  it("ignores items only one side rated", () => {
    expect(pearson(sv({ ...A, 0: 1 }), sv({ ...B, 3: 1 }))).toBeCloseTo(6 / Math.sqrt(1008), 12);
  });

  it("is +1 / -1 for linear relations and 0 for a constant row", () => {
    expect(pearson(sv({ 0: 1, 1: 2, 2: 3 }), sv({ 0: 2, 1: 4, 2: 6 }))).toBeCloseTo(1, 12);
    expect(pearson(sv({ 0: 1, 1: 2, 2: 3 }), sv({ 0: 3, 1: 2, 2: 1 }))).toBeCloseTo(-1, 12);
    expect(pearson(sv({ 0: 4, 1: 4, 2: 4 }), sv({ 0: 3, 1: 2, 2: 1 }))).toBe(0);
  });

  it("is symmetric; minSupport and shrinkage apply", () => {
    expect(pearson(sv(B), sv(A))).toBe(pearson(sv(A), sv(B)));
    expect(pearson(sv(A), sv(B), { minSupport: 4 })).toBe(0);
    expect(pearson(sv(A), sv(B), { shrinkage: 3 })).toBeCloseTo((6 / Math.sqrt(1008)) * 0.5, 12);
  });

  it("all pairs agree with the pairwise function", () => {
    const sim = pearsonAllPairs(matrix(5, [A, B]));
    expect(sim[1]).toBeCloseTo(6 / Math.sqrt(1008), 6);
    expect(sim[2]).toBe(sim[1]);
  });
});
