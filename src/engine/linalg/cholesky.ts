// Dense Cholesky factorisation of a symmetric positive definite matrix stored
// row-major in a Float64Array (n x n). Used for small k x k normal equations
// and for the item-item inverse in EASE^R (Steck 2019), where n is at most a
// few thousand.

// Factors `a` in place into its lower triangle L with A = L Lᵀ (the strict
// upper triangle is left untouched and must be ignored). Returns false when
// the matrix is not positive definite (a pivot <= 0), so callers can add
// regularisation instead of throwing.
export function choleskyInPlace(a: Float64Array, n: number): boolean {
  for (let i = 0; i < n; i++) if (!choleskyRow(a, n, i)) return false;
  return true;
}

// Row i of L (Cholesky–Banachiewicz), from rows 0…i−1 of L already in place:
// L_ij = (A_ij − Σ_{k<j} L_ik L_jk) / L_jj, L_ii = √(A_ii − Σ_{k<i} L_ik²),
// each sum subtracted term by term in ascending k.
export function choleskyRow(a: Float64Array, n: number, i: number): boolean {
  const rowI = i * n;
  for (let j = 0; j < i; j++) {
    const rowJ = j * n;
    let s = a[rowI + j];
    for (let k = 0; k < j; k++) s -= a[rowI + k] * a[rowJ + k];
    a[rowI + j] = s * (1 / a[rowJ + j]);
  }
  let d = a[rowI + i];
  for (let k = 0; k < i; k++) d -= a[rowI + k] * a[rowI + k];
  if (!(d > 0)) return false;
  a[rowI + i] = Math.sqrt(d);
  return true;
}

// Solves L Lᵀ x = b given the factor from choleskyInPlace; b is overwritten with x.
export function choleskySolveInPlace(l: Float64Array, n: number, b: Float64Array): void {
  for (let i = 0; i < n; i++) {
    let s = b[i];
    const row = i * n;
    for (let k = 0; k < i; k++) s -= l[row + k] * b[k];
    b[i] = s / l[row + i];
  }
  for (let i = n - 1; i >= 0; i--) {
    let s = b[i];
    for (let k = i + 1; k < n; k++) s -= l[k * n + i] * b[k];
    b[i] = s / l[i * n + i];
  }
}

// The same factor by block columns [kb, ke) (right-looking), for threads
// (easeThreads.ts): choleskyPanelRow finishes row i's entries in the block
// (and its diagonal, for a row of the block), choleskyUpdateRow subtracts the
// block's terms from row i's entries to the right of it. Every entry still
// starts from A_ij and has its terms subtracted one by one in ascending k,
// so the factor is choleskyInPlace's bit for bit; the rows below a block are
// independent of each other in both steps.
export function choleskyPanelRow(a: Float64Array, n: number, i: number, kb: number, ke: number): boolean {
  const rowI = i * n;
  const top = Math.min(i, ke);
  for (let j = kb; j < top; j++) {
    const rowJ = j * n;
    let s = a[rowI + j];
    for (let k = kb; k < j; k++) s -= a[rowI + k] * a[rowJ + k];
    a[rowI + j] = s * (1 / a[rowJ + j]);
  }
  if (i >= ke) return true;
  let d = a[rowI + i];
  for (let k = kb; k < i; k++) d -= a[rowI + k] * a[rowI + k];
  if (!(d > 0)) return false;
  a[rowI + i] = Math.sqrt(d);
  return true;
}

export function choleskyUpdateRow(a: Float64Array, n: number, i: number, kb: number, ke: number): void {
  const rowI = i * n;
  for (let j = ke; j <= i; j++) {
    const rowJ = j * n;
    let s = a[rowI + j];
    for (let k = kb; k < ke; k++) s -= a[rowI + k] * a[rowJ + k];
    a[rowI + j] = s;
  }
}
