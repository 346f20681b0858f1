// Predictions outside the rating scale are never better than its bound
// (Surprise clips in AlgoBase.predict for the same reason).
export function clipToScale(value: number, scale: { min: number; max: number } | undefined): number {
  if (!scale) return value;
  return value < scale.min ? scale.min : value > scale.max ? scale.max : value;
}
