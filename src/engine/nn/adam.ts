// Adam (Kingma & Ba 2015, algorithm 1) over one flat float32 parameter
// vector: the sequence models keep every weight in a single Float32Array
// (sequenceParameters.ts), so one loop updates them all, a worker thread can
// share them as one SharedArrayBuffer, and serialising is one copy.
export interface AdamState {
  readonly m: Float32Array;
  readonly v: Float32Array;
  step: number;
}

export function adamState(size: number): AdamState {
  return { m: new Float32Array(size), v: new Float32Array(size), step: 0 };
}

// One step (β₁ 0.9, β₂ 0.999, ε 1e-8, the paper's defaults) on `grad`, with
// an L2 term `decay`·w added to the gradient of the entries in [decayFrom, decayTo).
export function adamStep(
  params: Float32Array,
  grad: Float32Array,
  state: AdamState,
  lr: number,
  decay = 0,
  decayFrom = 0,
  decayTo = 0,
): void {
  const b1 = 0.9;
  const b2 = 0.999;
  state.step++;
  const c1 = 1 / (1 - Math.pow(b1, state.step));
  const c2 = 1 / (1 - Math.pow(b2, state.step));
  const { m, v } = state;
  for (let x = 0; x < params.length; x++) {
    const g = decay !== 0 && x >= decayFrom && x < decayTo ? grad[x] + decay * params[x] : grad[x];
    const mx = b1 * m[x] + (1 - b1) * g;
    const vx = b2 * v[x] + (1 - b2) * g * g;
    m[x] = mx;
    v[x] = vx;
    params[x] -= (lr * mx * c1) / (Math.sqrt(vx * c2) + 1e-8);
  }
}
