// A stored kNN model keeps each row's top neighbours, not the dense n x n
// similarity matrix: ranking is unchanged, and predictions too whenever the
// stored lists cover the neighbours a prediction uses.
import { itemKnn } from "../../../src/engine/algorithms/itemKnn";
import { denseTable, sparseTable, topKRows } from "../../../src/engine/algorithms/similarityTable";
import { userKnn } from "../../../src/engine/algorithms/userKnn";
import type { CsrMatrix } from "../../../src/engine/data/CsrMatrix";
import type { SerializedModel, UserHistory } from "../../../src/engine/types";
import { syntheticFixture } from "../support/syntheticFixture";

const { data } = syntheticFixture();

function rowOf(m: CsrMatrix, u: number): UserHistory {
  return { items: m.indices.slice(m.indptr[u], m.indptr[u + 1]), values: m.values.slice(m.indptr[u], m.indptr[u + 1]) };
}

describe("item-knn storage", () => {
  it("stores at most storedNeighbours positive neighbours per item, and no dense matrix", () => {
    const model = itemKnn.fit(data, { k: 10, storedNeighbours: 20 }, { seed: 0 });
    const s = model.serialize!();
    expect(s.arrays.similarity).toBeUndefined();
    const indptr = s.arrays["neighbours.indptr"];
    expect(indptr).toHaveLength(data.nItems + 1);
    for (let i = 0; i < data.nItems; i++) expect(indptr[i + 1] - indptr[i]).toBeLessThanOrEqual(20);
    expect(Array.from(s.arrays["neighbours.values"]).every((v) => v > 0)).toBe(true);
  });

  it("ranks exactly as the fitted model even with lists as short as k", () => {
    const model = itemKnn.fit(data, { k: 10, storedNeighbours: 10 }, { seed: 0 });
    const copy = itemKnn.deserialize(structuredClone(model.serialize!()));
    for (const u of [0, 3, 17, 42]) {
      expect(Array.from(copy.scoreHistory!(rowOf(data.ratings, u)))).toEqual(Array.from(model.scoreHistory!(rowOf(data.ratings, u))));
      expect(Array.from(copy.scoreAll(u))).toEqual(Array.from(model.scoreAll(u)));
    }
    expect(copy.similarItems!(4, 10)).toEqual(model.similarItems!(4, 10));
  });

  it("predicts exactly when the lists cover every positive neighbour", () => {
    const model = itemKnn.fit(data, {}, { seed: 0 });
    const copy = itemKnn.deserialize(structuredClone(model.serialize!())); // 100 >= 80 items
    for (const u of [0, 3, 17, 42]) for (let i = 0; i < data.nItems; i += 7) expect(copy.predict!(u, i)).toBe(model.predict!(u, i));
  });

  it("still loads versions stored with the dense matrix", () => {
    const model = itemKnn.fit(data, {}, { seed: 0 });
    const s = model.serialize!();
    const arrays = Object.fromEntries(Object.entries(s.arrays).filter(([k]) => !k.startsWith("neighbours.")));
    const legacy: SerializedModel = { ...s, arrays: { ...arrays, similarity: model.similarity! } };
    const copy = itemKnn.deserialize(legacy);
    expect(copy.predict!(3, 5)).toBe(model.predict!(3, 5));
    expect(Array.from(copy.scoreAll(3))).toEqual(Array.from(model.scoreAll(3)));
  });

  it("dense and stored lists break ties alike (to the lower index)", () => {
    const dense = denseTable(Float32Array.of(1, 0.5, 0.5, 0.5, 0.5, 1, 0.5, 0.5, 0.5, 0.5, 1, 0.5, 0.5, 0.5, 0.5, 1), 4);
    const stored = sparseTable(topKRows(dense, 2), 4);
    for (let x = 0; x < 4; x++) expect(stored.neighbours(x, 2)).toEqual(dense.neighbours(x, 2));
    expect(stored.neighbours(0, 2)).toEqual([
      { item: 1, score: 0.5 },
      { item: 2, score: 0.5 },
    ]);
    expect(stored.get(0, 3)).toBe(0); // not stored: read as no similarity
  });
});

describe("user-knn storage", () => {
  it("keeps each user's top neighbours and serves the same scores", () => {
    const model = userKnn.fit(data, { storedNeighbours: 45 }, { seed: 0 });
    const copy = userKnn.deserialize(structuredClone(model.serialize!()));
    for (const u of [0, 3, 17]) {
      expect(Array.from(copy.scoreAll(u))).toEqual(Array.from(model.scoreAll(u)));
      expect(Array.from(copy.scoreHistory!({ ...rowOf(data.ratings, u), user: u } as UserHistory))).toEqual(
        Array.from(model.scoreHistory!({ ...rowOf(data.ratings, u), user: u } as UserHistory)),
      );
    }
    expect(copy.similarUsers!(4, 10)).toEqual(model.similarUsers!(4, 10));
  });
});
