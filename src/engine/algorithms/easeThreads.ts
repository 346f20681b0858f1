// EASE's fit on several threads (threadPool.ts), for catalogs of
// EASE_PARALLEL_MIN_ITEMS items or more: the Gram matrix by rows, its
// Cholesky factor by rows (a row waits for the rows it reads), L⁻¹ by
// columns, (L⁻¹)ᵀL⁻¹ by rows and B by rows, each step's pieces claimed in
// turn by the calling thread and threads − 1 workers over shared arrays.
// Every entry's arithmetic is the one-thread arithmetic (ease.ts,
// invertSpd.ts), so B is the one-thread B bit for bit.
import { choleskyRow } from "../linalg/cholesky";
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

const GRAM = 0;
const FACTOR = 1;
const INVERSE_FACTOR = 2;
const INVERSE = 3;
const WEIGHTS = 4;

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
  // Per row of L: 0 not yet, 1 in place, 2 not positive definite.
  rowState: Int32Array;
}

export function easePart(d: EaseThreadData, ctx: PartContext): void {
  const { n } = d;
  const pieces = (work: (from: number, to: number) => void) => {
    for (let c = ctx.claim(); c * CHUNK < n; c = ctx.claim()) work(c * CHUNK, Math.min(n, (c + 1) * CHUNK));
  };
  switch (ctx.step) {
    case GRAM:
      return pieces((from, to) => gramRows(d.byUser, d.byItem, d.g, n, d.lambda, from, to));
    case FACTOR: {
      const ready = (j: number): boolean => {
        for (let spins = 0; ; spins++) {
          const state = Atomics.load(d.rowState, j);
          if (state !== 0) return state === 1;
          if (ctx.failed()) return false;
          if (spins > 200) Atomics.wait(d.rowState, j, 0, 50);
        }
      };
      // Rows are claimed in order, so the lowest unfinished row reads only finished ones.
      for (let i = ctx.claim(); i < n; i = ctx.claim()) {
        const ok = choleskyRow(d.g, n, i, ready);
        Atomics.store(d.rowState, i, ok ? 1 : 2);
        Atomics.notify(d.rowState, i);
        if (!ok) return;
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
    rowState: sharedArray(Int32Array, n),
  };
  const pool = startThreadPool({ module: __filename, name: "easePart" }, data, threads);
  if (!pool) return undefined;
  try {
    // Progress by the steps' shares of the multiply-adds (the Gram's are few).
    const done = [0.2, 0.45, 0.7, 0.95, 1];
    for (const step of [GRAM, FACTOR, INVERSE_FACTOR, INVERSE, WEIGHTS]) {
      pool.run(step);
      if (step === FACTOR && data.rowState.some((s) => s !== 1)) return null;
      onProgress?.(done[step]);
    }
    return data.weights;
  } finally {
    pool.close();
  }
}
