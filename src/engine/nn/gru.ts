// A gated recurrent unit (Cho et al. 2014; the cuDNN/PyTorch form) run over
// sequences laid end to end, each from a zero state, as GRU4Rec (Hidasi et
// al. 2016) runs a session:
//   r = σ(x W_r + b_r + h U_r + c_r)
//   u = σ(x W_u + b_u + h U_u + c_u)
//   n = tanh(x W_n + b_n + r ⊙ (h U_n + c_n))
//   h' = (1 − u) ⊙ n + u ⊙ h
// The input half (x W + b, for all tokens at once) is a dense layer
// (linear.ts); this file runs the recurrent half, which must go token by
// token. W ∈ ℝ^{in×3H}, U ∈ ℝ^{H×3H}, gate order [r, u, n] in each row.

// What the forward pass keeps per token for the backward pass (T × H each,
// gh T × 3H: h U + c).
export interface GruTrace {
  readonly r: Float32Array;
  readonly u: Float32Array;
  readonly n: Float32Array;
  readonly ghn: Float32Array;
  readonly h: Float32Array;
}

export function gruTrace(tokens: number, hidden: number): GruTrace {
  const a = () => new Float32Array(tokens * hidden);
  return { r: a(), u: a(), n: a(), ghn: a(), h: a() };
}

const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

// gx: the input half for every token (T × 3H, from linearForward). Fills
// trace.h with each token's output state.
export function gruForward(
  gx: Float32Array,
  uw: Float32Array,
  ub: Float32Array,
  trace: GruTrace,
  offsets: Int32Array,
  sequences: number,
  hidden: number,
): void {
  const H = hidden;
  const H3 = 3 * H;
  const gh = new Float32Array(H3);
  const { r, u, n, ghn, h } = trace;
  for (let s = 0; s < sequences; s++) {
    for (let t = offsets[s]; t < offsets[s + 1]; t++) {
      const prev = t - 1;
      const first = t === offsets[s];
      // gh = h_prev U + c (the bias alone from a zero state).
      for (let g = 0; g < H3; g++) gh[g] = ub[g];
      if (!first) {
        for (let j = 0; j < H; j++) {
          const hj = h[prev * H + j];
          const o = j * H3;
          for (let g = 0; g < H3; g++) gh[g] += hj * uw[o + g];
        }
      }
      const xo = t * H3;
      const to = t * H;
      for (let j = 0; j < H; j++) {
        const rj = sigmoid(gx[xo + j] + gh[j]);
        const uj = sigmoid(gx[xo + H + j] + gh[H + j]);
        const nj = Math.tanh(gx[xo + 2 * H + j] + rj * gh[2 * H + j]);
        const hp = first ? 0 : h[prev * H + j];
        r[to + j] = rj;
        u[to + j] = uj;
        n[to + j] = nj;
        ghn[to + j] = gh[2 * H + j];
        h[to + j] = (1 - uj) * nj + uj * hp;
      }
    }
  }
}

// From d loss/d h' of every token (dh, consumed: it receives the gradient
// carried back through time), into dgx (T × 3H, d loss/d input half, for
// linearBackward) and dU, dc (added to).
export function gruBackward(
  dh: Float32Array,
  uw: Float32Array,
  trace: GruTrace,
  dgx: Float32Array,
  duw: Float32Array,
  dub: Float32Array,
  offsets: Int32Array,
  sequences: number,
  hidden: number,
): void {
  const H = hidden;
  const H3 = 3 * H;
  const dgh = new Float32Array(H3);
  const { r, u, n, ghn, h } = trace;
  for (let s = 0; s < sequences; s++) {
    for (let t = offsets[s + 1] - 1; t >= offsets[s]; t--) {
      const first = t === offsets[s];
      const to = t * H;
      const po = (t - 1) * H;
      const xo = t * H3;
      for (let j = 0; j < H; j++) {
        const d = dh[to + j];
        const rj = r[to + j];
        const uj = u[to + j];
        const nj = n[to + j];
        const hp = first ? 0 : h[po + j];
        const dnPre = d * (1 - uj) * (1 - nj * nj);
        const duPre = d * (hp - nj) * uj * (1 - uj);
        const drPre = dnPre * ghn[to + j] * rj * (1 - rj);
        dgx[xo + j] = drPre;
        dgx[xo + H + j] = duPre;
        dgx[xo + 2 * H + j] = dnPre;
        dgh[j] = drPre;
        dgh[H + j] = duPre;
        dgh[2 * H + j] = dnPre * rj;
        if (!first) dh[po + j] += d * uj;
      }
      for (let g = 0; g < H3; g++) dub[g] += dgh[g];
      if (first) continue;
      // dU += h_prevᵀ dgh; dh_prev += dgh Uᵀ.
      for (let j = 0; j < H; j++) {
        const hj = h[po + j];
        const o = j * H3;
        let sum = 0;
        for (let g = 0; g < H3; g++) {
          duw[o + g] += hj * dgh[g];
          sum += uw[o + g] * dgh[g];
        }
        dh[po + j] += sum;
      }
    }
  }
}
