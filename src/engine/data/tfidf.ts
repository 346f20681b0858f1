// TF-IDF weighting of an item x feature matrix, rows L2-normalised so that a
// dot product between two items is their cosine.
import type { CsrMatrix } from "./CsrMatrix";

export interface TfidfResult {
  matrix: CsrMatrix;
  // Per feature; reused to weight the features of an item not in the matrix.
  idf: Float64Array;
}

// idf = ln((1 + N) / (1 + df)) + 1, the smoothed form scikit-learn's
// TfidfTransformer uses: a feature on every item still keeps weight 1 (a genre
// shared by all items is uninformative but not negative), and a feature that
// no item has yet does not divide by zero.
export function inverseDocumentFrequency(features: CsrMatrix): Float64Array {
  const df = new Float64Array(features.nCols);
  for (let k = 0; k < features.indices.length; k++) if (features.values[k] !== 0) df[features.indices[k]]++;
  const n = features.nRows;
  const idf = new Float64Array(features.nCols);
  for (let f = 0; f < idf.length; f++) idf[f] = Math.log((1 + n) / (1 + df[f])) + 1;
  return idf;
}

export function tfidf(features: CsrMatrix): TfidfResult {
  const idf = inverseDocumentFrequency(features);
  const values = new Float32Array(features.values.length);
  for (let r = 0; r < features.nRows; r++) {
    const start = features.indptr[r];
    const end = features.indptr[r + 1];
    const norm = weightRow(features.indices.subarray(start, end), features.values.subarray(start, end), idf, values.subarray(start, end));
    if (norm > 0) for (let k = start; k < end; k++) values[k] /= norm;
  }
  return { matrix: { ...features, values }, idf };
}

// Writes tf * idf into `out` and returns the L2 norm (not yet applied).
export function weightRow(indices: ArrayLike<number>, tf: ArrayLike<number>, idf: ArrayLike<number>, out: Float32Array | Float64Array): number {
  let sq = 0;
  for (let k = 0; k < indices.length; k++) {
    const w = tf[k] * (indices[k] < idf.length ? idf[indices[k]] : 1);
    out[k] = w;
    sq += w * w;
  }
  return Math.sqrt(sq);
}
