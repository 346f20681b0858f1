// Jaccard similarity |A ∩ B| / |A ∪ B| of the sets of columns two rows have
// entries in; values are ignored (implicit feedback: did they interact at all).
import type { CsrMatrix } from "../data/CsrMatrix";
import { allPairs } from "./allPairs";
import { coRatedStats, type CoRatedStats } from "./CoRatedStats";
import { supportedSimilarity, type SimilarityMeasure, type SimilarityOptions } from "./SimilarityMeasure";
import type { SparseVector } from "./SparseVector";

export const jaccardMeasure: SimilarityMeasure = {
  name: "jaccard",
  defaultShrinkage: 0,
  fromStats: (s: CoRatedStats) => s.n / (s.nA + s.nB - s.n),
};

export function jaccard(a: SparseVector, b: SparseVector, options?: SimilarityOptions): number {
  return supportedSimilarity(jaccardMeasure, coRatedStats(a, b), options);
}

export function jaccardAllPairs(rows: CsrMatrix, options?: SimilarityOptions): Float32Array {
  return allPairs(rows, jaccardMeasure, options);
}
