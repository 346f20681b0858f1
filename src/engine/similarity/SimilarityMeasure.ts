// What distinguishes one similarity from another: a formula over the co-rated
// sums, and how shrinkage discounts small supports.
import type { CoRatedStats } from "./CoRatedStats";

export interface SimilarityOptions {
  // Pairs with fewer co-rated entries get similarity 0 (Surprise's min_support; default 1).
  minSupport?: number;
  // sim * n / (n + shrinkage): trust a similarity less when few entries back it
  // (Koren 2010, "Factor in the neighbors", eq. 2). Default 0 (none), except
  // pearsonBaseline which defaults to Surprise's 100.
  shrinkage?: number;
  // Threads the all-pairs computation may run on (allPairs.ts; default 1).
  threads?: number;
}

export interface SimilarityMeasure {
  readonly name: string;
  // The raw similarity from the co-rated sums (called only when n >= minSupport).
  fromStats(s: CoRatedStats): number;
  readonly defaultShrinkage: number;
  // Multiplier for support n; defaults to n / (n + shrinkage).
  shrinkFactor?(n: number, shrinkage: number): number;
}

export function supportedSimilarity(measure: SimilarityMeasure, s: CoRatedStats, options: SimilarityOptions = {}): number {
  const minSupport = options.minSupport ?? 1;
  if (s.n < Math.max(minSupport, 1)) return 0;
  const sim = measure.fromStats(s);
  if (!Number.isFinite(sim)) return 0;
  const shrinkage = options.shrinkage ?? measure.defaultShrinkage;
  if (shrinkage <= 0) return sim;
  return sim * (measure.shrinkFactor ? measure.shrinkFactor(s.n, shrinkage) : s.n / (s.n + shrinkage));
}
