// EASE's steps that work on ranges of rows, shared by the fit on one thread
// (ease.ts) and its worker threads (easeThreads.ts).
import type { CsrMatrix } from "../data/CsrMatrix";

// Rows [from, to) of G = XᵀX + λI's lower triangle, for binary X (users'
// rows `byUser`, its transpose `byItem`): G_ij counts the users with both i
// and j; row i is summed over the users of item i, up to i in each one's row.
export function gramRows(byUser: Pick<CsrMatrix, "indptr" | "indices">, byItem: Pick<CsrMatrix, "indptr" | "indices">, g: Float64Array, n: number, lambda: number, from: number, to: number): void {
  const { indptr, indices } = byUser;
  for (let i = from; i < to; i++) {
    const row = i * n;
    for (let e = byItem.indptr[i]; e < byItem.indptr[i + 1]; e++) {
      const u = byItem.indices[e];
      for (let b = indptr[u]; b < indptr[u + 1] && indices[b] <= i; b++) g[row + indices[b]] += 1;
    }
    g[row + i] += lambda;
  }
}

// Rows [from, to) of B from P = G⁻¹: B_ij = −P_ij / P_jj off the diagonal (Steck eq. 8).
export function easeWeightRows(p: Float64Array, w: Float32Array, n: number, from: number, to: number): void {
  for (let i = from; i < to; i++) {
    for (let j = 0; j < n; j++) if (i !== j) w[i * n + j] = -p[i * n + j] / p[j * n + j];
  }
}
