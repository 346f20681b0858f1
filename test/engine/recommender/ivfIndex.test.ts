// The IVF index: lists partition the items, probing every list is exact,
// probing few finds most of the true top items on clustered vectors, and a
// served iALS model of a large catalog answers through it.
import { buildIvfIndex, IVF_MIN_ITEMS, searchIvf } from "../../../src/engine/recommender/ivfIndex";
import { selectTopK } from "../../../src/engine/recommender/selectTopK";
import { ials } from "../../../src/engine/algorithms/ials";
import { createRng } from "../../../src/engine/random";

// n vectors of `dim` around `tastes` random centres (the shape of learned item factors).
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

describe("IVF index", () => {
  it("puts two obvious clusters in two lists and probes only the query's", () => {
    const v = Float32Array.from([10, 0, 0, 10, 11, 0, 0, 11]); // items 0 and 2 on x, 1 and 3 on y
    const index = buildIvfIndex(v, 4, 2, { nLists: 2, nProbe: 1, seed: 3 });
    const lists = [0, 1].map((l) => Array.from(index.listItems.subarray(index.listStart[l], index.listStart[l + 1])).sort());
    expect(lists.sort()).toEqual([[0, 2], [1, 3]]);
    expect(searchIvf(index, [1, 0], 4).map((s) => [s.item, s.score])).toEqual([[2, 11], [0, 10]]);
    expect(searchIvf(index, [1, 0], 4, (i) => i === 2).map((s) => s.item)).toEqual([0]);
  });

  it("is exact when every list is probed, and the same for the same seed", () => {
    const dim = 6;
    const v = clustered(3000, dim, 20, 1);
    const index = buildIvfIndex(v, 3000, dim, { seed: 5 });
    expect(index.listStart[index.nLists]).toBe(3000);
    expect(new Set(index.listItems).size).toBe(3000);
    const rng = createRng(9);
    for (let q = 0; q < 20; q++) {
      const query = Array.from({ length: dim }, () => rng.normal());
      const skip = (i: number) => i % 7 === 0;
      expect(searchIvf(index, query, 10, skip, index.nLists)).toEqual(exactTop(v, dim, query, 10, skip));
    }
    expect(buildIvfIndex(v, 3000, dim, { seed: 5 })).toEqual(index);
  });

  it("asks `skip` only about items good enough to keep, with the same answer", () => {
    const dim = 6;
    const v = clustered(3000, dim, 20, 2);
    const index = buildIvfIndex(v, 3000, dim, { seed: 5 });
    const query = [1, -0.5, 0.25, 0, 2, -1];
    let asked = 0;
    const skip = (i: number) => {
      asked++;
      return i % 3 === 0;
    };
    expect(searchIvf(index, query, 10, skip, index.nLists)).toEqual(exactTop(v, dim, query, 10, (i) => i % 3 === 0));
    expect(asked).toBeGreaterThanOrEqual(10);
    expect(asked).toBeLessThan(3000 / 4);
  });

  it("finds at least 90% of the true top 10 probing a twentieth of the lists", () => {
    const dim = 16;
    const n = 20_000;
    const v = clustered(n, dim, 50, 2);
    const index = buildIvfIndex(v, n, dim);
    expect(index.nProbe).toBe(Math.ceil(index.nLists / 20));
    const rng = createRng(4);
    let found = 0;
    for (let q = 0; q < 100; q++) {
      // Queries like users: the mean of a few items' vectors.
      const query = new Float64Array(dim);
      for (let h = 0; h < 5; h++) {
        const i = rng.int(n);
        for (let f = 0; f < dim; f++) query[f] += v[i * dim + f] / 5;
      }
      const truth = new Set(exactTop(v, dim, query, 10).map((s) => s.item));
      found += searchIvf(index, query, 10).filter((s) => truth.has(s.item)).length;
    }
    expect(found / 1000).toBeGreaterThanOrEqual(0.9);
  });

  it("serves a large iALS catalog through topHistory, and a small one without", () => {
    const k = 8;
    const serialized = (nItems: number) => ({
      algorithm: "ials",
      params: { nFactors: k },
      meta: { nItems, nFactors: k },
      arrays: { itemFactors: clustered(nItems, k, 30, 6) },
      userState: {},
    });
    expect(ials.deserialize(serialized(1000)).topHistory).toBeUndefined();
    const large = ials.deserialize(serialized(IVF_MIN_ITEMS));
    const history = { items: Int32Array.from([1, 2, 3]), values: Float32Array.from([1, 1, 1]) };
    const top = large.topHistory!(history, 10, (i) => i === 1);
    const exact = selectTopK(large.scoreHistory!(history), 10, (i) => i === 1);
    expect(top).toHaveLength(10);
    expect(top.map((s) => s.item)).not.toContain(1);
    const truth = new Set(exact.map((s) => s.item));
    expect(top.filter((s) => truth.has(s.item)).length).toBeGreaterThanOrEqual(8);
    // Scores are the exact inner products of the items found.
    for (const s of top) expect(s.score).toBeCloseTo(large.scoreHistory!(history)[s.item], 4);
  });
});
