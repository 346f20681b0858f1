// Play counts and other amounts reach the models as confidence: worked by
// hand through buildTrainingSet and an iALS fold-in (Hu, Koren & Volinsky
// 2008, eq. 4) with fixed item factors.
import { ials } from "../../../src/engine/algorithms/ials";
import { buildTrainingSet, type InteractionInput } from "../../../src/engine/data/buildTrainingSet";

const play = (item: number, value: number, timestamp: number): InteractionInput => ({ user: 0, item, kind: "PLAY", value, timestamp });

// Items 0 and 2 share a direction, 1 and 3 the other: 2 is "co-played" with 0, 3 with 1.
const model = ials.deserialize!({
  algorithm: "ials",
  params: { nFactors: 2, regularization: 1, alpha: 1 },
  meta: { nItems: 4, nFactors: 2 },
  arrays: { itemFactors: Float32Array.from([1, 0, 0, 1, 1, 0, 0, 1]) },
  userState: {},
});

function foldIn(records: InteractionInput[]): Float32Array {
  const row = buildTrainingSet(records, { nUsers: 1, nItems: 4, explicit: false }).ratings;
  return model.scoreHistory!({ items: row.indices, values: row.values });
}

describe("amounts as confidence in an iALS fold-in", () => {
  it("a heavily played item pulls its neighbours above those of an item played once", () => {
    // v0 = log2(1 + 3) = 2, v1 = log2(1 + 1) = 1; c = 1 + α·v: 3 and 2.
    // A = YᵀY + Yᵀ(C − I)Y + λI = diag(2, 2) + diag(2, 1) + I = diag(5, 4); b = YᵀCp = (3, 2).
    // x = (3/5, 2/4): item 2 scores 0.6, item 3 scores 0.5.
    const scores = foldIn([play(0, 3, 1), play(1, 1, 2)]);
    expect(scores[2]).toBeCloseTo(0.6, 6);
    expect(scores[3]).toBeCloseTo(0.5, 6);
  });

  it("the same plays as separate events give the same scores", () => {
    const scores = foldIn([play(0, 1, 1), play(0, 1, 2), play(0, 1, 3), play(1, 1, 4)]);
    expect(scores[2]).toBeCloseTo(0.6, 6);
    expect(scores[3]).toBeCloseTo(0.5, 6);
  });

  it("equal amounts tie: x = (2/4, 2/4)", () => {
    const scores = foldIn([play(0, 1, 1), play(1, 1, 2)]);
    expect(scores[2]).toBeCloseTo(0.5, 6);
    expect(scores[3]).toBeCloseTo(0.5, 6);
  });

  it("42 plays against one: the heavy item's neighbour wins by the log-scaled confidence", () => {
    // v0 = log2(43), c0 = 1 + v0; x0 = c0 / (3 + v0); x1 = 2/4.
    const v0 = Math.log2(43);
    const scores = foldIn([play(0, 42, 1), play(1, 1, 2)]);
    expect(scores[2]).toBeCloseTo((1 + v0) / (3 + v0), 5);
    expect(scores[3]).toBeCloseTo(0.5, 6);
  });
});
