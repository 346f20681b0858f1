// Inverted dropout (Srivastava et al. 2014): each entry is kept with
// probability 1 − rate and scaled by 1/(1 − rate), so inference needs no
// rescaling. The mask is kept (0 or the scale) for the backward pass.
import type { Rng } from "../random";

export function dropoutForward(x: Float32Array, mask: Float32Array, length: number, rate: number, rng: Rng): void {
  if (rate <= 0) {
    mask.fill(1, 0, length);
    return;
  }
  const keep = 1 - rate;
  const scale = 1 / keep;
  for (let e = 0; e < length; e++) {
    const m = rng.next() < keep ? scale : 0;
    mask[e] = m;
    x[e] *= m;
  }
}

export function dropoutBackward(dx: Float32Array, mask: Float32Array, length: number): void {
  for (let e = 0; e < length; e++) dx[e] *= mask[e];
}
