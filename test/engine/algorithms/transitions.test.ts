import { transitions } from "../../../src/engine/algorithms/transitions";
import { buildTrainingSet, type InteractionInput } from "../../../src/engine/data/buildTrainingSet";

const view = (user: number, item: number, timestamp: number): InteractionInput => ({ user, item, kind: "VIEW", value: 1, timestamp });
// user 0: 0 -> 1 -> 2; user 1: 0 -> 2 -> 1; user 2: 1 -> 3.
const records = [view(0, 0, 1), view(0, 1, 2), view(0, 2, 3), view(1, 0, 1), view(1, 2, 2), view(1, 1, 3), view(2, 1, 1), view(2, 3, 2)];
const data = (nUsers = 3) => buildTrainingSet(records, { nUsers, nItems: 4, explicit: false });
// Window 2, the second step counting 0.5:
//   item 0: 1 (u0 d1) + 0.5 (u1 d2) = 1.5 to item 1, 0.5 (u0 d2) + 1 (u1 d1) = 1.5 to item 2 -> {1: 0.5, 2: 0.5}
//   item 1: 1 to item 2 (u0), 1 to item 3 (u2)                                              -> {2: 0.5, 3: 0.5}
//   item 2: 1 to item 1 (u1)                                                                 -> {1: 1}
//   item 3: nothing follows it
const params = { window: 2, distanceDecay: 0.5, maxSuccessors: 200, recent: 2, recencyDecay: 0.5, popularityDiscount: 0 };
const list = (a: Float32Array) => Array.from(a, (v) => +v.toFixed(6));

describe("transitions", () => {
  const model = transitions.fit(data(), params, { seed: 0 });

  it("counts successors within the window, closer ones more, as a distribution per item", () => {
    const S = model.successors;
    expect(Array.from(S.indptr)).toEqual([0, 2, 4, 5, 5]);
    expect(Array.from(S.indices)).toEqual([1, 2, 2, 3, 1]);
    expect(list(S.values)).toEqual([0.5, 0.5, 0.5, 0.5, 1]);
  });

  it("mixes the rows of the latest items, the last counting most", () => {
    // [0, 1]: item 1's row × 1 + item 0's row × 0.5.
    expect(list(model.scoreSequence(Int32Array.from([0, 1])))).toEqual([0, 0.25, 0.75, 0.5]);
    // Only the latest `recent` items count: item 2 (× 0.5) and item 3 (× 1, no successors).
    expect(list(model.scoreSequence(Int32Array.from([0, 1, 2, 3])))).toEqual([0, 0.5, 0, 0]);
  });

  it("names the recent items that lead to an item, strongest first", () => {
    expect(model.explainSequence(Int32Array.from([0, 1]), 2, 5)).toEqual([
      { kind: "becauseYouJustInteracted", item: 1, weight: 0.5 },
      { kind: "becauseYouJustInteracted", item: 0, weight: 0.25 },
    ]);
    expect(model.explainSequence(Int32Array.from([0, 1]), 2, 1)).toHaveLength(1);
    expect(model.explainSequence(Int32Array.from([0, 1]), 0, 5)).toEqual([]);
  });

  it("scores a training user from their training sequence", () => {
    // user 2: [1, 3]; item 3 has no successors, item 1's row × 0.5.
    expect(list(model.scoreAll(2))).toEqual([0, 0, 0.25, 0.25]);
    expect(model.explain!(2, 2, 3)).toEqual([{ kind: "becauseYouJustInteracted", item: 1, weight: 0.25 }]);
  });

  it("an empty sequence, an unknown user and unknown items score nothing, without throwing", () => {
    expect(list(model.scoreSequence(new Int32Array(0)))).toEqual([0, 0, 0, 0]);
    expect(list(model.scoreAll(99))).toEqual([0, 0, 0, 0]);
    // Items past the catalog are passed over: [1, 9, -1] scores as [1].
    expect(list(model.scoreSequence(Int32Array.from([1, 9, -1])))).toEqual([0, 0, 0.5, 0.5]);
  });

  it("keeps the strongest successors only (ties to the lower item), normalised before the cut", () => {
    const S = transitions.fit(data(), { ...params, maxSuccessors: 1 }, { seed: 0 }).successors;
    expect(Array.from(S.indices)).toEqual([1, 2, 1]);
    expect(list(S.values)).toEqual([0.5, 0.5, 1]);
  });

  it("discounts successors by how often they follow anything", () => {
    // Kept weight flowing into item 1: 1.5 + 1 = 2.5, item 2: 1.5 + 1 = 2.5, item 3: 1.
    const S = transitions.fit(data(), { ...params, popularityDiscount: 1 }, { seed: 0 }).successors;
    expect(list(S.values)).toEqual([0.2, 0.2, 0.2, 0.5, 0.4]);
  });

  it("round-trips through serialize keeping only the item-side successors: a stored version holds nothing per user", () => {
    const s = model.serialize!();
    expect(s.userState).toEqual({});
    expect(Object.keys(s.arrays).sort()).toEqual(["successors.indices", "successors.indptr", "successors.values"]);
    const back = transitions.deserialize(s);
    expect(list(back.scoreSequence(Int32Array.from([0, 1])))).toEqual([0, 0.25, 0.75, 0.5]);
    expect(list(back.successors.values)).toEqual(list(model.successors.values));
    // Served from histories: a stored version knows no training user.
    expect(list(back.scoreAll(2))).toEqual([0, 0, 0, 0]);
    expect(() => transitions.deserialize({ ...s, algorithm: "sknn" })).toThrow(/cannot deserialize/);
  });

  it("stores nothing that grows with the users", () => {
    const small = model.serialize!().arrays;
    const large = transitions.fit(data(6), params, { seed: 0 }).serialize!().arrays;
    for (const key of Object.keys(small)) expect({ key, growth: large[key].length - small[key].length }).toEqual({ key, growth: 0 });
  });
});
