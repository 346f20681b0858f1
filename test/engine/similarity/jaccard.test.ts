import { jaccard, jaccardAllPairs } from "../../../src/engine/similarity/jaccard";
import { A, B, matrix, sv } from "../support/sparse";

describe("jaccard", () => {
  it("is |A ∩ B| / |A ∪ B| (worked by hand)", () => {
    // A = {0, 1, 2, 4}, B = {1, 2, 3, 4}: intersection 3, union 5
    expect(jaccard(sv(A), sv(B))).toBeCloseTo(3 / 5, 12);
  });

  it("ignores values, is symmetric and in [0, 1]", () => {
    expect(jaccard(sv({ 0: 1, 1: 1 }), sv({ 0: 5, 1: 2 }))).toBe(1);
    expect(jaccard(sv(B), sv(A))).toBe(jaccard(sv(A), sv(B)));
    expect(jaccard(sv({ 0: 1 }), sv({ 1: 1 }))).toBe(0);
  });

  it("applies minSupport and shrinkage", () => {
    expect(jaccard(sv(A), sv(B), { minSupport: 4 })).toBe(0);
    expect(jaccard(sv(A), sv(B), { shrinkage: 1 })).toBeCloseTo(0.6 * 0.75, 12);
  });

  it("all pairs agree with the pairwise function", () => {
    const sim = jaccardAllPairs(matrix(5, [A, B]));
    expect(sim[1]).toBeCloseTo(0.6, 6);
  });
});
