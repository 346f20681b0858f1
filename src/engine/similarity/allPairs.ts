// Similarity between every pair of rows of a sparse matrix, as a dense n x n
// Float32Array (row-major, symmetric, diagonal 1 as in Surprise).
//
// Co-rated sums are accumulated through the column view: for row x and each of
// its columns y, every other row x2 that also has y gets its sums updated. The
// cost is sum over columns of (column count)^2 / 2, never n^2 * nCols: for the
// 1682 items of MovieLens-100K that is a few tens of millions of additions.
//
// Row x computes its pairs with every later row alone, so rows can be shared
// out to threads (allPairsPart.ts) and give the one-thread matrix bit for bit.
import { transpose, type CsrMatrix } from "../data/CsrMatrix";
import { runOnThreads, sharedArray, sharedCopy, siblingModule } from "../threads/threadPool";
import { emptyStats } from "./CoRatedStats";
import { supportedSimilarity, type SimilarityMeasure, type SimilarityOptions } from "./SimilarityMeasure";

// From this many co-rated pair updates (sum over columns of count² / 2) the
// pairs are computed on options.threads threads; below it, starting the
// workers (a quarter of a second of CPU from sources) costs more than it
// saves: MovieLens-100K's item-item 10 million take 0.14 s of CPU on one.
export const ALL_PAIRS_PARALLEL_MIN_UPDATES = 15_000_000;

// What a thread is given: the rows, their column view, the measure by name
// (similarityMeasures.ts) and the shared output.
export interface AllPairsThreadData {
  rows: CsrMatrix;
  cols: CsrMatrix;
  measure: string;
  options: SimilarityOptions;
  out: Float32Array;
  // Rows are claimed in chunks of this many, the costly first rows first.
  chunk: number;
}

export function allPairs(rows: CsrMatrix, measure: SimilarityMeasure, options: SimilarityOptions = {}): Float32Array {
  const n = rows.nRows;
  const cols = transpose(rows);
  const threads = Math.max(1, Math.min(64, Math.floor(options.threads ?? 1)));
  if (threads > 1 && coRatedUpdates(cols) >= ALL_PAIRS_PARALLEL_MIN_UPDATES) {
    const out = sharedArray(Float32Array, n * n);
    const shared = (m: CsrMatrix): CsrMatrix => ({ nRows: m.nRows, nCols: m.nCols, indptr: sharedCopy(m.indptr), indices: sharedCopy(m.indices), values: sharedCopy(m.values) });
    const data: AllPairsThreadData = {
      rows: shared(rows),
      cols: shared(cols),
      measure: measure.name,
      options: { ...(options.minSupport !== undefined ? { minSupport: options.minSupport } : {}), ...(options.shrinkage !== undefined ? { shrinkage: options.shrinkage } : {}) },
      out,
      chunk: Math.max(1, Math.ceil(n / (64 * threads))),
    };
    if (runOnThreads({ module: siblingModule(__filename, "allPairsPart"), name: "allPairsPart" }, data, threads)) return out;
  }
  const out = new Float32Array(n * n);
  rowPairs(rows, cols, measure, options, out, 0, n, pairScratch(n));
  return out;
}

// Sum over columns of count² / 2: the co-rated sums' updates allPairs makes.
export function coRatedUpdates(cols: CsrMatrix): number {
  let updates = 0;
  for (let c = 0; c < cols.nRows; c++) {
    const d = cols.indptr[c + 1] - cols.indptr[c];
    updates += (d * (d - 1)) / 2;
  }
  return updates;
}

export interface PairScratch {
  freq: Int32Array;
  sA: Float64Array;
  sB: Float64Array;
  sAA: Float64Array;
  sBB: Float64Array;
  sAB: Float64Array;
  touched: Int32Array;
}

export function pairScratch(n: number): PairScratch {
  return { freq: new Int32Array(n), sA: new Float64Array(n), sB: new Float64Array(n), sAA: new Float64Array(n), sBB: new Float64Array(n), sAB: new Float64Array(n), touched: new Int32Array(n) };
}

// Rows [from, to): each row's similarity with every later row, written to
// both triangles of `out`, and its diagonal.
export function rowPairs(rows: CsrMatrix, cols: CsrMatrix, measure: SimilarityMeasure, options: SimilarityOptions, out: Float32Array, from: number, to: number, scratch: PairScratch): void {
  const n = rows.nRows;
  const { freq, sA, sB, sAA, sBB, sAB, touched } = scratch;
  const stats = emptyStats();
  for (let x = from; x < to; x++) {
    let nTouched = 0;
    for (let k = rows.indptr[x]; k < rows.indptr[x + 1]; k++) {
      const y = rows.indices[k];
      const a = rows.values[k];
      const aa = a * a;
      // Only rows after x: the lower triangle is mirrored, so each pair is
      // accumulated once and the matrix is exactly symmetric.
      const end = cols.indptr[y + 1];
      for (let k2 = firstAfter(cols.indices, cols.indptr[y], end, x); k2 < end; k2++) {
        const x2 = cols.indices[k2];
        const b = cols.values[k2];
        if (freq[x2] === 0) touched[nTouched++] = x2;
        freq[x2]++;
        sA[x2] += a;
        sB[x2] += b;
        sAA[x2] += aa;
        sBB[x2] += b * b;
        sAB[x2] += a * b;
      }
    }
    stats.nA = rows.indptr[x + 1] - rows.indptr[x];
    for (let t = 0; t < nTouched; t++) {
      const x2 = touched[t];
      stats.n = freq[x2];
      stats.sumA = sA[x2];
      stats.sumB = sB[x2];
      stats.sumAA = sAA[x2];
      stats.sumBB = sBB[x2];
      stats.sumAB = sAB[x2];
      stats.nB = rows.indptr[x2 + 1] - rows.indptr[x2];
      const sim = supportedSimilarity(measure, stats, options);
      out[x * n + x2] = sim;
      out[x2 * n + x] = sim;
      freq[x2] = 0;
      sA[x2] = sB[x2] = sAA[x2] = sBB[x2] = sAB[x2] = 0;
    }
    out[x * n + x] = 1;
  }
}

// First position in indices[lo, hi) holding a value > x (indices ascending).
function firstAfter(indices: Int32Array, lo: number, hi: number, x: number): number {
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (indices[mid] <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
