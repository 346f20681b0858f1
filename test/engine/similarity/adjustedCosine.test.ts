import { adjustedCosine, adjustedCosineAllPairs } from "../../../src/engine/similarity/adjustedCosine";
import { A, B, matrix, sv } from "../support/sparse";

describe("adjustedCosine", () => {
  it("centres each entry on its column mean before cosine (worked by hand)", () => {
    // Rows are items, columns users with means (3, 3, 3, 3, 2).
    // co-rated columns 1, 2, 4: a - mean = (0, 1, -1), b - mean = (1, -1, 0)
    // dot = 0 - 1 + 0 = -1; |a|^2 = 2; |b|^2 = 2 -> -1 / 2
    expect(adjustedCosine(sv(A), sv(B), [3, 3, 3, 3, 2])).toBeCloseTo(-0.5, 12);
  });

  it("is symmetric and ignores columns only one row has", () => {
    const means = [3, 3, 3, 3, 2];
    expect(adjustedCosine(sv(B), sv(A), means)).toBe(adjustedCosine(sv(A), sv(B), means));
    expect(adjustedCosine(sv({ ...A, 0: 1 }), sv({ ...B, 3: 1 }), means)).toBeCloseTo(-0.5, 12);
  });

  it("all pairs centre on the column means of the whole matrix", () => {
    // item x user: column means are computed over every item of the user.
    const m = matrix(3, [{ 0: 5, 1: 1 }, { 0: 3, 1: 3, 2: 4 }, { 0: 1, 2: 2 }]);
    // user means: u0 (5+3+1)/3 = 3, u1 (1+3)/2 = 2, u2 (4+2)/2 = 3
    // item0 - means = (2, -1, .), item1 - means = (0, 1, 1)
    // co-rated u0, u1: dot = 0 - 1 = -1; |a|^2 = 5; |b|^2 = 1 -> -1/sqrt(5)
    const sim = adjustedCosineAllPairs(m);
    expect(sim[0 * 3 + 1]).toBeCloseTo(-1 / Math.sqrt(5), 6);
    expect(adjustedCosine(sv({ 0: 5, 1: 1 }), sv({ 0: 3, 1: 3, 2: 4 }), [3, 2, 3])).toBeCloseTo(-1 / Math.sqrt(5), 12);
  });
});
