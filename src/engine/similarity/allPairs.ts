// Similarity between every pair of rows of a sparse matrix, as a dense n x n
// Float32Array (row-major, symmetric, diagonal 1 as in Surprise).
//
// Co-rated sums are accumulated through the column view: for row x and each of
// its columns y, every other row x2 that also has y gets its sums updated. The
// cost is sum over columns of (column count)^2 / 2, never n^2 * nCols: for the
// 1682 items of MovieLens-100K that is a few tens of millions of additions.
import { transpose, type CsrMatrix } from "../data/CsrMatrix";
import { emptyStats } from "./CoRatedStats";
import { supportedSimilarity, type SimilarityMeasure, type SimilarityOptions } from "./SimilarityMeasure";

export function allPairs(rows: CsrMatrix, measure: SimilarityMeasure, options: SimilarityOptions = {}): Float32Array {
  const n = rows.nRows;
  const cols = transpose(rows);
  const out = new Float32Array(n * n);
  const freq = new Int32Array(n);
  const sA = new Float64Array(n);
  const sB = new Float64Array(n);
  const sAA = new Float64Array(n);
  const sBB = new Float64Array(n);
  const sAB = new Float64Array(n);
  const touched = new Int32Array(n);
  const stats = emptyStats();

  for (let x = 0; x < n; x++) {
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
  return out;
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
