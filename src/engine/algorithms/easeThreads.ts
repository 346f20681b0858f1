// EASE's fit on several threads (threadPool.ts), for catalogs of
// EASE_PARALLEL_MIN_ITEMS items or more: the Gram matrix by rows, its
// Cholesky factor by block columns (the calling thread factors each diagonal
// block, then the rows below it are finished and updated by all), L⁻¹ by
// columns, (L⁻¹)ᵀL⁻¹ by rows and B by rows, each step's pieces claimed in
// turn by the calling thread and threads − 1 workers over shared arrays.
// Every entry's arithmetic is the one-thread arithmetic (ease.ts,
// invertSpd.ts, cholesky.ts), so B is the one-thread B bit for bit.
import { choleskyPanelRow, choleskyUpdateRow } from "../linalg/cholesky";
import { gramOfInverseRows, lowerInverseColumns } from "../linalg/invertSpd";
import { sharedArray, sharedCopy, startThreadPool, type PartContext } from "../threads/threadPool";
import { transpose, type CsrMatrix } from "../data/CsrMatrix";
import { easeWeightRows, gramRows } from "./easeSolve";

// From this many items the fit runs on FitOptions.threads threads: the
// inverse's n³/2 multiply-adds take over a second from here, against a
// quarter of a second to start the workers from sources.
export const EASE_PARALLEL_MIN_ITEMS = 1000;

// Rows (or columns) per claimed piece.
const CHUNK = 32;
// Columns per block of the factor: each block costs two steps' waits.
const BLOCK = 64;

const GRAM = 0;
const PANEL = 1;
const UPDATE = 2;
const INVERSE_FACTOR = 3;
const INVERSE = 4;
const WEIGHTS = 5;

export interface EaseThreadData {
  n: number;
  lambda: number;
  byUser: Pick<CsrMatrix, "indptr" | "indices">;
  byItem: Pick<CsrMatrix, "indptr" | "indices">;
  // G = XᵀX + λI, factored in place into L.
  g: Float64Array;
  w: Float64Array;
  inv: Float64Array;
  weights: Float32Array;
  // The factor's current block of columns: [block[0], block[1]).
  block: Int32Array;
}

export function easePart(d: EaseThreadData, ctx: PartContext): void {
  const { n } = d;
  const pieces = (work: (from: number, to: number) => void) => {
    for (let c = ctx.claim(); c * CHUNK < n; c = ctx.claim()) work(c * CHUNK, Math.min(n, (c + 1) * CHUNK));
  };
  switch (ctx.step) {
    case GRAM:
      return pieces((from, to) => gramRows(d.byUser, d.byItem, d.g, n, d.lambda, from, to));
    case PANEL:
    case UPDATE: {
      const [kb, ke] = [d.block[0], d.block[1]];
      // Rows below the block; an update costs more the further down its row, so those go first.
      for (let c = ctx.claim(); ke + c * CHUNK < n; c = ctx.claim()) {
        const from = ctx.step === PANEL ? ke + c * CHUNK : Math.max(ke, n - (c + 1) * CHUNK);
        const to = ctx.step === PANEL ? Math.min(n, from + CHUNK) : n - c * CHUNK;
        for (let i = from; i < to; i++) {
          if (ctx.step === PANEL) choleskyPanelRow(d.g, n, i, kb, ke);
          else choleskyUpdateRow(d.g, n, i, kb, ke);
        }
      }
      return;
    }
    case INVERSE_FACTOR:
      return pieces((from, to) => lowerInverseColumns(d.g, d.w, n, from, to));
    case INVERSE:
      return pieces((from, to) => gramOfInverseRows(d.w, d.inv, n, from, to));
    case WEIGHTS:
      return pieces((from, to) => easeWeightRows(d.inv, d.weights, n, from, to));
  }
}

// B on `threads` threads; undefined when the workers do not start, null when
// XᵀX + λI is not positive definite.
export function easeWeightsOnThreads(ratings: CsrMatrix, n: number, lambda: number, threads: number, onProgress?: (fraction: number) => void): Float32Array | null | undefined {
  const byItem = transpose(ratings);
  const data: EaseThreadData = {
    n,
    lambda,
    byUser: { indptr: sharedCopy(ratings.indptr), indices: sharedCopy(ratings.indices) },
    byItem: { indptr: sharedCopy(byItem.indptr), indices: sharedCopy(byItem.indices) },
    g: sharedArray(Float64Array, n * n),
    w: sharedArray(Float64Array, n * n),
    inv: sharedArray(Float64Array, n * n),
    weights: sharedArray(Float32Array, n * n),
    block: sharedArray(Int32Array, 2),
  };
  const pool = startThreadPool({ module: __filename, name: "easePart" }, data, threads);
  if (!pool) return undefined;
  try {
    pool.run(GRAM);
    onProgress?.(0.2);
    for (let kb = 0; kb < n; kb += BLOCK) {
      const ke = Math.min(n, kb + BLOCK);
      for (let i = kb; i < ke; i++) if (!choleskyPanelRow(data.g, n, i, kb, ke)) return null;
      if (ke === n) break;
      data.block.set([kb, ke]);
      pool.run(PANEL);
      pool.run(UPDATE);
    }
    onProgress?.(0.45);
    pool.run(INVERSE_FACTOR);
    onProgress?.(0.7);
    pool.run(INVERSE);
    onProgress?.(0.95);
    pool.run(WEIGHTS);
    return data.weights;
  } finally {
    pool.close();
  }
}
