import { buildItemFeatures } from "../../../src/engine/data/buildItemFeatures";
import { buildTrainingSet, DEFAULT_INTERACTION_WEIGHTS, type InteractionInput } from "../../../src/engine/data/buildTrainingSet";
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
    rec(0, 0, "PLAY", 0, 50),
    rec(0, 0, "PLAY", 0, 60),
    rec(1, 2, "VIEW", 0, 10),
    rec(1, 2, "DISLIKE", 0, 20),
    rec(1, 0, "VIEW", 0, 30),
    rec(1, 0, "SKIP", 0, 40), // view + skip cancel: no evidence
    rec(1, 1, "PURCHASE", 0, 70),
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

  it("implicit: sums confidences, a rating is centred on the scale, zero sums are dropped", () => {
    const t = buildTrainingSet(records, { nUsers: 2, nItems: 3, explicit: false });
    // user 0: item 0 two plays = 2; item 1 rated 5 then 2: (5-3) + (2-3) = 1
    // user 1: item 2 view + dislike = 1 - 2 = -1; item 0 view + skip = 0 (dropped); item 1 purchase = 4
    expect(dense(t.ratings)).toEqual([
      [2, 1, 0],
      [0, 4, -1],
    ]);
    expect(t.ratings.indices.length).toBe(4);
    expect(t.ratingScale).toBeUndefined();
    // latest timestamp of each merged entry, in CSR order
    expect(Array.from(t.timestamps!)).toEqual([60, 200, 70, 20]);
  });

  it("takes custom weights over the defaults", () => {
    const t = buildTrainingSet(records, { nUsers: 2, nItems: 3, explicit: false, weights: { PLAY: 0.5, PURCHASE: 10 } });
    expect(dense(t.ratings)[0][0]).toBe(1);
    expect(dense(t.ratings)[1][1]).toBe(10);
    expect(DEFAULT_INTERACTION_WEIGHTS.PURCHASE).toBe(4);
  });

  it("gives the same matrix whatever the input order", () => {
    const a = buildTrainingSet(records, { nUsers: 2, nItems: 3, explicit: false });
    const b = buildTrainingSet([...records].reverse(), { nUsers: 2, nItems: 3, explicit: false });
    expect(dense(b.ratings)).toEqual(dense(a.ratings));
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
