import { csrFromTriplets } from "../../../src/engine/data/CsrMatrix";
import { createRng } from "../../../src/engine/random";
import { coRatedStats } from "../../../src/engine/similarity/CoRatedStats";
import { SIMILARITY_NAMES, similarityMatrix } from "../../../src/engine/similarity/similarityMatrix";
import { rowOf } from "../../../src/engine/similarity/SparseVector";
import { adjustedCosine } from "../../../src/engine/similarity/adjustedCosine";
import { columnMeans } from "../../../src/engine/similarity/subtractOffsets";
import { cosine } from "../../../src/engine/similarity/cosine";
import { euclidean } from "../../../src/engine/similarity/euclidean";
import { jaccard } from "../../../src/engine/similarity/jaccard";
import { msd } from "../../../src/engine/similarity/msd";
import { pearson } from "../../../src/engine/similarity/pearson";
import { pearsonBaseline } from "../../../src/engine/similarity/pearsonBaseline";
import { topKNeighbours } from "../../../src/engine/similarity/topKNeighbours";

function randomRatings(nRows: number, nCols: number, density: number, seed: number) {
  const rng = createRng(seed);
  const r: number[] = [];
  const c: number[] = [];
  const v: number[] = [];
  for (let i = 0; i < nRows; i++)
    for (let j = 0; j < nCols; j++)
      if (rng.next() < density) {
        r.push(i);
        c.push(j);
        v.push(1 + rng.int(5));
      }
  return csrFromTriplets(nRows, nCols, r, c, v);
}

describe("allPairs through similarityMatrix", () => {
  const m = randomRatings(25, 30, 0.3, 3);
  const n = m.nRows;
  const baselines = {
    globalMean: 3,
    rowBias: Array.from({ length: n }, (_, i) => ((i % 5) - 2) / 10),
    colBias: Array.from({ length: m.nCols }, (_, j) => ((j % 7) - 3) / 10),
  };
  const means = columnMeans(m);
  const options = { minSupport: 2, shrinkage: 5 };
  const pairwise: Record<string, (a: number, b: number) => number> = {
    cosine: (a, b) => cosine(rowOf(m, a), rowOf(m, b), options),
    pearson: (a, b) => pearson(rowOf(m, a), rowOf(m, b), options),
    msd: (a, b) => msd(rowOf(m, a), rowOf(m, b), options),
    euclidean: (a, b) => euclidean(rowOf(m, a), rowOf(m, b), options),
    jaccard: (a, b) => jaccard(rowOf(m, a), rowOf(m, b), options),
    adjustedCosine: (a, b) => adjustedCosine(rowOf(m, a), rowOf(m, b), means, options),
    pearsonBaseline: (a, b) =>
      pearsonBaseline(
        rowOf(m, a),
        rowOf(m, b),
        { globalMean: 3, biasA: baselines.rowBias[a], biasB: baselines.rowBias[b], colBias: baselines.colBias },
        options,
      ),
  };

  it.each(SIMILARITY_NAMES)("%s: matches the pairwise function, symmetric, bounded, diagonal 1", (name) => {
    const sim = similarityMatrix(m, name, { ...options, baselines });
    for (let a = 0; a < n; a++) {
      expect(sim[a * n + a]).toBe(1);
      for (let b = 0; b < n; b++) {
        if (a === b) continue;
        expect(sim[a * n + b]).toBe(sim[b * n + a]);
        expect(sim[a * n + b]).toBeCloseTo(pairwise[name](a, b), 5);
        expect(Math.abs(sim[a * n + b])).toBeLessThanOrEqual(1);
        if (coRatedStats(rowOf(m, a), rowOf(m, b)).n < 2) expect(sim[a * n + b]).toBe(0);
      }
    }
  });

  it("gives the same matrix when the rows are permuted", () => {
    const perm = Array.from({ length: n }, (_, i) => (i * 7) % n); // 7 is coprime with 25
    const r: number[] = [];
    const c: number[] = [];
    const v: number[] = [];
    perm.forEach((old, i) => {
      for (let k = m.indptr[old]; k < m.indptr[old + 1]; k++) {
        r.push(i);
        c.push(m.indices[k]);
        v.push(m.values[k]);
      }
    });
    const permuted = csrFromTriplets(n, m.nCols, r, c, v);
    const sim = similarityMatrix(m, "pearson", options);
    const simP = similarityMatrix(permuted, "pearson", options);
    for (let a = 0; a < n; a++) for (let b = 0; b < n; b++) expect(simP[a * n + b]).toBe(sim[perm[a] * n + perm[b]]);
  });
});

describe("topKNeighbours", () => {
  it("keeps the k most similar other rows with positive similarity, best first", () => {
    // 3 x 3 similarity: row 0's others are 0.2 (row 1) and 0.9 (row 2)
    const sim = Float32Array.from([1, 0.2, 0.9, 0.2, 1, -0.5, 0.9, -0.5, 1]);
    const lists = topKNeighbours(sim, 3, 2);
    expect(Array.from(lists.indices.subarray(0, 2))).toEqual([2, 1]);
    expect(lists.count[1]).toBe(1); // the -0.5 neighbour is dropped
    expect(lists.indices[1 * 2]).toBe(0);
  });
});
