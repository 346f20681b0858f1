// Causal scaled dot-product self-attention over sequences laid end to end
// (Vaswani et al. 2017, eq. 1, with SASRec's causality: Kang & McAuley 2018,
// sec. 3.2, "we modify the attention by forbidding all links between Q_i and
// K_j (j > i)"). Token t of a sequence attends to tokens 0..t of the same
// sequence only:
//   p_t = softmax_j(q_t·k_j / √d),  a_t = Σ_j p_tj v_j
// One head, as the paper (two heads did not help in its ablation, Table IV).
// Sequences are ragged (offsets), so there is no padding to mask and no work
// spent on it; the weights p of each sequence are kept as a lower triangle
// (row i holds i + 1 weights) for the backward pass and for explanations.

// Where each sequence's triangle of weights starts; the last entry is the total.
export function attentionWeightOffsets(offsets: Int32Array, sequences: number): Int32Array {
  const out = new Int32Array(sequences + 1);
  for (let s = 0; s < sequences; s++) {
    const len = offsets[s + 1] - offsets[s];
    out[s + 1] = out[s] + (len * (len + 1)) / 2;
  }
  return out;
}

export function causalAttentionForward(
  q: Float32Array,
  k: Float32Array,
  v: Float32Array,
  out: Float32Array,
  probs: Float32Array,
  offsets: Int32Array,
  probOffsets: Int32Array,
  sequences: number,
  dim: number,
): void {
  const scale = 1 / Math.sqrt(dim);
  for (let s = 0; s < sequences; s++) {
    const start = offsets[s];
    const len = offsets[s + 1] - start;
    for (let i = 0; i < len; i++) {
      const qo = (start + i) * dim;
      const po = probOffsets[s] + (i * (i + 1)) / 2;
      let max = Number.NEGATIVE_INFINITY;
      for (let j = 0; j <= i; j++) {
        const ko = (start + j) * dim;
        let dot = 0;
        for (let f = 0; f < dim; f++) dot += q[qo + f] * k[ko + f];
        dot *= scale;
        probs[po + j] = dot;
        if (dot > max) max = dot;
      }
      let sum = 0;
      for (let j = 0; j <= i; j++) {
        const e = Math.exp(probs[po + j] - max);
        probs[po + j] = e;
        sum += e;
      }
      const inv = 1 / sum;
      out.fill(0, qo, qo + dim);
      for (let j = 0; j <= i; j++) {
        const p = probs[po + j] * inv;
        probs[po + j] = p;
        const vo = (start + j) * dim;
        for (let f = 0; f < dim; f++) out[qo + f] += p * v[vo + f];
      }
    }
  }
}

// From d loss/d a: dq (overwritten), dk and dv (overwritten) through
//   dp_tj = da_t·v_j,  ds_tj = p_tj (dp_tj − Σ_l p_tl dp_tl)   (softmax Jacobian)
//   dq_t = Σ_j ds_tj k_j/√d,  dk_j = Σ_t ds_tj q_t/√d,  dv_j = Σ_t p_tj da_t.
export function causalAttentionBackward(
  q: Float32Array,
  k: Float32Array,
  v: Float32Array,
  probs: Float32Array,
  dout: Float32Array,
  dq: Float32Array,
  dk: Float32Array,
  dv: Float32Array,
  dp: Float32Array,
  offsets: Int32Array,
  probOffsets: Int32Array,
  sequences: number,
  dim: number,
): void {
  const scale = 1 / Math.sqrt(dim);
  const rows = offsets[sequences] - offsets[0];
  const first = offsets[0] * dim;
  dq.fill(0, first, first + rows * dim);
  dk.fill(0, first, first + rows * dim);
  dv.fill(0, first, first + rows * dim);
  for (let s = 0; s < sequences; s++) {
    const start = offsets[s];
    const len = offsets[s + 1] - start;
    for (let i = 0; i < len; i++) {
      const qo = (start + i) * dim;
      const po = probOffsets[s] + (i * (i + 1)) / 2;
      let dot = 0;
      for (let j = 0; j <= i; j++) {
        const vo = (start + j) * dim;
        const p = probs[po + j];
        let d = 0;
        for (let f = 0; f < dim; f++) {
          d += dout[qo + f] * v[vo + f];
          dv[vo + f] += p * dout[qo + f];
        }
        dp[j] = d;
        dot += p * d;
      }
      for (let j = 0; j <= i; j++) {
        const ds = probs[po + j] * (dp[j] - dot) * scale;
        const ko = (start + j) * dim;
        for (let f = 0; f < dim; f++) {
          dq[qo + f] += ds * k[ko + f];
          dk[ko + f] += ds * q[qo + f];
        }
      }
    }
  }
}
