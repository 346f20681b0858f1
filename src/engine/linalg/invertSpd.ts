import { choleskyInPlace } from "./cholesky";

// Inverse of a symmetric positive definite matrix (row-major Float64Array,
// n x n) via Cholesky: A = L Lᵀ, A⁻¹ = L⁻ᵀ L⁻¹. O(n³) with cache-friendly
// row access; 1682 items take a few seconds. Returns undefined when the
// matrix is not positive definite. Only A's lower triangle is read.
//
// The two passes after the factor work on independent column (W = L⁻¹) and
// row (WᵀW) ranges, each entry summed in the same order whatever the ranges,
// so threads that take ranges (easeThreads.ts) give this inverse bit for bit.
export function invertSpd(matrix: Float64Array, n: number): Float64Array | undefined {
  const l = Float64Array.from(matrix);
  if (!choleskyInPlace(l, n)) return undefined;
  const w = new Float64Array(n * n);
  lowerInverseColumns(l, w, n, 0, n);
  const inv = new Float64Array(n * n);
  gramOfInverseRows(w, inv, n, 0, n);
  return inv;
}

// Columns [j0, j1) of W = L⁻¹ (lower triangular) into `w`:
// W[i][j] = -(Σ_{k=j}^{i-1} L[i][k] W[k][j]) / L[i][i], accumulated by k for row access.
export function lowerInverseColumns(l: Float64Array, w: Float64Array, n: number, j0: number, j1: number): void {
  const acc = new Float64Array(j1 - j0);
  for (let i = j0; i < n; i++) {
    const rowI = i * n;
    const lii = l[rowI + i];
    const top = Math.min(i, j1);
    acc.fill(0, 0, top - j0);
    for (let k = j0; k < i; k++) {
      const lik = l[rowI + k];
      if (lik === 0) continue;
      const rowK = k * n;
      const end = Math.min(k, j1 - 1);
      for (let j = j0; j <= end; j++) acc[j - j0] += lik * w[rowK + j];
    }
    for (let j = j0; j < top; j++) w[rowI + j] = -acc[j - j0] / lii;
    if (i < j1) w[rowI + i] = 1 / lii;
  }
}

// Rows [a0, a1) of A⁻¹ = Wᵀ W: (A⁻¹)[a][b] = Σ_{k >= max(a,b)} W[k][a] W[k][b],
// into `inv` (zeroed), both triangles.
export function gramOfInverseRows(w: Float64Array, inv: Float64Array, n: number, a0: number, a1: number): void {
  for (let k = a0; k < n; k++) {
    const rowK = k * n;
    const end = Math.min(k, a1 - 1);
    for (let a = a0; a <= end; a++) {
      const wka = w[rowK + a];
      if (wka === 0) continue;
      const rowA = a * n;
      for (let b = 0; b <= a; b++) inv[rowA + b] += wka * w[rowK + b];
    }
  }
  for (let a = a0; a < a1; a++) for (let b = 0; b < a; b++) inv[b * n + a] = inv[a * n + b];
}
