// Inverted dropout (Srivastava et al. 2014): each entry is kept with
// probability 1 − rate and scaled by 1/(1 − rate), so inference needs no
// rescaling. The mask is kept (0 or the scale) for the backward pass.
import type { Rng } from "../random";

// Dropout over the rows of sequences laid end to end (sequence s is rows
// offsets[s] .. offsets[s + 1], each `width` wide), sequence s drawing from
// rngs[s]: a sequence's masks do not depend on what else is in its batch.
export function dropoutRows(x: Float32Array, mask: Float32Array, offsets: Int32Array, rngs: readonly Rng[], width: number, rate: number): void {
  const keep = 1 - rate;
  const scale = 1 / keep;
  for (let s = 0; s < rngs.length; s++) {
    const rng = rngs[s];
    for (let e = offsets[s] * width; e < offsets[s + 1] * width; e++) {
      const m = rng.next() < keep ? scale : 0;
      mask[e] = m;
      x[e] *= m;
    }
  }
}

export function dropoutBackward(dx: Float32Array, mask: Float32Array, length: number): void {
  for (let e = 0; e < length; e++) dx[e] *= mask[e];
}
