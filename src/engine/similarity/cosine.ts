// Cosine similarity over co-rated entries only (Surprise's `cosine`):
// sum(a*b) / sqrt(sum(a^2) * sum(b^2)), the sums taken over common columns.
import type { CsrMatrix } from "../data/CsrMatrix";
import { allPairs } from "./allPairs";
import { coRatedStats, type CoRatedStats } from "./CoRatedStats";
import { supportedSimilarity, type SimilarityMeasure, type SimilarityOptions } from "./SimilarityMeasure";
import type { SparseVector } from "./SparseVector";

export const cosineMeasure: SimilarityMeasure = {
  name: "cosine",
  defaultShrinkage: 0,
  fromStats: (s: CoRatedStats) => {
    const denom = Math.sqrt(s.sumAA * s.sumBB);
    return denom === 0 ? 0 : s.sumAB / denom;
  },
};

export function cosine(a: SparseVector, b: SparseVector, options?: SimilarityOptions): number {
  return supportedSimilarity(cosineMeasure, coRatedStats(a, b), options);
}

export function cosineAllPairs(rows: CsrMatrix, options?: SimilarityOptions): Float32Array {
  return allPairs(rows, cosineMeasure, options);
}
