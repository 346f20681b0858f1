// Central finite differences against a hand-written gradient: the support
// of the gradient tests. Kernels compute in float32, so the step is large
// (1e-2) and the tolerance relative to the gradient's scale.
import { createRng } from "../../../src/engine/random";

export function randomArray(length: number, seed: number, scale = 1): Float32Array {
  const rng = createRng(seed);
  const a = new Float32Array(length);
  for (let x = 0; x < length; x++) a[x] = scale * (2 * rng.next() - 1);
  return a;
}

// The largest |analytic − numeric| over every entry of `param`, relative to
// the largest |numeric| (so a vanishing gradient cannot pass by accident).
export function gradientError(loss: () => number, param: Float32Array, analytic: Float32Array, eps = 1e-2): { error: number; scale: number } {
  let worst = 0;
  let scale = 0;
  for (let x = 0; x < param.length; x++) {
    const keep = param[x];
    param[x] = keep + eps;
    const up = loss();
    param[x] = keep - eps;
    const down = loss();
    param[x] = keep;
    const numeric = (up - down) / (2 * eps);
    worst = Math.max(worst, Math.abs(numeric - analytic[x]));
    scale = Math.max(scale, Math.abs(numeric));
  }
  return { error: worst / Math.max(scale, 1e-6), scale };
}

// Σ r ⊙ y in float64: a scalar loss whose gradient with respect to y is r.
export function project(y: Float32Array, r: Float32Array, length = r.length): number {
  let s = 0;
  for (let x = 0; x < length; x++) s += y[x] * r[x];
  return s;
}
