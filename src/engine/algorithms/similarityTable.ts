// The similarities a kNN model reads, in one of two forms: the dense n x n
// matrix right after fitting, or each row's K most similar positive entries
// (what is stored: a 9,000-item dense matrix is 324 MB, its top-100 lists
// 7 MB). Every reader of a kNN model uses positive similarities only, and
// the k <= K best of a row, so answers from the lists equal the dense ones
// whenever the K stored neighbours cover those a prediction uses.
import { TopKHeap } from "../recommender/TopKHeap";
import type { ScoredItem } from "../types";
import { neighboursOf } from "../similarity/topKNeighbours";

// Row x's entries are indices/values[indptr[x], indptr[x + 1]), columns ascending.
export interface SparseRows {
  readonly indptr: Int32Array;
  readonly indices: Int32Array;
  readonly values: Float32Array;
}

export interface SimilarityTable {
  readonly n: number;
  // Row-major n x n, when the table is dense.
  readonly dense?: Float32Array;
  get(x: number, y: number): number;
  // The k most similar others of x with a positive similarity, best first
  // (ties to the lower index, so both forms agree).
  neighbours(x: number, k: number): ScoredItem[];
}

export function denseTable(sim: Float32Array, n: number): SimilarityTable {
  return {
    n,
    dense: sim,
    get: (x, y) => sim[x * n + y],
    neighbours: (x, k) => neighboursOf(sim, n, x, k),
  };
}

export function sparseTable(rows: SparseRows, n: number): SimilarityTable {
  const { indptr, indices, values } = rows;
  return {
    n,
    get(x, y) {
      let lo = indptr[x];
      let hi = indptr[x + 1] - 1;
      while (lo <= hi) {
        const mid = (lo + hi) >>> 1;
        const c = indices[mid];
        if (c === y) return values[mid];
        if (c < y) lo = mid + 1;
        else hi = mid - 1;
      }
      return 0;
    },
    neighbours(x, k) {
      const heap = new TopKHeap(Math.min(k, n));
      for (let e = indptr[x]; e < indptr[x + 1]; e++) if (indices[e] !== x && values[e] > 0) heap.push(indices[e], values[e]);
      return heap.sorted();
    },
  };
}

// Each row's K best positive neighbours, columns ascending.
export function topKRows(table: SimilarityTable, K: number): SparseRows {
  const indptr = new Int32Array(table.n + 1);
  const cols: number[] = [];
  const vals: number[] = [];
  for (let x = 0; x < table.n; x++) {
    const list = table.neighbours(x, K).sort((a, b) => a.item - b.item);
    for (const nb of list) {
      cols.push(nb.item);
      vals.push(nb.score);
    }
    indptr[x + 1] = cols.length;
  }
  return { indptr, indices: Int32Array.from(cols), values: Float32Array.from(vals) };
}
