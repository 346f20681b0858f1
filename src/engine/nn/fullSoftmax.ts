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
// (algorithms/multDaeNetwork.ts), blocked so each value loaded serves four
// multiply-adds. This layer is where the time goes: 3·T·d·I
// multiply-adds for T tokens.
export const SOFTMAX_CHUNK = 32;

// z = h Wᵀ + c for `rows` rows of h starting at row `from`, into z (rows × n):
// four rows and four hidden units per pass, so each element of Wᵀ read
// serves four rows and each z element is loaded and stored once per sixteen
// multiply-adds (a fifth faster than two rows per pass here).
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
  for (; r + 3 < rows; r += 4) {
    const h0 = (from + r) * dim;
    const h1 = h0 + dim;
    const h2 = h1 + dim;
    const h3 = h2 + dim;
    const z0 = r * n;
    const z1 = z0 + n;
    const z2 = z1 + n;
    const z3 = z2 + n;
    for (let i = 0; i < n; i++) {
      const c = bias[i];
      z[z0 + i] = c;
      z[z1 + i] = c;
      z[z2 + i] = c;
      z[z3 + i] = c;
    }
    let f = 0;
    for (; f + 3 < dim; f += 4) {
      const a0 = h[h0 + f];
      const a1 = h[h0 + f + 1];
      const a2 = h[h0 + f + 2];
      const a3 = h[h0 + f + 3];
      const b0 = h[h1 + f];
      const b1 = h[h1 + f + 1];
      const b2 = h[h1 + f + 2];
      const b3 = h[h1 + f + 3];
      const c0 = h[h2 + f];
      const c1 = h[h2 + f + 1];
      const c2 = h[h2 + f + 2];
      const c3 = h[h2 + f + 3];
      const e0 = h[h3 + f];
      const e1 = h[h3 + f + 1];
      const e2 = h[h3 + f + 2];
      const e3 = h[h3 + f + 3];
      const o0 = f * n;
      const o1 = o0 + n;
      const o2 = o1 + n;
      const o3 = o2 + n;
      for (let i = 0; i < n; i++) {
        const w0 = wt[o0 + i];
        const w1 = wt[o1 + i];
        const w2 = wt[o2 + i];
        const w3 = wt[o3 + i];
        z[z0 + i] += a0 * w0 + a1 * w1 + a2 * w2 + a3 * w3;
        z[z1 + i] += b0 * w0 + b1 * w1 + b2 * w2 + b3 * w3;
        z[z2 + i] += c0 * w0 + c1 * w1 + c2 * w2 + c3 * w3;
        z[z3 + i] += e0 * w0 + e1 * w1 + e2 * w2 + e3 * w3;
      }
    }
    for (; f < dim; f++) {
      const a = h[h0 + f];
      const b = h[h1 + f];
      const c = h[h2 + f];
      const e = h[h3 + f];
      const o = f * n;
      for (let i = 0; i < n; i++) {
        const w = wt[o + i];
        z[z0 + i] += a * w;
        z[z1 + i] += b * w;
        z[z2 + i] += c * w;
        z[z3 + i] += e * w;
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

// dWᵀ += Σ_r h_r ⊗ dz_r and dh_r = Wᵀ dz_r for the c rows of a chunk, fused:
// two hidden units and four rows per pass over two rows of Wᵀ, so each dz
// element loaded serves four multiply-adds (a fifth faster than one unit).
function catalogBackward(packed: Float32Array, z: Float32Array, c: number, wt: Float32Array, dwt: Float32Array, packedGrad: Float32Array, dim: number, n: number): void {
  let f = 0;
  for (; f + 1 < dim; f += 2) {
    const o = f * n;
    const p = o + n;
    let r = 0;
    for (; r + 3 < c; r += 4) {
      const d0 = r * n;
      const d1 = d0 + n;
      const d2 = d1 + n;
      const d3 = d2 + n;
      const q0 = r * dim + f;
      const q1 = q0 + dim;
      const q2 = q1 + dim;
      const q3 = q2 + dim;
      const a0 = packed[q0];
      const a1 = packed[q1];
      const a2 = packed[q2];
      const a3 = packed[q3];
      const b0 = packed[q0 + 1];
      const b1 = packed[q1 + 1];
      const b2 = packed[q2 + 1];
      const b3 = packed[q3 + 1];
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      let t0 = 0;
      let t1 = 0;
      let t2 = 0;
      let t3 = 0;
      for (let i = 0; i < n; i++) {
        const x0 = z[d0 + i];
        const x1 = z[d1 + i];
        const x2 = z[d2 + i];
        const x3 = z[d3 + i];
        const w = wt[o + i];
        const v = wt[p + i];
        dwt[o + i] += a0 * x0 + a1 * x1 + a2 * x2 + a3 * x3;
        dwt[p + i] += b0 * x0 + b1 * x1 + b2 * x2 + b3 * x3;
        s0 += w * x0;
        s1 += w * x1;
        s2 += w * x2;
        s3 += w * x3;
        t0 += v * x0;
        t1 += v * x1;
        t2 += v * x2;
        t3 += v * x3;
      }
      packedGrad[q0] = s0;
      packedGrad[q1] = s1;
      packedGrad[q2] = s2;
      packedGrad[q3] = s3;
      packedGrad[q0 + 1] = t0;
      packedGrad[q1 + 1] = t1;
      packedGrad[q2 + 1] = t2;
      packedGrad[q3 + 1] = t3;
    }
    for (; r < c; r++) singleRowBackward(packed, z, r, f, 2, wt, dwt, packedGrad, dim, n);
  }
  if (f < dim) for (let r = 0; r < c; r++) singleRowBackward(packed, z, r, f, 1, wt, dwt, packedGrad, dim, n);
}

// catalogBackward for one row and `units` hidden units from f.
function singleRowBackward(packed: Float32Array, z: Float32Array, r: number, f: number, units: number, wt: Float32Array, dwt: Float32Array, packedGrad: Float32Array, dim: number, n: number): void {
  const d0 = r * n;
  for (let u = f; u < f + units; u++) {
    const o = u * n;
    const a0 = packed[r * dim + u];
    let s0 = 0;
    for (let i = 0; i < n; i++) {
      const x0 = z[d0 + i];
      dwt[o + i] += a0 * x0;
      s0 += wt[o + i] * x0;
    }
    packedGrad[r * dim + u] = s0;
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
    catalogBackward(packed, z, c, wt, dwt, packedGrad, dim, n);
    for (let r = 0; r < c; r++) dh.set(packedGrad.subarray(r * dim, (r + 1) * dim), chunk[r] * dim);
  }
  return loss;
}
