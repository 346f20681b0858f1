// iALS's half-step on a range of rows, shared by the fit on one thread
// (ials.ts) and its worker threads (ialsWorker.ts): each row's solve reads
// only the fixed side and the shared YᵀY, so rows split across threads give
// bit for bit the factors one thread gives.
import { conjugateGradient } from "../linalg/conjugateGradient";

export interface SolveParams {
  regularization: number;
  alpha: number;
  cgSteps: number;
  // λ·n⁺ per row (n⁺ its positive entries) instead of λ: ALS-WR, as Spark's ALS (see ials.ts).
  weightedRegularization?: boolean;
}

// A CSR matrix's arrays (rows re-solved; columns index the fixed side).
export interface CsrArrays {
  indptr: Int32Array;
  indices: Int32Array;
  values: Float32Array;
}

// YᵀY (k x k, both triangles) of the nY x k row-major factors y.
export function gramOf(y: Float32Array | Float64Array, nY: number, k: number, out: Float64Array = new Float64Array(k * k)): Float64Array {
  const gram = out;
  gram.fill(0);
  for (let r = 0; r < nY; r++) {
    const o = r * k;
    for (let a = 0; a < k; a++) {
      const ya = y[o + a];
      if (ya === 0) continue;
      for (let b = 0; b <= a; b++) gram[a * k + b] += ya * y[o + b];
    }
  }
  for (let a = 0; a < k; a++) for (let b = 0; b < a; b++) gram[b * k + a] = gram[a * k + b];
  return gram;
}

// Re-solves rows [from, to) of `x` against fixed `y` with YᵀY = `gram`.
export function solveRows(m: CsrArrays, x: Float64Array, y: Float64Array, gram: Float64Array, k: number, p: SolveParams, from: number, to: number): void {
  const rhs = new Float64Array(k);
  const xr = new Float64Array(k);
  const { indptr, indices, values } = m;
  let rowStart = 0;
  let rowEnd = 0;
  let lambda = p.regularization;
  const multiply = (v: Float64Array, out: Float64Array): void => {
    for (let a = 0; a < k; a++) {
      let s = lambda * v[a];
      const ga = a * k;
      for (let b = 0; b < k; b++) s += gram[ga + b] * v[b];
      out[a] = s;
    }
    for (let e = rowStart; e < rowEnd; e++) {
      const o = indices[e] * k;
      let dot = 0;
      for (let f = 0; f < k; f++) dot += y[o + f] * v[f];
      const w = p.alpha * Math.abs(values[e]) * dot;
      for (let f = 0; f < k; f++) out[f] += w * y[o + f];
    }
  };
  for (let r = from; r < to; r++) {
    rowStart = indptr[r];
    rowEnd = indptr[r + 1];
    const xo = r * k;
    if (rowStart === rowEnd) {
      x.fill(0, xo, xo + k);
      continue;
    }
    rhs.fill(0);
    let positives = 0;
    for (let e = rowStart; e < rowEnd; e++) {
      if (!(values[e] > 0)) continue; // p_ui = 0
      positives++;
      const o = indices[e] * k;
      const c = 1 + p.alpha * values[e];
      for (let f = 0; f < k; f++) rhs[f] += c * y[o + f];
    }
    if (p.weightedRegularization) {
      // λ·0 would leave the system unregularised, and its right side is 0: the factor is 0.
      if (positives === 0) {
        x.fill(0, xo, xo + k);
        continue;
      }
      lambda = p.regularization * positives;
    }
    for (let f = 0; f < k; f++) xr[f] = x[xo + f];
    conjugateGradient(multiply, rhs, xr, p.cgSteps);
    for (let f = 0; f < k; f++) x[xo + f] = xr[f];
  }
}

// Splits rows [0, nRows) into `parts` ranges of about equal work (a row costs
// its entries plus a fixed k² term, in units of entries), as boundaries.
export function balancedRanges(indptr: Int32Array, parts: number, rowCost: number): Int32Array {
  const nRows = indptr.length - 1;
  const total = indptr[nRows] + nRows * rowCost;
  const bounds = new Int32Array(parts + 1);
  let r = 0;
  for (let t = 1; t < parts; t++) {
    const target = (total * t) / parts;
    while (r < nRows && indptr[r] + r * rowCost < target) r++;
    bounds[t] = r;
  }
  bounds[parts] = nRows;
  return bounds;
}
