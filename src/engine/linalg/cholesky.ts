// Dense Cholesky factorisation of a symmetric positive definite matrix stored
// row-major in a Float64Array (n x n). Used for small k x k normal equations
// and for the item-item inverse in EASE^R (Steck 2019), where n is at most a
// few thousand.

// Factors `a` in place into its lower triangle L with A = L Lᵀ (the strict
// upper triangle is left untouched and must be ignored). Returns false when
// the matrix is not positive definite (a pivot <= 0), so callers can add
// regularisation instead of throwing.
export function choleskyInPlace(a: Float64Array, n: number): boolean {
  for (let j = 0; j < n; j++) {
    const rowJ = j * n;
    let d = a[rowJ + j];
    for (let k = 0; k < j; k++) d -= a[rowJ + k] * a[rowJ + k];
    if (!(d > 0)) return false;
    const ljj = Math.sqrt(d);
    a[rowJ + j] = ljj;
    const inv = 1 / ljj;
    for (let i = j + 1; i < n; i++) {
      const rowI = i * n;
      let s = a[rowI + j];
      for (let k = 0; k < j; k++) s -= a[rowI + k] * a[rowJ + k];
      a[rowI + j] = s * inv;
    }
  }
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
