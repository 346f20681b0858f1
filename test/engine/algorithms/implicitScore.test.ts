import { csrFromTriplets } from "../../../src/engine/data/CsrMatrix";
import { ease } from "../../../src/engine/algorithms/ease";
import { ials } from "../../../src/engine/algorithms/ials";
import { implicitScore } from "../../../src/engine/algorithms/implicitScore";
import type { TrainingSet } from "../../../src/engine/types";

describe("implicitScore", () => {
  // The 3x3 case of ease.test.ts: B = [[0,.5,0],[.5,0,.5],[0,.5,0]] with λ = 1.
  const tiny: TrainingSet = {
    nUsers: 4,
    nItems: 3,
    ratings: csrFromTriplets(4, 3, [0, 0, 1, 1, 2, 2, 2], [0, 1, 1, 2, 0, 1, 2], [1, 1, 1, 1, 1, 1, 1]),
  };

  it("offers the wrapped model's scores, standardised per user, as predict()", () => {
    // With λ = 1 user 0's row x B is constant ([.5, .5, .5], standardised to 0); λ = 2 gives a non-constant one.
    const model = implicitScore(ease).fit(tiny, { lambda: 2 }, { seed: 0 });
    const raw = ease.fit(tiny, { lambda: 2 }, { seed: 0 }).scoreAll(0);
    const mean = (raw[0] + raw[1] + raw[2]) / 3;
    const sd = Math.sqrt(((raw[0] - mean) ** 2 + (raw[1] - mean) ** 2 + (raw[2] - mean) ** 2) / 3);
    for (let i = 0; i < 3; i++) expect(model.predict!(0, i)).toBeCloseTo((raw[i] - mean) / sd, 5);
    expect(Array.from(model.scoreAll(0))).toEqual([0, 1, 2].map((i) => model.predict!(0, i)));
  });

  it("gives a cold-start user or an unknown item 0, no NaN", () => {
    const model = implicitScore(ease).fit(tiny, { lambda: 1 }, { seed: 0 });
    expect(Array.from(model.scoreAll(3))).toEqual([0, 0, 0]);
    expect(model.predict!(3, 1)).toBe(0);
    expect(model.predict!(0, 9)).toBe(0);
    expect(model.predict!(9, 0)).toBe(0);
  });

  it("is deterministic with a seed", () => {
    const a = implicitScore(ials).fit(tiny, { nFactors: 2 }, { seed: 4 });
    const b = implicitScore(ials).fit(tiny, { nFactors: 2 }, { seed: 4 });
    expect(Array.from(a.scoreAll(2))).toEqual(Array.from(b.scoreAll(2)));
  });
});
