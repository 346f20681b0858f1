import { sknn } from "../../../src/engine/algorithms/sknn";
import { buildTrainingSet, type InteractionInput } from "../../../src/engine/data/buildTrainingSet";

const view = (user: number, item: number, timestamp: number): InteractionInput => ({ user, item, kind: "VIEW", value: 1, timestamp });
// user 0: 0 -> 1 -> 2 (last at 3); user 1: 1 -> 3 (last at 5, the most recent); user 2: 4.
const records = [view(0, 0, 1), view(0, 1, 2), view(0, 2, 3), view(1, 1, 1), view(1, 3, 5), view(2, 4, 1)];
const data = (nUsers = 3) => buildTrainingSet(records, { nUsers, nItems: 5, explicit: false });
const params = { k: 10, sampleSize: 10, recent: 2, positionHalfLife: 0 };
const list = (a: Float32Array) => Array.from(a, (v) => +v.toFixed(4));
const seq = (...items: number[]) => Int32Array.from(items);

// Query [0, 1]: item 1 weighs 1 (the latest), item 0 weighs (2 - 1) / 2 = 0.5.
//   user 0 shares both: similarity 1.5 / sqrt(3) = 0.8660; user 1 shares item 1: 1 / sqrt(2) = 0.7071.
describe("sknn", () => {
  const model = sknn.fit(data(), params, { seed: 0 });

  it("neighbours vote for their items by similarity", () => {
    expect(list(model.scoreSequence(seq(0, 1)))).toEqual([0.866, 1.5731, 0.866, 0.7071, 0]);
  });

  it("weighs a neighbour's items by their distance from where it matched", () => {
    // Half-life 1: user 0 matched at item 1 (items 0 and 2 one step away: × 0.5),
    // user 1 matched at item 1 (item 3 one step later: × 0.5).
    const near = sknn.fit(data(), { ...params, positionHalfLife: 1 }, { seed: 0 });
    expect(list(near.scoreSequence(seq(0, 1)))).toEqual([0.433, 1.5731, 0.433, 0.3536, 0]);
  });

  it("keeps the k most similar of the m most recent candidates", () => {
    expect(list(sknn.fit(data(), { ...params, k: 1 }, { seed: 0 }).scoreSequence(seq(0, 1)))).toEqual([0.866, 0.866, 0.866, 0, 0]);
    // A sample of one: user 1, whose last interaction is the most recent.
    expect(list(sknn.fit(data(), { ...params, sampleSize: 1 }, { seed: 0 }).scoreSequence(seq(0, 1)))).toEqual([0, 0.7071, 0, 0.7071, 0]);
  });

  it("shares a neighbour's vote among the recent items it matched", () => {
    // Item 2: user 0's vote 0.8660, matched on item 1 (weight 1) and item 0 (0.5) of 1.5.
    const evidence = model.explainSequence(seq(0, 1), 2, 5);
    expect(evidence.map((e) => e.kind === "becauseYouJustInteracted" && [e.item, +e.weight.toFixed(4)])).toEqual([
      [1, 0.5774],
      [0, 0.2887],
    ]);
    expect(model.explainSequence(seq(0, 1), 4, 5)).toEqual([]);
  });

  it("scores a training user from their training sequence, never as their own neighbour", () => {
    // user 0 = [0, 1, 2]: item 2 (weight 1) is nobody else's; item 1 (0.5) is user 1's: 0.5 / sqrt(2).
    expect(list(model.scoreAll(0))).toEqual([0, 0.3536, 0, 0.3536, 0]);
    expect(model.explain!(0, 3, 2)).toEqual([{ kind: "becauseYouJustInteracted", item: 1, weight: expect.closeTo(0.3536, 4) }]);
  });

  it("an empty sequence, an unknown user and unknown items score nothing, without throwing", () => {
    expect(list(model.scoreSequence(seq()))).toEqual([0, 0, 0, 0, 0]);
    expect(list(model.scoreAll(-1))).toEqual([0, 0, 0, 0, 0]);
    expect(list(model.scoreSequence(seq(0, 1, 7)))).toEqual(list(model.scoreSequence(seq(0, 1))));
  });

  it("round-trips through serialize; the training sequences are its only state, declared per user", () => {
    const s = model.serialize!();
    expect(s.userState).toEqual({ csr: ["sequences"] });
    expect(Object.keys(s.arrays).sort()).toEqual(["sequences.indices", "sequences.indptr", "sequences.values"]);
    const back = sknn.deserialize(s);
    expect(list(back.scoreSequence(seq(0, 1)))).toEqual([0.866, 1.5731, 0.866, 0.7071, 0]);
    expect(list(back.scoreAll(0))).toEqual([0, 0.3536, 0, 0.3536, 0]);
    const large = sknn.fit(data(6), params, { seed: 0 }).serialize!().arrays;
    expect(large["sequences.indptr"].length - s.arrays["sequences.indptr"].length).toBe(3);
  });
});
