import { euclidean, euclideanAllPairs } from "../../../src/engine/similarity/euclidean";
import { A, B, matrix, sv } from "../support/sparse";

describe("euclidean", () => {
  it("is 1 / (1 + distance) over co-rated entries (worked by hand)", () => {
    // co-rated differences (-1, 2, -1): d = sqrt(6) = 2.449490; 1 / (1 + d) = 0.289898...
    expect(euclidean(sv(A), sv(B))).toBeCloseTo(1 / (1 + Math.sqrt(6)), 12);
  });

  it("does not take distance between dicts of different items (the blog bug)", () => {
    // Treating missing ratings as 0 over the union {0..4} would give
    // differences (5, -1, 2, -5, -1): d = sqrt(56), a different, wrong answer.
    const wrong = 1 / (1 + Math.sqrt(56));
    expect(euclidean(sv(A), sv(B))).not.toBeCloseTo(wrong, 3);
    expect(euclidean(sv({ ...A, 0: 1 }), sv({ ...B, 3: 1 }))).toBeCloseTo(1 / (1 + Math.sqrt(6)), 12);
  });

  it("is 1 for identical co-rated values, in (0, 1], symmetric", () => {
    expect(euclidean(sv({ 0: 4 }), sv({ 0: 4, 1: 1 }))).toBe(1);
    expect(euclidean(sv(B), sv(A))).toBe(euclidean(sv(A), sv(B)));
  });

  it("is 0 with no co-rated entries or below minSupport", () => {
    expect(euclidean(sv({ 0: 4 }), sv({ 1: 4 }))).toBe(0);
    expect(euclidean(sv(A), sv(B), { minSupport: 5 })).toBe(0);
  });

  it("all pairs agree with the pairwise function", () => {
    const sim = euclideanAllPairs(matrix(5, [A, B]));
    expect(sim[1]).toBeCloseTo(1 / (1 + Math.sqrt(6)), 6);
  });
});
