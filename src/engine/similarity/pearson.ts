// Pearson correlation over co-rated entries, each row centred on its mean over
// those common entries (Surprise's `pearson`, computed in the one-pass form
// (n*sum(ab) - sum(a)sum(b)) / sqrt((n*sum(a^2) - sum(a)^2)(n*sum(b^2) - sum(b)^2))).
// A row that is constant on the common entries has no variance: similarity 0.
import type { CsrMatrix } from "../data/CsrMatrix";
import { allPairs } from "./allPairs";
import { coRatedStats, type CoRatedStats } from "./CoRatedStats";
import { supportedSimilarity, type SimilarityMeasure, type SimilarityOptions } from "./SimilarityMeasure";
import type { SparseVector } from "./SparseVector";

export const pearsonMeasure: SimilarityMeasure = {
  name: "pearson",
  defaultShrinkage: 0,
  fromStats: (s: CoRatedStats) => {
    const varA = s.n * s.sumAA - s.sumA * s.sumA;
    const varB = s.n * s.sumBB - s.sumB * s.sumB;
    // Rounding can leave a constant row with a variance of -1e-13.
    if (varA <= 1e-9 * Math.max(1, s.n * s.sumAA) || varB <= 1e-9 * Math.max(1, s.n * s.sumBB)) return 0;
    const sim = (s.n * s.sumAB - s.sumA * s.sumB) / Math.sqrt(varA * varB);
    return Math.max(-1, Math.min(1, sim));
  },
};

export function pearson(a: SparseVector, b: SparseVector, options?: SimilarityOptions): number {
  return supportedSimilarity(pearsonMeasure, coRatedStats(a, b), options);
}

export function pearsonAllPairs(rows: CsrMatrix, options?: SimilarityOptions): Float32Array {
  return allPairs(rows, pearsonMeasure, options);
}
