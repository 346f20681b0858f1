// An HNSW graph over item vectors searched by inner product (Malkov &
// Yashunin 2018, "Efficient and robust approximate nearest neighbor search
// using Hierarchical Navigable Small World graphs"), through usearch 2.26,
// for the top items of a large catalog without scoring them all.
//
// Built once where a version is stored (ials.withServingIndex: the training
// job, the import of factors) and kept with it as bytes; a replica loading
// the version reads those bytes back (0.17 s for 100k × 64) instead of
// building (about a minute). usearch saves and loads through files only (its
// JavaScript API has no buffer form), hence the temporary file.
//
// usearch's graph is built on one thread with vectors added in item order:
// its level generator has a fixed default seed, so the same vectors give the
// same bytes (a test pins it), as every other part of a fit is reproducible.
//
// Approximate: an item the graph search does not reach is missed; recall
// against exact scoring is measured (`npm run bench:index`), not assumed.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Index, MetricKind, ScalarKind } from "usearch";
import type { ScoredItem } from "../types";
import { TopKHeap } from "./TopKHeap";

export interface HnswSettings {
  // Graph neighbours per node (HNSW's M).
  connectivity: number;
  // Candidate list while adding a node (efConstruction).
  expansionAdd: number;
  // Candidate list while searching (ef); a search for more than this many
  // items widens it to their number.
  expansionSearch: number;
}

// Measured on 100k × 64 iALS factors of a skewed synthetic catalog, seen
// items left out (recall@10 0.998, recall@100 0.971; connectivity 32 adds
// little for half as much again in size and build time: BENCHMARKS.md, ANN
// index) and on random factors with a popularity skew (recall@10 0.987).
export const HNSW_DEFAULTS: HnswSettings = { connectivity: 16, expansionAdd: 128, expansionSearch: 64 };

// Bytes of the saved index: each vector (float32) and its neighbour lists
// (38.6 MB for 100k × 64 at connectivity 16, about 4·dim + 10·connectivity
// a vector).
export function hnswSavedBytes(nItems: number, dim: number, settings: HnswSettings = HNSW_DEFAULTS): number {
  return nItems * (4 * dim + 10 * settings.connectivity);
}

// Memory a build holds at its peak: usearch's native index (RSS grew by
// 106-111 MB building 100k × 64, about three times the saved bytes) and the
// saved bytes read back.
export function hnswBuildBytes(nItems: number, dim: number, settings: HnswSettings = HNSW_DEFAULTS): number {
  return 4 * hnswSavedBytes(nItems, dim, settings);
}

export interface HnswIndex {
  readonly dim: number;
  readonly size: number;
  readonly settings: HnswSettings;
  readonly index: Index;
}

function createIndex(dim: number, s: HnswSettings): Index {
  return new Index({
    dimensions: dim,
    metric: MetricKind.IP,
    quantization: ScalarKind.F32,
    connectivity: s.connectivity,
    expansion_add: s.expansionAdd,
    expansion_search: s.expansionSearch,
    multi: false,
  });
}

// Runs `use` with the path of a file in a fresh temporary folder, removed after.
function withTempFile<T>(use: (file: string) => T): T {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "marquee-hnsw-"));
  try {
    return use(path.join(dir, "index.usearch"));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

// The index over `vectors` (nItems × dim, row-major; key = row) as the bytes
// usearch writes.
export function buildHnswBytes(vectors: Float32Array, nItems: number, dim: number, settings: HnswSettings = HNSW_DEFAULTS): Uint8Array {
  if (vectors.length !== nItems * dim) throw new Error(`buildHnswBytes: ${vectors.length} values for ${nItems} items of ${dim}`);
  const index = createIndex(dim, settings);
  if (nItems > 0) index.add(BigUint64Array.from({ length: nItems }, (_, i) => BigInt(i)), vectors, 1);
  return withTempFile((file) => {
    index.save(file);
    const bytes = fs.readFileSync(file);
    // Our own buffer: Node's may be a slice of a shared pool.
    return new Uint8Array(bytes);
  });
}

// Reads back what buildHnswBytes wrote; throws when the bytes do not hold
// `nItems` vectors of `dim`.
export function loadHnswIndex(bytes: Uint8Array, nItems: number, dim: number, settings: HnswSettings = HNSW_DEFAULTS): HnswIndex {
  const index = createIndex(dim, settings);
  withTempFile((file) => {
    fs.writeFileSync(file, bytes);
    index.load(file);
  });
  if (index.size() !== nItems || index.dimensions() !== dim) {
    throw new Error(`loadHnswIndex: the stored index holds ${index.size()} vectors of ${index.dimensions()}, not ${nItems} of ${dim}`);
  }
  return { dim, size: nItems, settings, index };
}

// Extra neighbours asked for beyond n and the items expected to be left out.
const MARGIN = 10;

// The `n` best items by inner product with `query` among those the graph
// search reaches, best first, leaving out items `skip` names; `expectSkipped`
// is how many of the best that may be (a history's length). usearch's
// JavaScript API has no filter: it is asked for n + expectSkipped + a margin
// neighbours, and again for twice as many while too few are left. The kept
// items are scored exactly against `vectors` (the index's own distances are
// float32 sums in another order), so an item's score is the one exact scoring
// gives it and ties break as there (lower item first).
export function searchHnsw(
  hnsw: HnswIndex,
  vectors: Float32Array,
  query: ArrayLike<number>,
  n: number,
  skip?: (item: number) => boolean,
  expectSkipped = 0,
): ScoredItem[] {
  const { dim, size, index } = hnsw;
  if (n <= 0 || size === 0) return [];
  const q = Float32Array.from(query);
  let want = Math.min(size, n + expectSkipped + MARGIN);
  for (;;) {
    const keys = index.search(q, want, 1).keys;
    const heap = new TopKHeap(n);
    let reached = 0;
    for (let r = 0; r < keys.length; r++) {
      const i = Number(keys[r]);
      // Fewer matches than asked come back padded with keys outside the index.
      if (!(i < size)) continue;
      reached++;
      if (skip?.(i)) continue;
      const o = i * dim;
      let s = 0;
      for (let f = 0; f < dim; f++) s += query[f] * vectors[o + f];
      // As a Float32Array of scores holds it: the same numbers as exact scoring.
      if (Number.isFinite(s)) heap.push(i, Math.fround(s));
    }
    if (heap.length >= n || reached < want || want >= size) return heap.sorted();
    want = Math.min(size, want * 2);
  }
}
