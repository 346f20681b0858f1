import { choleskyInPlace, choleskySolveInPlace } from "../../../src/engine/linalg/cholesky";
import { conjugateGradient } from "../../../src/engine/linalg/conjugateGradient";

function spd(n: number): Float64Array {
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) {
      let s = i === j ? 1 : 0;
      for (let t = 0; t < n; t++) s += Math.cos(i * 3.1 + t) * Math.cos(j * 3.1 + t);
      a[i * n + j] = s;
    }
  return a;
}

describe("conjugateGradient", () => {
  const n = 6;
  const a = spd(n);
  const multiply = (x: Float64Array, out: Float64Array): void => {
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < n; j++) s += a[i * n + j] * x[j];
      out[i] = s;
    }
  };
  const b = Float64Array.from({ length: n }, (_, i) => i - 2);

  it("matches a direct Cholesky solve after n steps", () => {
    const direct = Float64Array.from(b);
    const l = Float64Array.from(a);
    choleskyInPlace(l, n);
    choleskySolveInPlace(l, n, direct);
    const x = new Float64Array(n);
    conjugateGradient(multiply, b, x, n);
    for (let i = 0; i < n; i++) expect(x[i]).toBeCloseTo(direct[i], 8);
  });

  it("does not move from the exact solution (warm start)", () => {
    const x = new Float64Array(n);
    conjugateGradient(multiply, b, x, n);
    const again = Float64Array.from(x);
    expect(conjugateGradient(multiply, b, again, 3)).toBe(0);
    expect(Array.from(again)).toEqual(Array.from(x));
  });

  // CG minimises ½xᵀAx − bᵀx over growing Krylov spaces, so this energy falls step by step.
  it("lowers the quadratic energy with each of a few steps", () => {
    const residual = (x: Float64Array): number => {
      const ax = new Float64Array(n);
      multiply(x, ax);
      return ax.reduce((s, v, i) => s + 0.5 * v * x[i] - b[i] * x[i], 0);
    };
    const one = new Float64Array(n);
    conjugateGradient(multiply, b, one, 1);
    const three = new Float64Array(n);
    conjugateGradient(multiply, b, three, 3);
    expect(residual(three)).toBeLessThan(residual(one));
    expect(residual(one)).toBeLessThan(residual(new Float64Array(n)));
  });
});
