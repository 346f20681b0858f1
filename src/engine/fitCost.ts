// What fitting an algorithm on a training set would cost, computed from its
// shape before any work is done, so a caller can refuse a fit that would run
// for hours or exhaust memory (trainModel does). Only algorithms whose cost
// can outgrow a catalog declare it.
import type { TrainingSet } from "./types";

export interface FitCost {
  // Multiply-adds of the fit (the dominant loops; each optimiser update of a
  // parameter counts as one).
  readonly multiplyAdds: number;
  // Bytes the fit allocates at its peak (typed arrays; the training set itself excluded).
  readonly bytes: number;
}

export interface CostedAlgorithm<P = Record<string, unknown>> {
  estimateCost(data: TrainingSet, params: Partial<P>): FitCost;
  // Bytes held at the peak of Algorithm.withServingIndex, which runs after
  // the fit with the fitted model still held (0 when no index is built).
  estimateServingIndexBytes?(data: TrainingSet, params: Partial<P>): number;
}

// Σ over users of f(their number of entries): what the item-item models'
// co-occurrence passes cost (f(d) = d² for a walk over every pair).
export function sumOverUsers(data: TrainingSet, f: (entries: number) => number): number {
  const { indptr } = data.ratings;
  let total = 0;
  for (let u = 0; u < data.nUsers; u++) total += f(indptr[u + 1] - indptr[u]);
  return total;
}

export function servingIndexBytesOf(algorithm: object, data: TrainingSet, params: Readonly<Record<string, unknown>>): number {
  const costed = algorithm as Partial<CostedAlgorithm>;
  return typeof costed.estimateServingIndexBytes === "function" ? costed.estimateServingIndexBytes(data, params) : 0;
}

export function fitCostOf(algorithm: object, data: TrainingSet, params: Readonly<Record<string, unknown>>): FitCost | undefined {
  const costed = algorithm as Partial<CostedAlgorithm>;
  return typeof costed.estimateCost === "function" ? costed.estimateCost(data, params) : undefined;
}
