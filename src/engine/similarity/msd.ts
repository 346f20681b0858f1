// Mean squared difference similarity, 1 / (msd + 1), where msd is the mean of
// (a - b)^2 over co-rated entries (Surprise's `msd`, the default similarity of
// its KNNBaseline; Shardanand & Maes 1995).
import type { CsrMatrix } from "../data/CsrMatrix";
import { allPairs } from "./allPairs";
import { coRatedStats, type CoRatedStats } from "./CoRatedStats";
import { supportedSimilarity, type SimilarityMeasure, type SimilarityOptions } from "./SimilarityMeasure";
import type { SparseVector } from "./SparseVector";

export const msdMeasure: SimilarityMeasure = {
  name: "msd",
  defaultShrinkage: 0,
  fromStats: (s: CoRatedStats) => {
    const sq = Math.max(0, s.sumAA + s.sumBB - 2 * s.sumAB);
    return 1 / (sq / s.n + 1);
  },
};

export function msd(a: SparseVector, b: SparseVector, options?: SimilarityOptions): number {
  return supportedSimilarity(msdMeasure, coRatedStats(a, b), options);
}

export function msdAllPairs(rows: CsrMatrix, options?: SimilarityOptions): Float32Array {
  return allPairs(rows, msdMeasure, options);
}
