// The k highest-scoring indices of a score array, best first, by partial
// selection (TopKHeap), skipping excluded and non-finite scores.
import type { ScoredItem } from "../types";
import { TopKHeap } from "./TopKHeap";

export function selectTopK(
  scores: ArrayLike<number>,
  k: number,
  exclude?: Uint8Array | ((index: number) => boolean),
): ScoredItem[] {
  const heap = new TopKHeap(Math.min(k, scores.length));
  const skip = typeof exclude === "function" ? exclude : exclude ? (i: number) => exclude[i] === 1 : undefined;
  for (let i = 0; i < scores.length; i++) {
    const s = scores[i];
    if (!Number.isFinite(s) || (skip && skip(i))) continue;
    heap.push(i, s);
  }
  return heap.sorted();
}
