// Root mean squared error over (actual, predicted) pairs, as Surprise
// `accuracy.rmse`, Gorse `core.RMSE` and Recommenders `rmse` compute it.
export function rmse(actual: ArrayLike<number>, predicted: ArrayLike<number>): number {
  if (actual.length !== predicted.length) {
    throw new Error(`rmse: ${actual.length} actual values but ${predicted.length} predictions`);
  }
  if (actual.length === 0) return NaN;
  let sum = 0;
  for (let i = 0; i < actual.length; i++) sum += (predicted[i] - actual[i]) ** 2;
  return Math.sqrt(sum / actual.length);
}
