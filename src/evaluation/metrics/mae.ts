// Mean absolute error over (actual, predicted) pairs (Surprise `accuracy.mae`).
export function mae(actual: ArrayLike<number>, predicted: ArrayLike<number>): number {
  if (actual.length !== predicted.length) {
    throw new Error(`mae: ${actual.length} actual values but ${predicted.length} predictions`);
  }
  if (actual.length === 0) return NaN;
  let sum = 0;
  for (let i = 0; i < actual.length; i++) sum += Math.abs(predicted[i] - actual[i]);
  return sum / actual.length;
}
