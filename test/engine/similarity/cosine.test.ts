import { cosine, cosineAllPairs } from "../../../src/engine/similarity/cosine";
import { A, B, matrix, sv } from "../support/sparse";

describe("cosine", () => {
  it("uses only co-rated entries (worked by hand)", () => {
    // co-rated a = (3, 4, 1), b = (4, 2, 2)
    // a.b = 12 + 8 + 2 = 22; |a|^2 = 9 + 16 + 1 = 26; |b|^2 = 16 + 4 + 4 = 24
    // cos = 22 / sqrt(26 * 24) = 22 / sqrt(624) = 0.880705...
    expect(cosine(sv(A), sv(B))).toBeCloseTo(22 / Math.sqrt(624), 12);
  });

  it("ignores items only one side rated", () => {
    // Changing the ratings of columns 0 (only a) and 3 (only b) changes nothing.
    expect(cosine(sv({ ...A, 0: 1 }), sv({ ...B, 3: 1 }))).toBeCloseTo(cosine(sv(A), sv(B)), 12);
  });

  it("is symmetric and in [-1, 1]", () => {
    expect(cosine(sv(B), sv(A))).toBe(cosine(sv(A), sv(B)));
    expect(cosine(sv({ 0: 1, 1: -1 }), sv({ 0: -1, 1: 1 }))).toBeCloseTo(-1, 12);
  });

  it("applies minSupport and shrinkage", () => {
    const base = 22 / Math.sqrt(624);
    expect(cosine(sv(A), sv(B), { minSupport: 4 })).toBe(0);
    expect(cosine(sv(A), sv(B), { minSupport: 3 })).toBeCloseTo(base, 12);
    // n = 3, shrinkage 7: sim * 3 / 10
    expect(cosine(sv(A), sv(B), { shrinkage: 7 })).toBeCloseTo(base * 0.3, 12);
  });

  it("is 0 with nothing in common", () => {
    expect(cosine(sv({ 0: 5 }), sv({ 1: 5 }))).toBe(0);
  });

  it("all pairs agree with the pairwise function", () => {
    const m = matrix(5, [A, B, { 0: 2, 3: 4 }]);
    const sim = cosineAllPairs(m);
    expect(sim[0 * 3 + 1]).toBeCloseTo(22 / Math.sqrt(624), 6);
    expect(sim[1 * 3 + 0]).toBe(sim[0 * 3 + 1]);
    expect(sim[0]).toBe(1);
  });
});
