// Conjugate gradient for a symmetric positive definite system A x = b where A
// is only available as a matrix-vector product. Warm-started from the x given
// and stopped after `maxIterations` steps: Takács, Pilászy & Tikk (2011),
// "Applications of the conjugate gradient method for implicit feedback
// collaborative filtering", show 2-3 steps per ALS sweep suffice for iALS.

export type MatVec = (x: Float64Array, out: Float64Array) => void;

// Solves in place: `x` holds the starting point and receives the solution.
// Returns the number of iterations run.
export function conjugateGradient(
  multiply: MatVec,
  b: Float64Array,
  x: Float64Array,
  maxIterations: number,
  tolerance = 1e-10,
): number {
  const n = b.length;
  const r = new Float64Array(n);
  const p = new Float64Array(n);
  const ap = new Float64Array(n);
  multiply(x, ap);
  let rr = 0;
  for (let i = 0; i < n; i++) {
    r[i] = b[i] - ap[i];
    p[i] = r[i];
    rr += r[i] * r[i];
  }
  let it = 0;
  while (it < maxIterations && rr > tolerance) {
    multiply(p, ap);
    let pap = 0;
    for (let i = 0; i < n; i++) pap += p[i] * ap[i];
    if (!(pap > 0)) break;
    const alpha = rr / pap;
    let rrNew = 0;
    for (let i = 0; i < n; i++) {
      x[i] += alpha * p[i];
      r[i] -= alpha * ap[i];
      rrNew += r[i] * r[i];
    }
    const beta = rrNew / rr;
    for (let i = 0; i < n; i++) p[i] = r[i] + beta * p[i];
    rr = rrNew;
    it++;
  }
  return it;
}
