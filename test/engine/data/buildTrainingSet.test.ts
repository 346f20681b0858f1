import { buildItemFeatures } from "../../../src/engine/data/buildItemFeatures";
import { amountConfidence, buildTrainingSet, DEFAULT_INTERACTION_WEIGHTS, type InteractionInput } from "../../../src/engine/data/buildTrainingSet";
import {
  formatImplicitRatingRule,
  lowestPositiveRating,
  parseImplicitRatingRule,
  type ImplicitRatingRule,
} from "../../../src/engine/data/implicitRatings";
import type { CsrMatrix } from "../../../src/engine/data/CsrMatrix";

function dense(m: CsrMatrix): number[][] {
  const out = Array.from({ length: m.nRows }, () => new Array<number>(m.nCols).fill(0));
  for (let r = 0; r < m.nRows; r++) for (let k = m.indptr[r]; k < m.indptr[r + 1]; k++) out[r][m.indices[k]] = m.values[k];
  return out;
}

const rec = (user: number, item: number, kind: InteractionInput["kind"], value: number, timestamp: number): InteractionInput => ({
  user,
  item,
  kind,
  value,
  timestamp,
});

describe("buildTrainingSet", () => {
  const records = [
    rec(0, 1, "RATING", 2, 200), // re-rated later: 2 wins over 5 (by time, not input order)
    rec(0, 1, "RATING", 5, 100),
    rec(0, 0, "PLAY", 1, 50),
    rec(0, 0, "PLAY", 2, 60),
    rec(1, 2, "VIEW", 1, 10),
    rec(1, 2, "DISLIKE", 1, 20),
    rec(1, 0, "VIEW", 1, 30),
    rec(1, 0, "SKIP", 1, 40), // view + skip cancel: no evidence
    rec(1, 1, "PURCHASE", 1, 70),
  ];

  it("explicit: keeps only ratings, the latest rating wins, carries the scale", () => {
    const t = buildTrainingSet(records, { nUsers: 2, nItems: 3, explicit: true });
    expect(dense(t.ratings)).toEqual([
      [0, 2, 0],
      [0, 0, 0],
    ]);
    expect(t.ratingScale).toEqual({ min: 1, max: 5 });
    expect(Array.from(t.timestamps!)).toEqual([200]);
  });

  it("implicit: amounts of a kind summed then log-scaled, the latest rating graded, zero sums dropped", () => {
    const t = buildTrainingSet(records, { nUsers: 2, nItems: 3, explicit: false });
    // user 0: item 0 plays of 1 and 2 = 3 plays: 1 × log2(1 + 3) = 2;
    //         item 1 rated 5, then 2 (the latest wins): graded on 1..5, 1 + 4 × (2 − 1) / 4 = 2
    // user 1: item 2 view + dislike = 1 − 2 = −1; item 0 view + skip = 0 (dropped); item 1 purchase = 4
    expect(dense(t.ratings)).toEqual([
      [2, 2, 0],
      [0, 4, -1],
    ]);
    expect(t.ratings.indices.length).toBe(4);
    expect(t.ratingScale).toBeUndefined();
    // latest timestamp of each merged entry, in CSR order
    expect(Array.from(t.timestamps!)).toEqual([60, 200, 70, 20]);
  });

  it("reads an amount as confidence: weight × log2(1 + amount), one event of 42 = 42 events of 1", () => {
    const one = buildTrainingSet([rec(0, 0, "PLAY", 42, 1), rec(0, 1, "PLAY", 1, 2), rec(0, 2, "PURCHASE", 3, 3)], { nUsers: 1, nItems: 3, explicit: false });
    expect(one.ratings.values[0]).toBeCloseTo(Math.log2(43), 5); // 5.426
    expect(one.ratings.values[1]).toBe(1); // a single play keeps the weight
    expect(one.ratings.values[2]).toBe(8); // PURCHASE 4 × log2(1 + 3)
    const many = buildTrainingSet(Array.from({ length: 42 }, (_, k) => rec(0, 0, "PLAY", 1, k)), { nUsers: 1, nItems: 3, explicit: false });
    expect(many.ratings.values[0]).toBeCloseTo(Math.log2(43), 5);
    expect(amountConfidence(1, 1)).toBe(1);
    expect(amountConfidence(-2, 3)).toBe(-4);
  });

  it("a zero or negative amount is no evidence, and does not cancel a positive one", () => {
    const t = buildTrainingSet([rec(0, 0, "PLAY", 0, 1), rec(0, 1, "VIEW", -5, 2), rec(0, 1, "VIEW", 3, 3)], { nUsers: 1, nItems: 2, explicit: false });
    // item 0: nothing; item 1: max(0, −5) + 3 = 3 → log2(4) = 2
    expect(dense(t.ratings)).toEqual([[0, 2]]);
  });

  it("takes custom weights over the defaults", () => {
    const t = buildTrainingSet(records, { nUsers: 2, nItems: 3, explicit: false, weights: { PLAY: 0.5, PURCHASE: 10 } });
    expect(dense(t.ratings)[0][0]).toBe(1); // 0.5 × log2(4)
    expect(dense(t.ratings)[1][1]).toBe(10);
    expect(DEFAULT_INTERACTION_WEIGHTS.PURCHASE).toBe(4);
  });

  it("gives the same matrix whatever the input order", () => {
    const a = buildTrainingSet(records, { nUsers: 2, nItems: 3, explicit: false });
    const b = buildTrainingSet([...records].reverse(), { nUsers: 2, nItems: 3, explicit: false });
    expect(dense(b.ratings)).toEqual(dense(a.ratings));
  });

  describe("implicit rating rules", () => {
    // User 0 rates 1, 3, 4 (mean 8/3); user 1 rates one item 2; user 2 rates two items 4 and 4.
    const ratings = [
      rec(0, 0, "RATING", 1, 1),
      rec(0, 1, "RATING", 3, 2),
      rec(0, 2, "RATING", 4, 3),
      rec(1, 0, "RATING", 2, 4),
      rec(2, 1, "RATING", 4, 5),
      rec(2, 2, "RATING", 4, 6),
    ];
    const scale = { min: 1, max: 5 };
    const build = (rule: ImplicitRatingRule) => dense(buildTrainingSet(ratings, { nUsers: 3, nItems: 3, explicit: false, ratingScale: scale, implicitRatings: rule }).ratings);

    it("graded (default): every rating a positive, 1 at the bottom of the scale to 5 at the top", () => {
      expect(build({ kind: "graded" })).toEqual([
        [1, 3, 4],
        [2, 0, 0],
        [0, 4, 4],
      ]);
      // On 0..10 a 5 is 1 + 4 × 5/10 = 3, not dropped as the middle of the scale.
      const t = buildTrainingSet([rec(0, 0, "RATING", 5, 1), rec(0, 1, "RATING", 0, 2)], { nUsers: 1, nItems: 2, explicit: false, ratingScale: { min: 0, max: 10 } });
      expect(dense(t.ratings)).toEqual([[3, 1]]);
    });

    it("user-mean: at or above the user's mean 1 + 4·d/width, below 4·d/width; one rating or equal ratings stay positives", () => {
      const m = build({ kind: "user-mean" });
      // user 0, mean 8/3: 1 → 4 × (1 − 8/3) / 4 = −5/3; 3 → 1 + 1/3; 4 → 1 + 4/3
      expect(m[0][0]).toBeCloseTo(-5 / 3, 5);
      expect(m[0][1]).toBeCloseTo(4 / 3, 5);
      expect(m[0][2]).toBeCloseTo(7 / 3, 5);
      expect(m[1]).toEqual([1, 0, 0]); // one rating: at the mean
      expect(m[2]).toEqual([0, 1, 1]); // all equal: at the mean
    });

    it("threshold: the same against a fixed rating", () => {
      expect(build({ kind: "threshold", rating: 3 })).toEqual([
        [-2, 1, 2],
        [-1, 0, 0],
        [0, 2, 2],
      ]);
    });

    it("midpoint: the rating minus the middle of the scale, the middle dropped", () => {
      expect(build({ kind: "midpoint" })).toEqual([
        [-2, 0, 1],
        [-1, 0, 0],
        [0, 1, 1],
      ]);
    });

    it("the user's mean is over current ratings (a re-rating replaces the old one)", () => {
      const t = buildTrainingSet([rec(0, 0, "RATING", 1, 1), rec(0, 0, "RATING", 5, 2), rec(0, 1, "RATING", 3, 3)], {
        nUsers: 1, nItems: 2, explicit: false, ratingScale: scale, implicitRatings: { kind: "user-mean" },
      });
      // current ratings 5 and 3, mean 4: 5 → 1 + 1 = 2; 3 → −1
      expect(dense(t.ratings)).toEqual([[2, -1]]);
    });

    it("parses and formats rules as configured and stored", () => {
      for (const text of ["graded", "user-mean", "midpoint", "threshold:3.5", "threshold:-1"]) {
        expect(formatImplicitRatingRule(parseImplicitRatingRule(text)!)).toBe(text);
      }
      expect(parseImplicitRatingRule("threshold")).toBeUndefined();
      expect(parseImplicitRatingRule("mean")).toBeUndefined();
      expect(lowestPositiveRating({ kind: "graded" }, scale)).toBe(1);
      expect(lowestPositiveRating({ kind: "midpoint" }, scale)).toBe(3);
      expect(lowestPositiveRating({ kind: "threshold", rating: 4 }, scale)).toBe(4);
    });
  });
});

describe("buildItemFeatures", () => {
  it("keeps the largest weight of a repeated feature", () => {
    const m = buildItemFeatures(2, 3, [
      { item: 0, feature: 2, weight: 1 },
      { item: 0, feature: 2, weight: 0.5 },
      { item: 1, feature: 0, weight: 2 },
    ]);
    expect(dense(m)).toEqual([
      [0, 0, 1],
      [2, 0, 0],
    ]);
  });
});

describe("buildTrainingSet sequences", () => {
  const seq = (t: ReturnType<typeof buildTrainingSet>) => ({
    offsets: Array.from(t.sequences!.offsets),
    items: Array.from(t.sequences!.items),
    timestamps: Array.from(t.sequences!.timestamps),
  });
  const records = [
    rec(1, 3, "PLAY", 1, 50),
    rec(0, 2, "RATING", 1, 30), // a low rating is still an interaction
    rec(0, 0, "VIEW", 1, 10),
    rec(0, 1, "SKIP", 1, 20), // negative kinds are not in the sequence
    rec(0, 4, "LIKE", 1, 30), // same time as the rating of 2, given after it
    rec(0, 0, "PLAY", 3, 40), // item 0 again: repeats are kept
    rec(0, 3, "DISLIKE", 1, 5),
    rec(1, 1, "PURCHASE", 1, 50), // same time as item 3, given after it
    rec(1, 2, "PLAY", 0, 60), // no amount: no evidence
  ];

  it("orders each user's positive interactions by time, ties by the order given, repeats kept", () => {
    // user 0: view 0 @10, rating 2 @30, like 4 @30, play 0 @40; user 1: play 3 @50, purchase 1 @50.
    expect(seq(buildTrainingSet(records, { nUsers: 3, nItems: 5, explicit: false }))).toEqual({
      offsets: [0, 4, 6, 6],
      items: [0, 2, 4, 0, 3, 1],
      timestamps: [10, 30, 30, 40, 50, 50],
    });
  });

  it("explicit training keeps ratings only, so the sequence is the ratings in time order", () => {
    const t = buildTrainingSet([rec(0, 1, "RATING", 5, 9), ...records], { nUsers: 2, nItems: 5, explicit: true });
    expect(seq(t)).toEqual({ offsets: [0, 2, 2], items: [1, 2], timestamps: [9, 30] });
  });

  it("a kind weighted positive by the caller joins the sequence; sequences: false leaves it out", () => {
    const t = buildTrainingSet([rec(0, 1, "SKIP", 1, 1)], { nUsers: 1, nItems: 2, explicit: false, weights: { SKIP: 0.5 } });
    expect(seq(t).items).toEqual([1]);
    expect(buildTrainingSet(records, { nUsers: 2, nItems: 5, explicit: false, sequences: false }).sequences).toBeUndefined();
  });
});
