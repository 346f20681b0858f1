// An inverted-file (IVF) index over item vectors, for the top items by inner
// product without scoring the whole catalog (Jégou, Douze & Schmid 2011;
// FAISS's IndexIVFFlat with the inner-product metric): k-means on a seeded
// sample of the items partitions them into lists; a query scores the
// centroids, then exactly the items of its `nProbe` best lists.
//
// Approximate: an item in a list that was not probed is missed, so recall
// against exact scoring is measured (`npm run bench:index`), not assumed.
// Served factor models use it only for catalogs of IVF_MIN_ITEMS and more,
// where scoring every item is the cost of a request.
import { createRng } from "../random";
import type { ScoredItem } from "../types";
import { TopKHeap } from "./TopKHeap";

// Below this many items a request scores them all (a few hundred microseconds).
export const IVF_MIN_ITEMS = 20_000;

export interface IvfOptions {
  // Lists (k-means clusters); default √n.
  nLists: number;
  // Lists scored per query; default a 20th of the lists (at least 1).
  nProbe: number;
  // Items k-means is trained on (a seeded sample); default 64 per list.
  sampleSize: number;
  iterations: number;
  seed: number;
}

export function ivfDefaults(nItems: number): IvfOptions {
  const nLists = Math.max(1, Math.round(Math.sqrt(nItems)));
  return { nLists, nProbe: Math.max(1, Math.ceil(nLists / 20)), sampleSize: Math.min(nItems, 64 * nLists), iterations: 8, seed: 1 };
}

export interface IvfIndex {
  readonly dim: number;
  readonly nLists: number;
  readonly nProbe: number;
  // nLists × dim, row-major.
  readonly centroids: Float32Array;
  // Items of list l: listItems[listStart[l] .. listStart[l + 1]).
  readonly listStart: Int32Array;
  readonly listItems: Int32Array;
  // The items' vectors copied in list order (row e is listItems[e]'s), so a
  // probed list is read as one contiguous block instead of gathered item by
  // item from the factor matrix: on 100k items × 48 factors the gather's
  // cache misses were most of a query's time. Float32 like the factors it
  // copies (so the copy is exact and the scores are those of exact scoring),
  // half the memory and memory traffic of a float64 copy.
  readonly listVectors: Float32Array;
}

// The nearest centroid of row `o` of `vectors` by Euclidean distance
// (argmax of x·c − |c|²/2).
function nearest(vectors: ArrayLike<number>, o: number, centroids: Float32Array, halfNorms: Float64Array, nLists: number, dim: number): number {
  let best = 0;
  let bestScore = Number.NEGATIVE_INFINITY;
  for (let l = 0; l < nLists; l++) {
    const c = l * dim;
    let s = -halfNorms[l];
    for (let f = 0; f < dim; f++) s += vectors[o + f] * centroids[c + f];
    if (s > bestScore) {
      bestScore = s;
      best = l;
    }
  }
  return best;
}

function halfNormsOf(centroids: Float32Array, nLists: number, dim: number): Float64Array {
  const out = new Float64Array(nLists);
  for (let l = 0; l < nLists; l++) {
    let s = 0;
    for (let f = 0; f < dim; f++) s += centroids[l * dim + f] ** 2;
    out[l] = s / 2;
  }
  return out;
}

// Builds the index over `vectors` (nItems × dim, row-major).
export function buildIvfIndex(vectors: Float32Array, nItems: number, dim: number, options: Partial<IvfOptions> = {}): IvfIndex {
  const o = { ...ivfDefaults(nItems), ...options };
  const nLists = Math.max(1, Math.min(o.nLists, nItems));
  const rng = createRng(o.seed);
  // A seeded sample (partial Fisher-Yates over the item positions).
  const order = Int32Array.from({ length: nItems }, (_, i) => i);
  const nSample = Math.max(nLists, Math.min(nItems, o.sampleSize));
  for (let s = 0; s < nSample; s++) {
    const j = s + rng.int(nItems - s);
    const t = order[s];
    order[s] = order[j];
    order[j] = t;
  }
  const sample = order.subarray(0, nSample);
  const centroids = new Float32Array(nLists * dim);
  for (let l = 0; l < nLists; l++) for (let f = 0; f < dim; f++) centroids[l * dim + f] = vectors[sample[l] * dim + f];
  const sums = new Float64Array(nLists * dim);
  const counts = new Int32Array(nLists);
  for (let it = 0; it < o.iterations; it++) {
    const half = halfNormsOf(centroids, nLists, dim);
    sums.fill(0);
    counts.fill(0);
    for (let s = 0; s < nSample; s++) {
      const row = sample[s] * dim;
      const l = nearest(vectors, row, centroids, half, nLists, dim);
      counts[l]++;
      for (let f = 0; f < dim; f++) sums[l * dim + f] += vectors[row + f];
    }
    for (let l = 0; l < nLists; l++) {
      // An empty cluster restarts at a random sampled item.
      const from = counts[l] > 0 ? -1 : sample[rng.int(nSample)] * dim;
      for (let f = 0; f < dim; f++) centroids[l * dim + f] = from >= 0 ? vectors[from + f] : sums[l * dim + f] / counts[l];
    }
  }
  // Every item into the list of its nearest centroid (counting sort by list).
  const half = halfNormsOf(centroids, nLists, dim);
  const listOf = new Int32Array(nItems);
  const sizes = new Int32Array(nLists);
  for (let i = 0; i < nItems; i++) sizes[(listOf[i] = nearest(vectors, i * dim, centroids, half, nLists, dim))]++;
  const listStart = new Int32Array(nLists + 1);
  for (let l = 0; l < nLists; l++) listStart[l + 1] = listStart[l] + sizes[l];
  const fill = listStart.slice(0, nLists);
  const listItems = new Int32Array(nItems);
  for (let i = 0; i < nItems; i++) listItems[fill[listOf[i]]++] = i;
  const listVectors = new Float32Array(nItems * dim);
  for (let e = 0; e < nItems; e++) for (let f = 0; f < dim; f++) listVectors[e * dim + f] = vectors[listItems[e] * dim + f];
  return { dim, nLists, nProbe: Math.max(1, Math.min(o.nProbe, nLists)), centroids, listStart, listItems, listVectors };
}

// The `n` best items by inner product with `query` among the probed lists,
// best first, leaving out items `skip` names.
export function searchIvf(
  index: IvfIndex,
  query: ArrayLike<number>,
  n: number,
  skip?: (item: number) => boolean,
  nProbe = index.nProbe,
): ScoredItem[] {
  const { dim, nLists, centroids, listStart, listItems, listVectors } = index;
  const q = Float64Array.from(query);
  const lists = new TopKHeap(Math.min(nProbe, nLists));
  for (let l = 0; l < nLists; l++) {
    let s = 0;
    for (let f = 0; f < dim; f++) s += q[f] * centroids[l * dim + f];
    lists.push(l, s);
  }
  const heap = new TopKHeap(n);
  for (const { item: l } of lists.sorted()) {
    for (let e = listStart[l]; e < listStart[l + 1]; e++) {
      const o = e * dim;
      let s = 0;
      for (let f = 0; f < dim; f++) s += q[f] * listVectors[o + f];
      if (!Number.isFinite(s)) continue;
      // As a Float32Array of scores holds it: the same numbers as exact scoring.
      const score = Math.fround(s);
      const i = listItems[e];
      // `skip` (a set lookup) only for the few items good enough to keep.
      if (heap.accepts(i, score) && !skip?.(i)) heap.push(i, score);
    }
  }
  return heap.sorted();
}
