// Surprise's `pearson_baseline`: a Pearson-like correlation of the residuals
// r - (mu + b_row + b_col) over co-rated entries, shrunk towards 0 by
// (n - 1) / (n - 1 + shrinkage) with shrinkage 100 by default
// (Koren 2010, "Factor in the neighbors", eq. 2; Surprise similarities.pyx).
// Centring on baselines rather than on co-rated means is what makes it stable
// with small supports.
import type { CsrMatrix } from "../data/CsrMatrix";
import { allPairs } from "./allPairs";
import { coRatedStats, type CoRatedStats } from "./CoRatedStats";
import { supportedSimilarity, type SimilarityMeasure, type SimilarityOptions } from "./SimilarityMeasure";
import type { SparseVector } from "./SparseVector";
import { subtractFromRow, subtractOffsets } from "./subtractOffsets";

// Baselines in the orientation of the matrix compared: rowBias for the
// entities compared (users for user-user), colBias for the others.
export interface RowColBaselines {
  globalMean: number;
  rowBias: ArrayLike<number>;
  colBias: ArrayLike<number>;
}

export const pearsonBaselineMeasure: SimilarityMeasure = {
  name: "pearsonBaseline",
  defaultShrinkage: 100,
  fromStats: (s: CoRatedStats) => {
    const denom = Math.sqrt(s.sumAA * s.sumBB);
    return denom === 0 ? 0 : s.sumAB / denom;
  },
  // Surprise uses n - 1, so a single co-rated entry contributes nothing.
  shrinkFactor: (n: number, shrinkage: number) => (n - 1) / (n - 1 + shrinkage),
};

export function pearsonBaseline(
  a: SparseVector,
  b: SparseVector,
  baselines: { globalMean: number; biasA: number; biasB: number; colBias: ArrayLike<number> },
  options?: SimilarityOptions,
): number {
  const ra = subtractFromRow(a, (c) => baselines.globalMean + baselines.biasA + baselines.colBias[c]);
  const rb = subtractFromRow(b, (c) => baselines.globalMean + baselines.biasB + baselines.colBias[c]);
  return supportedSimilarity(pearsonBaselineMeasure, coRatedStats(ra, rb), options);
}

export function pearsonBaselineAllPairs(rows: CsrMatrix, baselines: RowColBaselines, options?: SimilarityOptions): Float32Array {
  const { globalMean, rowBias, colBias } = baselines;
  return allPairs(
    subtractOffsets(rows, (r, c) => globalMean + rowBias[r] + colBias[c]),
    pearsonBaselineMeasure,
    options,
  );
}
