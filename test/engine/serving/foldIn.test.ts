// Serving contract of the neighbourhood, content, baseline and popularity
// models: serialize() -> deserialize() gives the same model, and
// scoreHistory(the user's own training row) gives what scoreAll(user) gives,
// so folding in a history at request time agrees with the fitted model.
import { baselineOnly } from "../../../src/engine/algorithms/baseline";
import { contentBased } from "../../../src/engine/algorithms/content";
import { itemKnn } from "../../../src/engine/algorithms/itemKnn";
import { popularity } from "../../../src/engine/algorithms/popularity";
import { userKnn } from "../../../src/engine/algorithms/userKnn";
import type { CsrMatrix } from "../../../src/engine/data/CsrMatrix";
import type { Algorithm, Model, SerializedModel, UserHistory } from "../../../src/engine/types";
import { hasUserState } from "../../../src/engine/userState";
import { syntheticFixture } from "../support/syntheticFixture";
import { tinyRatings, NO_BIASES } from "../support/tinyRatings";

const { data } = syntheticFixture();

function rowOf(m: CsrMatrix, u: number): UserHistory {
  return { items: m.indices.slice(m.indptr[u], m.indptr[u + 1]), values: m.values.slice(m.indptr[u], m.indptr[u + 1]) };
}

// A structured clone stands in for the trip through the database: nothing of
// the fitted closure survives it.
function roundTrip(algorithm: Algorithm<any>, model: Model): Model {
  const serialized: SerializedModel = structuredClone(model.serialize!());
  return algorithm.deserialize!(serialized);
}

const cases: [string, Algorithm<any>, Record<string, unknown>][] = [
  ["popularity", popularity, {}],
  ["baselineOnly", baselineOnly, {}],
  ["itemKnn", itemKnn, {}],
  ["userKnn", userKnn, {}],
  ["contentBased", contentBased, {}],
];

describe.each(cases)("%s serving", (_name, algorithm, params) => {
  const model = algorithm.fit(data, params, { seed: 0 });
  const users = [0, 3, 17, 42];

  it("round-trips through serialize/deserialize with the same scores, predictions and evidence", () => {
    const copy = roundTrip(algorithm, model);
    expect(copy.name).toBe(model.name);
    // A model without per-user state is served from histories only: its
    // stored copy knows no training user (content's scoreAll is then zero).
    const keepsUsers = hasUserState(model.serialize!().userState);
    for (const u of users) {
      const row = rowOf(data.ratings, u);
      if (model.scoreHistory) expect(Array.from(copy.scoreHistory!(row))).toEqual(Array.from(model.scoreHistory(row)));
      if (model.explainHistory) expect(copy.explainHistory!(row, 5, 3)).toEqual(model.explainHistory(row, 5, 3));
      if (keepsUsers || !model.scoreHistory) {
        expect(Array.from(copy.scoreAll(u))).toEqual(Array.from(model.scoreAll(u)));
        if (model.predict) for (const i of [0, 5, 9]) expect(copy.predict!(u, i)).toBe(model.predict(u, i));
        if (model.explain) expect(copy.explain!(u, 5, 3)).toEqual(model.explain(u, 5, 3));
      } else if (algorithm === contentBased) {
        expect(Array.from(copy.scoreAll(u)).every((x) => x === 0)).toBe(true);
      }
    }
    if (model.similarItems) expect(copy.similarItems!(4, 5)).toEqual(model.similarItems(4, 5));
    if (model.similarUsers) expect(copy.similarUsers!(4, 5)).toEqual(model.similarUsers(4, 5));
  });

  it("scores a user's own training row as scoreAll scores the user", () => {
    for (const u of users) {
      const history = { ...rowOf(data.ratings, u), user: u };
      const folded = Array.from(model.scoreHistory!(history));
      const fitted = Array.from(model.scoreAll(u));
      expect(folded).toHaveLength(fitted.length);
      folded.forEach((s, i) => expect(s).toBeCloseTo(fitted[i], 4));
    }
  });
});

describe("fold-in of interactions the model was not trained on", () => {
  it("itemKnn: a new interaction adds its item's neighbours to the scores", () => {
    const model = itemKnn.fit(tinyRatings, { ...NO_BIASES, similarity: "msd", shrinkage: 0 }, { seed: 0 });
    // A new user who liked i2 only: i2's neighbours are i0 (2/3) and i1 (1/6).
    const history = { items: Int32Array.of(2), values: Float32Array.of(4) };
    const scores = Array.from(model.scoreHistory!(history));
    expect(scores[0]).toBeCloseTo(2 / 3, 6);
    expect(scores[1]).toBeCloseTo(1 / 6, 6);
    expect(scores[3]).toBe(0);
    expect(model.explainHistory!(history, 0, 3)).toEqual([{ kind: "becauseYouInteracted", item: 2, weight: expect.closeTo(2 / 3, 6) }]);
    // A non-positive value (a dislike) never recommends.
    expect(Array.from(model.scoreHistory!({ items: Int32Array.of(2), values: Float32Array.of(-2) }))).toEqual([0, 0, 0, 0]);
  });

  it("userKnn: a history like u1's finds u1 and u2 as neighbours, and the evidence counts them", () => {
    const model = userKnn.fit(tinyRatings, { ...NO_BIASES, shrinkage: 0 }, { seed: 0 });
    // Same as u1 on i0, i1: msd 0 -> sim 1 with u1; with u0: (5-4)^2/1 -> 1/2 (co-rated i0 only... and i1: 0) -> 2/3.
    const history = { items: Int32Array.of(0, 1), values: Float32Array.of(4, 3) };
    const scores = model.scoreHistory!(history);
    expect(scores[2]).toBeGreaterThan(0); // u1 and u2 rated i2
    expect(model.explainHistory!(history, 2, 3)).toEqual([{ kind: "similarUsersLiked", count: 2 }]);
    expect(model.explainHistory!(history, 3, 3)).toEqual([]);
  });

  it("contentBased: the profile follows the history, centred on its mean for ratings", () => {
    const model = contentBased.fit(data, {}, { seed: 0 });
    const u = 5;
    const row = rowOf(data.ratings, u);
    const withMore = {
      items: Int32Array.from([...row.items, ...[0, 1, 2].filter((i) => !row.items.includes(i))]),
      values: Float32Array.from([...row.values, 5, 5, 5].slice(0, row.items.length + [0, 1, 2].filter((i) => !row.items.includes(i)).length)),
    };
    expect(Array.from(model.scoreHistory!(withMore))).not.toEqual(Array.from(model.scoreAll(u)));
    const evidence = model.explainHistory!(withMore, 0, 2);
    expect(evidence.every((e) => e.kind === "sharedFeature")).toBe(true);
  });

  it("baselineOnly: the folded-in bias of an empty history is 0 (global mean + item bias)", () => {
    const model = baselineOnly.fit(data, {}, { seed: 0 });
    const empty = { items: new Int32Array(0), values: new Float32Array(0) };
    const scores = model.scoreHistory!(empty);
    for (const i of [0, 1, 2]) expect(scores[i]).toBeCloseTo(model.predict!(-1, i), 4);
  });

  it("popularity: the same ranking whatever the history, explained as popular", () => {
    const model = popularity.fit(data, {}, { seed: 0 });
    expect(Array.from(model.scoreHistory!({ items: Int32Array.of(1), values: Float32Array.of(1) }))).toEqual(Array.from(model.scoreAll(0)));
    expect(model.explainHistory!({ items: new Int32Array(0), values: new Float32Array(0) }, 1, 3)).toEqual([{ kind: "popular" }]);
  });

  it("deserialize refuses another algorithm's state", () => {
    const serialized = popularity.fit(data, {}, { seed: 0 }).serialize!();
    expect(() => itemKnn.deserialize!(serialized)).toThrow(/itemKnn: cannot deserialize a popularity model/);
  });
});
