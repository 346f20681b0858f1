import { contentBased } from "../../../src/engine/algorithms/content";
import { buildItemFeatures } from "../../../src/engine/data/buildItemFeatures";
import { buildTrainingSet, type InteractionInput } from "../../../src/engine/data/buildTrainingSet";
import { modelHitRate, syntheticFixture } from "../support/syntheticFixture";

const rating = (user: number, item: number, value: number): InteractionInput => ({ user, item, kind: "RATING", value, timestamp: 0 });

describe("contentBased on a tiny catalog", () => {
  // Features: 0 = comedy, 1 = horror. Items 0, 2 comedies; 1, 3 horror; 4 has no features.
  const itemFeatures = buildItemFeatures(5, 2, [
    { item: 0, feature: 0, weight: 1 },
    { item: 1, feature: 1, weight: 1 },
    { item: 2, feature: 0, weight: 1 },
    { item: 3, feature: 1, weight: 1 },
  ]);
  // u0 loves the comedy (5) and hates the horror film (1): mean 3, weights +2 and -2.
  // Profile = (2, -2) -> cosine with a comedy (1, 0) is 2 / sqrt(8) = 1/sqrt(2), with horror -1/sqrt(2).
  const data = buildTrainingSet([rating(0, 0, 5), rating(0, 1, 1), rating(1, 3, 4)], {
    nUsers: 2,
    nItems: 5,
    explicit: true,
    itemFeatures,
  });
  const model = contentBased.fit(data, {}, { seed: 0 });

  it("centres ratings on the user's mean so disliked items push away", () => {
    const s = model.scoreAll(0);
    expect(s[2]).toBeCloseTo(Math.SQRT1_2, 6);
    expect(s[3]).toBeCloseTo(-Math.SQRT1_2, 6);
    expect(s[4]).toBe(0);
  });

  it("reads a user whose ratings are all equal against the middle of the scale", () => {
    // u1 rated one horror film 4: 4 - 3 > 0, so horror is liked.
    expect(model.scoreAll(1)[1]).toBeCloseTo(1, 6);
  });

  it("explains with the shared feature", () => {
    expect(model.explain!(0, 2, 3)).toEqual([{ kind: "sharedFeature", feature: 0, weight: expect.closeTo(Math.SQRT1_2, 6) }]);
    expect(model.explain!(0, 3, 3)).toEqual([]);
  });

  it("scores a cold-start user from stated preferences", () => {
    const byItem = model.scoreForPreferences([1], []);
    expect(byItem[3]).toBeCloseTo(1, 6);
    const byFeature = model.scoreForPreferences([], [0]);
    expect(byFeature[0]).toBeCloseTo(1, 6);
    expect(byFeature[1]).toBeCloseTo(0, 6);
    expect(Array.from(model.scoreAll(42))).toEqual([0, 0, 0, 0, 0]);
  });

  it("finds neighbours of a known item and of a new item by its features", () => {
    expect(model.similarItems(0, 3)).toEqual([{ item: 2, score: expect.closeTo(1, 6) }]);
    expect(model.similarToFeatures([{ feature: 1, weight: 1 }], 3).map((s) => s.item)).toEqual([1, 3]);
  });

  it("says so when the training set has no item features", () => {
    expect(() => contentBased.fit(buildTrainingSet([], { nUsers: 1, nItems: 1, explicit: true }), {}, { seed: 0 })).toThrow(
      /no itemFeatures/,
    );
  });
});

describe("contentBased on the synthetic catalog", () => {
  const { data, test } = syntheticFixture();

  it("pins its hit rate and is deterministic", () => {
    const model = contentBased.fit(data, {}, { seed: 0 });
    expect(modelHitRate(model, data, test)).toBeCloseTo(0.300699, 5);
    expect(Array.from(contentBased.fit(data, {}, { seed: 1 }).scoreAll(4))).toEqual(Array.from(model.scoreAll(4)));
  });
});
