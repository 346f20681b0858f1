import { popularity } from "../../../src/engine/algorithms/popularity";
import { buildTrainingSet, type InteractionInput } from "../../../src/engine/data/buildTrainingSet";
import { modelHitRate, syntheticFixture } from "../support/syntheticFixture";

const DAY = 86400;
const ev = (user: number, item: number, kind: InteractionInput["kind"], timestamp: number): InteractionInput => ({
  user,
  item,
  kind,
  value: 1,
  timestamp,
});

describe("popularity", () => {
  const now = 1_000 * DAY;
  // item 0: 1 user now; item 1: 3 users one half-life (10 days) ago; item 2: 4 users two half-lives ago.
  // item 3: a PLAY and a DISLIKE by one user (net -1) and a LIKE by another (3).
  const records = [
    ev(0, 0, "PLAY", now),
    ev(1, 1, "PLAY", now - 10 * DAY),
    ev(2, 1, "PLAY", now - 10 * DAY),
    ev(3, 1, "PLAY", now - 10 * DAY),
    ...[0, 1, 2, 3].map((u) => ev(u, 2, "PLAY", now - 20 * DAY)),
    ev(4, 3, "PLAY", now - 20 * DAY),
    ev(4, 3, "DISLIKE", now - 20 * DAY),
    ev(5, 3, "LIKE", now - 20 * DAY),
  ];
  const data = buildTrainingSet(records, { nUsers: 6, nItems: 4, explicit: false });

  it("counts users who interacted positively", () => {
    expect(Array.from(popularity.fit(data, {}, { seed: 0 }).scoreAll(0))).toEqual([1, 3, 4, 1]);
  });

  it("sums weights, so a dislike pulls an item down", () => {
    expect(Array.from(popularity.fit(data, { weighting: "sum" }, { seed: 0 }).scoreAll(0))).toEqual([1, 3, 4, 2]);
  });

  it("decays with the half-life from the latest timestamp (worked by hand)", () => {
    // item 0: 1 * 1; item 1: 3 * 1/2 = 1.5; item 2: 4 * 1/4 = 1; item 3: 1 * 1/4
    const scores = popularity.fit(data, { halfLifeDays: 10 }, { seed: 0 }).scoreAll(0);
    expect(scores[0]).toBeCloseTo(1, 6);
    expect(scores[1]).toBeCloseTo(1.5, 6);
    expect(scores[2]).toBeCloseTo(1, 6);
    expect(scores[3]).toBeCloseTo(0.25, 6);
  });

  it("measures decay from the `now` parameter, not the clock", () => {
    // 10 days later than the data: every weight halves once more.
    const scores = popularity.fit(data, { halfLifeDays: 10, now: now + 10 * DAY }, { seed: 0 }).scoreAll(0);
    expect(scores[1]).toBeCloseTo(0.75, 6);
  });

  it("serves a cold-start user the same ranking, explained as popular", () => {
    const model = popularity.fit(data, {}, { seed: 0 });
    expect(Array.from(model.scoreAll(99))).toEqual(Array.from(model.scoreAll(0)));
    expect(model.explain!(99, 2, 3)).toEqual([{ kind: "popular" }]);
  });

  it("pins its hit rate on the synthetic catalog and is deterministic", () => {
    const { data: d, test } = syntheticFixture();
    const model = popularity.fit(d, {}, { seed: 0 });
    expect(modelHitRate(model, d, test)).toBeCloseTo(0.125874, 5);
    expect(Array.from(popularity.fit(d, {}, { seed: 1 }).scoreAll(0))).toEqual(Array.from(model.scoreAll(0)));
  });
});
