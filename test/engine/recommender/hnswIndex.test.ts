// The HNSW index (usearch) as served: the same vectors give the same bytes,
// the bytes load back, a wide search is the exact top n with exact scores,
// skipped items never come back (however many of the best are skipped), and
// a served iALS model answers from the index stored with it, or from the IVF
// index when it has none. Recall on a fitted model's factors, through the
// database, is in test/serving/storedIndex.test.ts.
import { buildHnswBytes, hnswSavedBytes, loadHnswIndex, searchHnsw } from "../../../src/engine/recommender/hnswIndex";
import { IVF_MIN_ITEMS } from "../../../src/engine/recommender/ivfIndex";
import { selectTopK } from "../../../src/engine/recommender/selectTopK";
import { ials } from "../../../src/engine/algorithms/ials";
import { createRng } from "../../../src/engine/random";
import type { SerializedModel } from "../../../src/engine/types";

function clustered(n: number, dim: number, tastes: number, seed: number): Float32Array {
  const rng = createRng(seed);
  const centres = Float32Array.from({ length: tastes * dim }, () => rng.normal());
  const out = new Float32Array(n * dim);
  for (let i = 0; i < n; i++) {
    const c = rng.int(tastes);
    const scale = 0.5 + rng.next();
    for (let f = 0; f < dim; f++) out[i * dim + f] = scale * (centres[c * dim + f] + 0.3 * rng.normal());
  }
  return out;
}

function exactTop(vectors: Float32Array, dim: number, query: ArrayLike<number>, n: number, skip?: (i: number) => boolean) {
  const scores = new Float32Array(vectors.length / dim);
  for (let i = 0; i < scores.length; i++) {
    let s = 0;
    for (let f = 0; f < dim; f++) s += query[f] * vectors[i * dim + f];
    scores[i] = s;
  }
  return selectTopK(scores, n, skip);
}

describe("HNSW index", () => {
  const dim = 8;
  const n = 2000;
  const v = clustered(n, dim, 20, 1);
  // A search breadth of the whole catalog: the graph search reaches every item.
  const wide = { connectivity: 16, expansionAdd: 128, expansionSearch: n };

  it("gives the same bytes for the same vectors, of about the size estimated, and loads them back", () => {
    const bytes = buildHnswBytes(v, n, dim, wide);
    expect(Buffer.from(buildHnswBytes(v, n, dim, wide)).equals(Buffer.from(bytes))).toBe(true);
    expect(bytes.byteLength).toBeGreaterThan(0.5 * hnswSavedBytes(n, dim));
    expect(bytes.byteLength).toBeLessThan(1.5 * hnswSavedBytes(n, dim));
    const index = loadHnswIndex(bytes, n, dim, wide);
    expect(index.size).toBe(n);
    expect(() => loadHnswIndex(bytes, n + 1, dim)).toThrow(`loadHnswIndex: the stored index holds ${n} vectors of ${dim}, not ${n + 1} of ${dim}`);
  });

  it("answers the exact top n, with exact scores and ties as exact scoring breaks them, when the search is wide", () => {
    const index = loadHnswIndex(buildHnswBytes(v, n, dim, wide), n, dim, wide);
    const rng = createRng(9);
    for (let q = 0; q < 20; q++) {
      const query = Float64Array.from({ length: dim }, () => rng.normal());
      const skip = (i: number) => i % 7 === 0;
      expect(searchHnsw(index, v, query, 10, skip)).toEqual(exactTop(v, dim, query, 10, skip));
    }
    // More than the catalog: what the graph reaches (by inner product, items
    // of small norm are nobody's neighbour), each once.
    const all = searchHnsw(index, v, Float64Array.from({ length: dim }, () => 1), n + 5);
    expect(all.length).toBeGreaterThan(100);
    expect(all.length).toBeLessThanOrEqual(n);
    expect(new Set(all.map((s) => s.item)).size).toBe(all.length);
    expect(searchHnsw(index, v, Float64Array.from({ length: dim }, () => 1), 0)).toEqual([]);
  });

  it("never returns a skipped item, and asks again when more of the best are skipped than expected", () => {
    const index = loadHnswIndex(buildHnswBytes(v, n, dim), n, dim);
    const query = Float64Array.from({ length: dim }, (_, f) => (f % 2 === 0 ? 1 : -0.5));
    // The 300 best items are skipped, while the caller expected none.
    const best = new Set(exactTop(v, dim, query, 300).map((s) => s.item));
    let asked = 0;
    const top = searchHnsw(index, v, query, 10, (i) => (asked++, best.has(i)), 0);
    expect(top).toHaveLength(10);
    for (const s of top) expect(best.has(s.item)).toBe(false);
    // Asked again, wider, until ten were kept: more than 300 candidates seen.
    expect(asked).toBeGreaterThan(300);
  });
});

describe("a served iALS model of a large catalog", () => {
  const k = 8;
  const serialized = (nItems: number): SerializedModel => ({
    algorithm: "ials",
    params: { nFactors: k },
    meta: { nItems, nFactors: k },
    arrays: { itemFactors: clustered(nItems, k, 30, 6) },
    userState: {},
  });

  it("gets its HNSW index where it is stored (from IVF_MIN_ITEMS items on) and answers from it when loaded", () => {
    const small = serialized(1000);
    expect(ials.withServingIndex(small)).toBe(small);
    const plain = serialized(IVF_MIN_ITEMS);
    const indexed = ials.withServingIndex(plain);
    expect(Object.keys(indexed.arrays)).toEqual(["itemFactors", "itemIndex"]);
    expect(indexed.arrays.itemIndex).toBeInstanceOf(Uint8Array);
    expect(indexed.meta.itemIndex).toEqual({ library: "usearch", metric: "ip", connectivity: 16, expansionAdd: 128, expansionSearch: 64 });
    // Built once: a version that has one keeps it.
    expect(ials.withServingIndex(indexed)).toBe(indexed);

    const model = ials.deserialize(indexed);
    expect(model.servingIndex).toBe("hnsw");
    const history = { items: Int32Array.from([1, 2, 3]), values: Float32Array.from([1, 1, 1]) };
    const skip = (i: number) => i <= 3;
    const exact = selectTopK(model.scoreHistory!(history), 10, skip);
    const top = model.topHistory!(history, 10, skip);
    expect(top).toHaveLength(10);
    for (const s of top) expect(skip(s.item)).toBe(false);
    // Random clustered factors (not a fit), as the IVF index's own test.
    const truth = new Set(exact.map((s) => s.item));
    expect(top.filter((s) => truth.has(s.item)).length).toBeGreaterThanOrEqual(8);
    // Scores are exact scoring's, to the bit.
    const scores = model.scoreHistory!(history);
    for (const s of top) expect(s.score).toBe(scores[s.item]);

    // A loaded model's serialize() gives the factors (the index bytes are not kept in memory).
    expect(Object.keys(model.serialize!().arrays)).toEqual(["itemFactors"]);
  });

  it("builds the IVF index at load for a version stored without an index, and none for a small catalog", () => {
    expect(ials.deserialize(serialized(IVF_MIN_ITEMS)).servingIndex).toBe("ivf");
    const small = ials.deserialize(serialized(1000));
    expect(small.servingIndex).toBeUndefined();
    expect(small.topHistory).toBeUndefined();
  });

  it("refuses stored index bytes that do not match the factors", () => {
    const indexed = ials.withServingIndex(serialized(IVF_MIN_ITEMS));
    const other = { ...indexed, arrays: { ...indexed.arrays, itemFactors: clustered(IVF_MIN_ITEMS + 1, k, 30, 6) } };
    expect(() => ials.deserialize(other)).toThrow(/^loadHnswIndex: the stored index holds 20000 vectors of 8, not 20001 of 8$/);
  });

  it("counts the index build in the memory a fit of a large catalog needs", () => {
    const shape = (nUsers: number, nItems: number) =>
      ({ nUsers, nItems, ratings: { nRows: nUsers, nCols: nItems, indptr: new Int32Array(nUsers + 1), indices: new Int32Array(0), values: new Float32Array(0) } });
    expect(ials.estimateServingIndexBytes(shape(100, IVF_MIN_ITEMS - 1), {})).toBe(0);
    // 100k users × 100k items × 64: the held model (float64 both sides, float32 items) and four times the index's 41.6 MB.
    expect(ials.estimateServingIndexBytes(shape(100_000, 100_000), { nFactors: 64 })).toBe(8 * 200_000 * 64 + 4 * 100_000 * 64 + 4 * 100_000 * (4 * 64 + 160));
  });
});
