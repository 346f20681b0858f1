// Next-item cross-entropy over the WHOLE catalog at every position:
//   z_t = h_t Wᵀ + c  (W the item embeddings, I × d, c a bias per item)
//   loss = s · Σ_t −log softmax(z_t)[y_t]
// Klenitskiy & Vasilev (2023, "Turning Dross Into Gold Loss: is BERT4Rec
// really better than SASRec?") and Petrov & Macdonald (2023, gSASRec) find
// this loss far ahead of SASRec's original one sampled negative per position.
//
// The logits of a batch (tokens × items) would not fit in memory at once, so
// rows go through in chunks (CHUNK rows of logits at a time), each fused:
// logits, softmax, loss, d loss/d z in place, then the two products back.
// The weights are taken transposed (Wᵀ, d × I, a row per hidden unit) so both
// products run over contiguous rows of length I, as the Mult-DAE output layer
// (algorithms/multDaeNetwork.ts): two rows and four hidden units per pass
// forward, four rows per pass backward. This layer is where the time goes: 3·T·d·I
// multiply-adds for T tokens.
export const SOFTMAX_CHUNK = 32;

// z = h Wᵀ + c for `rows` rows of h starting at row `from`, into z (rows × n):
// two rows per pass, so each element of Wᵀ read serves both.
export function catalogLogits(
  h: Float32Array,
  from: number,
  rows: number,
  wt: Float32Array,
  bias: Float32Array,
  z: Float32Array,
  dim: number,
  n: number,
): void {
  let r = 0;
  for (; r + 1 < rows; r += 2) {
    const ha = (from + r) * dim;
    const hb = ha + dim;
    const oa = r * n;
    const ob = oa + n;
    for (let i = 0; i < n; i++) {
      z[oa + i] = bias[i];
      z[ob + i] = bias[i];
    }
    let f = 0;
    for (; f + 3 < dim; f += 4) {
      const a0 = h[ha + f];
      const a1 = h[ha + f + 1];
      const a2 = h[ha + f + 2];
      const a3 = h[ha + f + 3];
      const c0 = h[hb + f];
      const c1 = h[hb + f + 1];
      const c2 = h[hb + f + 2];
      const c3 = h[hb + f + 3];
      const o0 = f * n;
      const o1 = o0 + n;
      const o2 = o1 + n;
      const o3 = o2 + n;
      for (let i = 0; i < n; i++) {
        const w0 = wt[o0 + i];
        const w1 = wt[o1 + i];
        const w2 = wt[o2 + i];
        const w3 = wt[o3 + i];
        z[oa + i] += a0 * w0 + a1 * w1 + a2 * w2 + a3 * w3;
        z[ob + i] += c0 * w0 + c1 * w1 + c2 * w2 + c3 * w3;
      }
    }
    for (; f < dim; f++) {
      const a = h[ha + f];
      const c = h[hb + f];
      const o = f * n;
      for (let i = 0; i < n; i++) {
        z[oa + i] += a * wt[o + i];
        z[ob + i] += c * wt[o + i];
      }
    }
  }
  for (; r < rows; r++) {
    const hb = (from + r) * dim;
    const ob = r * n;
    for (let i = 0; i < n; i++) z[ob + i] = bias[i];
    for (let f = 0; f < dim; f++) {
      const hf = h[hb + f];
      const o = f * n;
      for (let i = 0; i < n; i++) z[ob + i] += hf * wt[o + i];
    }
  }
}

// Loss and gradients of the rows of h with a target (targets[t] ≥ 0; −1 for
// none): dh (overwritten for every row, zero where there is no target),
// dWᵀ and dc added to. `z` is scratch of SOFTMAX_CHUNK × n floats.
export function fullSoftmaxCrossEntropy(
  h: Float32Array,
  targets: Int32Array,
  rows: number,
  wt: Float32Array,
  bias: Float32Array,
  dh: Float32Array,
  dwt: Float32Array,
  dbias: Float32Array,
  z: Float32Array,
  dim: number,
  n: number,
  scale: number,
): number {
  let loss = 0;
  dh.fill(0, 0, rows * dim);
  // Rows with a target, gathered into chunks.
  const chunk = new Int32Array(SOFTMAX_CHUNK);
  const packed = new Float32Array(SOFTMAX_CHUNK * dim);
  const packedGrad = new Float32Array(SOFTMAX_CHUNK * dim);
  let t = 0;
  while (t < rows) {
    let c = 0;
    for (; t < rows && c < SOFTMAX_CHUNK; t++) {
      if (targets[t] < 0) continue;
      chunk[c] = t;
      packed.set(h.subarray(t * dim, (t + 1) * dim), c * dim);
      c++;
    }
    if (c === 0) break;
    catalogLogits(packed, 0, c, wt, bias, z, dim, n);
    for (let r = 0; r < c; r++) {
      const ob = r * n;
      const y = targets[chunk[r]];
      const zy = z[ob + y];
      let max = Number.NEGATIVE_INFINITY;
      for (let i = 0; i < n; i++) if (z[ob + i] > max) max = z[ob + i];
      let sum = 0;
      for (let i = 0; i < n; i++) {
        const e = Math.exp(z[ob + i] - max);
        z[ob + i] = e;
        sum += e;
      }
      loss += scale * (max + Math.log(sum) - zy);
      // d/dz of −log softmax(z)[y] = softmax(z) − onehot(y), times the scale.
      const k = scale / sum;
      for (let i = 0; i < n; i++) z[ob + i] *= k;
      z[ob + y] -= scale;
    }
    for (let i = 0; i < n; i++) {
      let g = 0;
      for (let r = 0; r < c; r++) g += z[r * n + i];
      dbias[i] += g;
    }
    // dWᵀ[f] += Σ_r h_rf dz_r and dh_rf = Wᵀ[f]·dz_r, fused: four rows per pass over a row of Wᵀ.
    for (let f = 0; f < dim; f++) {
      const o = f * n;
      let r = 0;
      for (; r + 3 < c; r += 4) {
        const d0 = r * n;
        const d1 = d0 + n;
        const d2 = d1 + n;
        const d3 = d2 + n;
        const a0 = packed[r * dim + f];
        const a1 = packed[(r + 1) * dim + f];
        const a2 = packed[(r + 2) * dim + f];
        const a3 = packed[(r + 3) * dim + f];
        let s0 = 0;
        let s1 = 0;
        let s2 = 0;
        let s3 = 0;
        for (let i = 0; i < n; i++) {
          const x0 = z[d0 + i];
          const x1 = z[d1 + i];
          const x2 = z[d2 + i];
          const x3 = z[d3 + i];
          const w = wt[o + i];
          dwt[o + i] += a0 * x0 + a1 * x1 + a2 * x2 + a3 * x3;
          s0 += w * x0;
          s1 += w * x1;
          s2 += w * x2;
          s3 += w * x3;
        }
        packedGrad[r * dim + f] = s0;
        packedGrad[(r + 1) * dim + f] = s1;
        packedGrad[(r + 2) * dim + f] = s2;
        packedGrad[(r + 3) * dim + f] = s3;
      }
      for (; r < c; r++) {
        const d0 = r * n;
        const a0 = packed[r * dim + f];
        let s0 = 0;
        for (let i = 0; i < n; i++) {
          const x0 = z[d0 + i];
          dwt[o + i] += a0 * x0;
          s0 += wt[o + i] * x0;
        }
        packedGrad[r * dim + f] = s0;
      }
    }
    for (let r = 0; r < c; r++) dh.set(packedGrad.subarray(r * dim, (r + 1) * dim), chunk[r] * dim);
  }
  return loss;
}
