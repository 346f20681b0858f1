import { msd, msdAllPairs } from "../../../src/engine/similarity/msd";
import { A, B, matrix, sv } from "../support/sparse";

describe("msd", () => {
  it("is 1 / (mean squared difference + 1) over co-rated entries (worked by hand)", () => {
    // co-rated differences (3-4, 4-2, 1-2) = (-1, 2, -1): squares 1 + 4 + 1 = 6
    // msd = 6 / 3 = 2 -> sim = 1 / 3
    expect(msd(sv(A), sv(B))).toBeCloseTo(1 / 3, 12);
  });

  it("ignores items only one side rated", () => {
    expect(msd(sv({ ...A, 0: 1 }), sv({ ...B, 3: 1 }))).toBeCloseTo(1 / 3, 12);
  });

  it("is 1 for identical co-rated values, in (0, 1], symmetric", () => {
    expect(msd(sv({ 0: 4, 1: 2 }), sv({ 0: 4, 1: 2, 2: 5 }))).toBe(1);
    expect(msd(sv({ 0: 1 }), sv({ 0: 5 }))).toBeCloseTo(1 / 17, 12);
    expect(msd(sv(B), sv(A))).toBe(msd(sv(A), sv(B)));
  });

  it("applies minSupport", () => {
    expect(msd(sv(A), sv(B), { minSupport: 4 })).toBe(0);
  });

  it("all pairs agree with the pairwise function", () => {
    const sim = msdAllPairs(matrix(5, [A, B]));
    expect(sim[1]).toBeCloseTo(1 / 3, 6);
    expect(sim[2]).toBe(sim[1]);
  });
});
