// Mirrors Surprise `surprise.model_selection.split.KFold.split`
// (NicolasHug/Surprise, surprise/model_selection/split.py), defaults
// n_splits=5, shuffle=True:
//   indices = np.arange(len(raw_ratings)); get_rng(random_state).shuffle(indices)
//   fold i takes indices[start:stop], stop += n // n_splits, plus one more for
//   the first n % n_splits folds; train is indices[:start] + indices[stop:].
// With NumpyRandomState the permutation is numpy's own, so on ml-100k with the
// rows in u.data order these are Surprise's folds for that random_state.
import type { Fold } from "./Fold";
import { NumpyRandomState } from "./NumpyRandomState";

export interface KFoldOptions {
  nSplits?: number;
  seed: number;
  shuffle?: boolean;
}

export function surpriseKFold(nRows: number, options: KFoldOptions): Fold[] {
  const nSplits = options.nSplits ?? 5;
  if (nSplits < 2 || nSplits > nRows) {
    throw new Error(`surpriseKFold: n_splits=${nSplits} must be >= 2 and at most the ${nRows} ratings`);
  }
  const indices = new Int32Array(nRows);
  for (let i = 0; i < nRows; i++) indices[i] = i;
  if (options.shuffle ?? true) new NumpyRandomState(options.seed).shuffle(indices);
  return cutFolds(indices, nSplits);
}

// The fold cutting shared by Surprise KFold and Gorse NewKFoldSplitter.
export function cutFolds(perm: Int32Array, nSplits: number): Fold[] {
  const n = perm.length;
  const folds: Fold[] = [];
  let stop = 0;
  for (let f = 0; f < nSplits; f++) {
    const start = stop;
    stop += Math.floor(n / nSplits);
    if (f < n % nSplits) stop++;
    const train = new Int32Array(n - (stop - start));
    train.set(perm.subarray(0, start), 0);
    train.set(perm.subarray(stop), start);
    folds.push({ train, test: perm.slice(start, stop) });
  }
  return folds;
}
