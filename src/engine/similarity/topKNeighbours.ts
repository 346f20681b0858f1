// Per-row lists of the k most similar other rows of a dense similarity matrix
// (positive similarities only: a negative neighbour is not evidence of taste).
import { TopKHeap } from "../recommender/TopKHeap";
import type { ScoredItem } from "../types";

export interface NeighbourLists {
  readonly k: number;
  // Row x's neighbours are at [x*k, x*k + count[x]), best first.
  readonly indices: Int32Array;
  readonly sims: Float32Array;
  readonly count: Int32Array;
}

export function neighboursOf(sim: Float32Array, n: number, row: number, k: number): ScoredItem[] {
  const heap = new TopKHeap(Math.min(k, n));
  const base = row * n;
  for (let x = 0; x < n; x++) {
    const s = sim[base + x];
    if (x !== row && s > 0) heap.push(x, s);
  }
  return heap.sorted();
}

export function topKNeighbours(sim: Float32Array, n: number, k: number): NeighbourLists {
  const indices = new Int32Array(n * k).fill(-1);
  const sims = new Float32Array(n * k);
  const count = new Int32Array(n);
  for (let x = 0; x < n; x++) {
    const list = neighboursOf(sim, n, x, k);
    count[x] = list.length;
    list.forEach((nb, j) => {
      indices[x * k + j] = nb.item;
      sims[x * k + j] = nb.score;
    });
  }
  return { k, indices, sims, count };
}
