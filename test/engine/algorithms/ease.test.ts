import { csrFromTriplets } from "../../../src/engine/data/CsrMatrix";
import { ease } from "../../../src/engine/algorithms/ease";
import type { TrainingSet } from "../../../src/engine/types";
import { ndcgAt10, popularityNdcg, syntheticData } from "./support/syntheticData";

describe("ease (Steck 2019)", () => {
  // Users {0,1}, {1,2}, {0,1,2}: XᵀX = [[2,2,1],[2,3,2],[1,2,2]]; with λ = 1,
  // P = (XᵀX + I)⁻¹ = [[.5,-.25,0],[-.25,.5,-.25],[0,-.25,.5]], so
  // B_ij = -P_ij/P_jj gives B = [[0,.5,0],[.5,0,.5],[0,.5,0]].
  const tiny: TrainingSet = {
    nUsers: 4,
    nItems: 3,
    ratings: csrFromTriplets(4, 3, [0, 0, 1, 1, 2, 2, 2], [0, 1, 1, 2, 0, 1, 2], [1, 1, 1, 1, 1, 1, 1]),
  };

  it("computes B by hand on a 3x3 case", () => {
    const model = ease.fit(tiny, { lambda: 1 }, { seed: 0 });
    const expected = [0, 0.5, 0, 0.5, 0, 0.5, 0, 0.5, 0];
    expected.forEach((v, k) => expect(model.weights[k]).toBeCloseTo(v, 6));
    // user 0 = x(0) + x(1): row 0 + row 1 of B
    expect(Array.from(model.scoreAll(0))).toEqual([0.5, 0.5, 0.5]);
    expect(model.similarItems!(1, 2)).toEqual([
      { item: 0, score: 0.5 },
      { item: 2, score: 0.5 },
    ]);
    expect(model.explain!(1, 0, 3)).toEqual([{ kind: "becauseYouInteracted", item: 1, weight: 0.5 }]);
  });

  it("gives a cold-start user all-zero scores, no NaN", () => {
    const model = ease.fit(tiny, { lambda: 1 }, { seed: 0 });
    expect(Array.from(model.scoreAll(3))).toEqual([0, 0, 0]);
  });

  it("ranks the synthetic catalog far above popularity (pinned nDCG@10)", () => {
    const data = syntheticData(1, { implicit: true });
    const value = ndcgAt10(ease.fit(data.train, { lambda: 10 }, { seed: 0 }), data);
    expect(value).toBeGreaterThan(popularityNdcg(data) + 0.3);
    expect(value).toBeCloseTo(0.6272, 3);
  });

  it("is deterministic and independent of the seed (closed form)", () => {
    const data = syntheticData(2, { implicit: true });
    const a = ease.fit(data.train, {}, { seed: 1 });
    const b = ease.fit(data.train, {}, { seed: 2 });
    expect(Array.from(a.scoreAll(5))).toEqual(Array.from(b.scoreAll(5)));
  });
});
