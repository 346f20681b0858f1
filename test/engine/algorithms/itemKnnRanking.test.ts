import { ITEM_KNN_DEFAULTS, itemKnn, itemKnnRanking } from "../../../src/engine/algorithms/itemKnn";
import { buildTrainingSet } from "../../../src/engine/data/buildTrainingSet";
import { tinyRatings, tinyRecords } from "../support/tinyRatings";

// The tiny example as sets (values ignored: every rating is a positive):
//   i0 {u0, u1, u2}, i1 {u0, u1, u2}, i2 {u1, u2}, i3 {} (cold start).
// Binary cosine |A ∩ B| / sqrt(|A| |B|):
//   s(i0, i1) = 3 / 3 = 1,  s(i0, i2) = s(i1, i2) = 2 / sqrt(6) ≈ 0.8165.
// u0 holds i0 and i1; each votes for its neighbours, so i2 gets
//   raw:        2 / sqrt(6) + 2 / sqrt(6) = 4 / sqrt(6) ≈ 1.633
//   normalised: each list {1, 2/sqrt(6)} scaled to sum 1, i2's share twice:
//               2 (2/sqrt(6)) / (1 + 2/sqrt(6)) = 2 (sqrt(6) - 2) ≈ 0.899
describe("itemKnnRanking on the tiny example (worked by hand)", () => {
  const s02 = 2 / Math.sqrt(6);

  it("scores a candidate by the summed binary-cosine similarities to the user's items", () => {
    const model = itemKnnRanking.fit(tinyRatings, { normalizeNeighbours: false }, { seed: 0 });
    expect(model.similarity![0 * 4 + 1]).toBeCloseTo(1, 6);
    expect(model.similarity![0 * 4 + 2]).toBeCloseTo(s02, 6);
    expect(model.scoreAll(0)[2]).toBeCloseTo(2 * s02, 6);
    expect(model.scoreAll(0)[3]).toBe(0); // cold-start item: no neighbours, no score
  });

  it("with normalised neighbour lists (the default) each of the user's items votes with weights summing to 1", () => {
    const scores = itemKnnRanking.fit(tinyRatings, {}, { seed: 0 }).scoreAll(0);
    expect(scores[2]).toBeCloseTo(2 * (Math.sqrt(6) - 2), 6);
    expect(scores[1]).toBeCloseTo(1 / (1 + s02), 6); // i1 in i0's list
  });

  it("k = 1 keeps only each item's best neighbour: i2 is no one's", () => {
    const scores = itemKnnRanking.fit(tinyRatings, { k: 1 }, { seed: 0 }).scoreAll(0);
    expect(scores[2]).toBe(0);
    expect(scores[1]).toBeCloseTo(1, 6);
  });

  it("jaccard over the same sets: s(i0, i2) = 2/3, so i2 scores 4/3", () => {
    const model = itemKnnRanking.fit(tinyRatings, { similarity: "jaccard", normalizeNeighbours: false }, { seed: 0 });
    expect(model.scoreAll(0)[2]).toBeCloseTo(4 / 3, 6);
  });

  it("ignores rating values: only who interacted with what counts", () => {
    const flat = buildTrainingSet(tinyRecords.map((r) => ({ ...r, value: 3 })), { nUsers: 3, nItems: 4, explicit: true });
    const a = itemKnnRanking.fit(tinyRatings, {}, { seed: 0 });
    const b = itemKnnRanking.fit(flat, {}, { seed: 0 });
    expect(Array.from(b.similarity!)).toEqual(Array.from(a.similarity!));
    for (let u = 0; u < 3; u++) expect(Array.from(b.scoreAll(u))).toEqual(Array.from(a.scoreAll(u)));
  });

  it("is deterministic and survives serialize/deserialize and folding in the history", () => {
    const a = itemKnnRanking.fit(tinyRatings, {}, { seed: 0 });
    const b = itemKnnRanking.fit(tinyRatings, {}, { seed: 1 });
    const c = itemKnnRanking.deserialize(a.serialize!());
    for (let u = 0; u < 3; u++) {
      expect(Array.from(b.scoreAll(u))).toEqual(Array.from(a.scoreAll(u)));
      expect(Array.from(c.scoreAll(u))).toEqual(Array.from(a.scoreAll(u)));
    }
    expect(Array.from(a.scoreHistory!({ items: Int32Array.of(0, 1), values: Float32Array.of(5, 3) }))).toEqual(Array.from(a.scoreAll(0)));
    expect(a.scoreAll(9)).toEqual(new Float32Array(4)); // unknown user: no scores, no throw
  });

  it("rejects an implicit similarity other than cosine or jaccard", () => {
    expect(() => itemKnnRanking.fit(tinyRatings, { similarity: "pearson" }, { seed: 0 })).toThrow(/cosine or jaccard/);
  });

  it("leaves the rating item-knn untouched", () => {
    expect(ITEM_KNN_DEFAULTS).not.toHaveProperty("implicit");
    expect(itemKnn.fit(tinyRatings, {}, { seed: 0 }).serialize!().params).not.toHaveProperty("implicit");
  });
});
