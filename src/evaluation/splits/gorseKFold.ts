// Mirrors Gorse `core.NewKFoldSplitter(k)` (gorse-io/gorse, core/splitter.go),
// the splitter its ML-100K top-N benchmark used through
// `core.CrossValidate(m, data, core.NewKFoldSplitter(5), 0, ...)`:
//   rand.Seed(seed); perm := rand.Perm(n); foldSize := n / k
//   fold i is perm[begin:end], end += foldSize (+1 for the first n % k folds);
//   train is perm[:begin] + perm[end:].
// The fold cutting is identical to Surprise's. Go's math/rand stream is not
// reproduced: the permutation comes from our seeded generator (Go's Perm is
// the inside-out Fisher-Yates, as here), so these are folds of the same
// shape and sizes, not Gorse's exact folds.
import { createRng } from "../../engine/random";
import type { Fold } from "./Fold";
import { cutFolds } from "./surpriseKFold";

export function gorseKFold(nRows: number, options: { k?: number; seed: number }): Fold[] {
  const k = options.k ?? 5;
  if (k < 2 || k > nRows) throw new Error(`gorseKFold: k=${k} must be >= 2 and at most the ${nRows} ratings`);
  const rng = createRng(options.seed);
  const perm = new Int32Array(nRows);
  for (let i = 0; i < nRows; i++) {
    const j = rng.int(i + 1);
    perm[i] = perm[j];
    perm[j] = i;
  }
  return cutFolds(perm, k);
}
