// Euclidean similarity 1 / (1 + d), d the Euclidean distance over co-rated
// entries only (the "Programming Collective Intelligence" measure, fixed to
// ignore entries only one side has).
import type { CsrMatrix } from "../data/CsrMatrix";
import { allPairs } from "./allPairs";
import { coRatedStats, type CoRatedStats } from "./CoRatedStats";
import { supportedSimilarity, type SimilarityMeasure, type SimilarityOptions } from "./SimilarityMeasure";
import type { SparseVector } from "./SparseVector";

export const euclideanMeasure: SimilarityMeasure = {
  name: "euclidean",
  defaultShrinkage: 0,
  fromStats: (s: CoRatedStats) => 1 / (1 + Math.sqrt(Math.max(0, s.sumAA + s.sumBB - 2 * s.sumAB))),
};

export function euclidean(a: SparseVector, b: SparseVector, options?: SimilarityOptions): number {
  return supportedSimilarity(euclideanMeasure, coRatedStats(a, b), options);
}

export function euclideanAllPairs(rows: CsrMatrix, options?: SimilarityOptions): Float32Array {
  return allPairs(rows, euclideanMeasure, options);
}
