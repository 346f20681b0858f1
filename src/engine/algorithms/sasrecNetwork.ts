// The network of SASRec (Kang & McAuley 2018, sec. 3) on the float32 kernels
// of ../nn, forward and backward for a batch of sequences:
//   x⁰_t = √d · E[s_t] + P[ℓ − 1 − t]                   (sec. 3.1; dropout)
//   per block (sec. 3.2-3.3, pre-norm residuals as the authors' code):
//     a = Attention(LN(x) W_Q, LN(x) W_K, LN(x) W_V)   causal, one head
//     x' = x + dropout(a)
//     x'' = x' + dropout(dropout(ReLU(LN(x') W₁ + b₁)) W₂ + b₂)
//   h_t = LN(x^B_t)
//   P(next = i | s_0..t) = softmax_i(E_i · h_t + c_i)   (shared item embedding, sec. 3.4)
// Positions count back from the most recent item (P[0] is the last), which
// is what the paper's left-padding to n gives: the latest item always has
// the same positional embedding, at training and at serving.
import { createRng, type Rng } from "../random";
import { attentionWeightOffsets, causalAttentionBackward, causalAttentionForward } from "../nn/causalAttention";
import { dropoutBackward, dropoutRows } from "../nn/dropout";
import { embedBackward, embedForward, transpose } from "../nn/embedding";
import { fullSoftmaxCrossEntropy, SOFTMAX_CHUNK } from "../nn/fullSoftmax";
import { layerNormBackward, layerNormForward } from "../nn/layerNorm";
import { linearBackward, linearForward } from "../nn/linear";
import { ParameterLayout } from "../nn/parameterLayout";
import type { SequenceBatch } from "../nn/sequenceBatch";
import type { SequenceNetwork } from "../nn/sequenceNetwork";
import { Workspace } from "../nn/workspace";

export interface SasrecShape {
  readonly nItems: number;
  readonly dim: number;
  readonly maxLength: number;
  readonly blocks: number;
  readonly dropout: number;
}

export function sasrecLayout(shape: SasrecShape): ParameterLayout {
  const { nItems, dim: d, maxLength, blocks } = shape;
  const layout = new ParameterLayout().add("item", nItems * d).add("itemBias", nItems).add("position", maxLength * d);
  for (let b = 0; b < blocks; b++) {
    layout
      .add(`${b}.ln1.g`, d)
      .add(`${b}.ln1.b`, d)
      .add(`${b}.wq`, d * d)
      .add(`${b}.wk`, d * d)
      .add(`${b}.wv`, d * d)
      .add(`${b}.ln2.g`, d)
      .add(`${b}.ln2.b`, d)
      .add(`${b}.ff1.w`, d * d)
      .add(`${b}.ff1.b`, d)
      .add(`${b}.ff2.w`, d * d)
      .add(`${b}.ff2.b`, d);
  }
  return layout.add("final.g", d).add("final.b", d);
}

// Glorot-normal matrices and embeddings (as the authors' PyTorch port), unit
// layer-norm gains, zero biases.
export function initSasrec(shape: SasrecShape, layout: ParameterLayout, params: Float32Array, rng: Rng): void {
  const { nItems, dim: d, maxLength, blocks } = shape;
  const glorot = (name: string, fanIn: number, fanOut: number) => {
    const w = layout.view(params, name);
    const std = Math.sqrt(2 / (fanIn + fanOut));
    for (let x = 0; x < w.length; x++) w[x] = std * rng.normal();
  };
  glorot("item", nItems, d);
  glorot("position", maxLength, d);
  for (let b = 0; b < blocks; b++) {
    for (const w of ["wq", "wk", "wv", "ff1.w", "ff2.w"]) glorot(`${b}.${w}`, d, d);
    layout.view(params, `${b}.ln1.g`).fill(1);
    layout.view(params, `${b}.ln2.g`).fill(1);
  }
  layout.view(params, "final.g").fill(1);
}

export interface SasrecNetwork extends SequenceNetwork {
  readonly shape: SasrecShape;
  // The last block's attention weights of the last token of the most recent
  // encodeLast batch's sequence s (one weight per token of it, oldest first).
  lastAttention(s: number): Float32Array;
}

export function sasrecNetwork(shape: SasrecShape, params: Float32Array): SasrecNetwork {
  const { nItems: n, dim: d, blocks: B } = shape;
  const layout = sasrecLayout(shape);
  if (params.length !== layout.size) throw new Error(`sasrec: ${params.length} weights for a network of ${layout.size}`);
  const w = (name: string) => layout.view(params, name);
  const ws = new Workspace();
  const scale = Math.sqrt(d);
  let lastBatch: { offsets: Int32Array; probOffsets: Int32Array; sequences: number } | undefined;

  // Per-sequence dropout on rows of width `width`, masks kept (training only).
  const dropRows = (x: Float32Array, mask: Float32Array, offsets: Int32Array, rngs: Rng[] | undefined, width: number) => {
    if (rngs) dropoutRows(x, mask, offsets, rngs, width, shape.dropout);
  };

  // The forward pass; activations kept in the workspace. Returns the final rows (T × d).
  const forward = (batch: SequenceBatch, train: boolean): Float32Array => {
    const { offsets, items, sequences } = batch;
    const T = offsets[sequences];
    const Td = T * d;
    const rngs = train && shape.dropout > 0 ? Array.from(batch.seeds.subarray(0, sequences), (seed) => createRng(seed)) : undefined;
    const pos = new Int32Array(T);
    for (let s = 0; s < sequences; s++) for (let t = offsets[s]; t < offsets[s + 1]; t++) pos[t] = offsets[s + 1] - 1 - t;
    const probOffsets = attentionWeightOffsets(offsets, sequences);
    lastBatch = { offsets, probOffsets, sequences };
    const x0 = ws.get("x0", Td);
    embedForward(w("item"), items, T, d, scale, x0, w("position"), pos);
    dropRows(x0, ws.get("m0", Td), offsets, rngs, d);
    let x = x0;
    for (let b = 0; b < B; b++) {
      const h1 = ws.get(`${b}.h1`, Td);
      layerNormForward(x, w(`${b}.ln1.g`), w(`${b}.ln1.b`), h1, ws.get(`${b}.xhat1`, Td), ws.get(`${b}.rstd1`, T), T, d);
      const q = ws.get(`${b}.q`, Td);
      const k = ws.get(`${b}.k`, Td);
      const v = ws.get(`${b}.v`, Td);
      linearForward(h1, w(`${b}.wq`), undefined, q, T, d, d);
      linearForward(h1, w(`${b}.wk`), undefined, k, T, d, d);
      linearForward(h1, w(`${b}.wv`), undefined, v, T, d, d);
      const a = ws.get(`${b}.a`, Td);
      causalAttentionForward(q, k, v, a, ws.get(`${b}.p`, probOffsets[sequences]), offsets, probOffsets, sequences, d);
      dropRows(a, ws.get(`${b}.ma`, Td), offsets, rngs, d);
      const x1 = ws.get(`${b}.x1`, Td);
      for (let e = 0; e < Td; e++) x1[e] = x[e] + a[e];
      const h2 = ws.get(`${b}.h2`, Td);
      layerNormForward(x1, w(`${b}.ln2.g`), w(`${b}.ln2.b`), h2, ws.get(`${b}.xhat2`, Td), ws.get(`${b}.rstd2`, T), T, d);
      const f1 = ws.get(`${b}.f1`, Td);
      linearForward(h2, w(`${b}.ff1.w`), w(`${b}.ff1.b`), f1, T, d, d);
      for (let e = 0; e < Td; e++) if (f1[e] < 0) f1[e] = 0;
      dropRows(f1, ws.get(`${b}.mf1`, Td), offsets, rngs, d);
      const f2 = ws.get(`${b}.f2`, Td);
      linearForward(f1, w(`${b}.ff2.w`), w(`${b}.ff2.b`), f2, T, d, d);
      dropRows(f2, ws.get(`${b}.mf2`, Td), offsets, rngs, d);
      const x2 = ws.get(`${b}.x2`, Td);
      for (let e = 0; e < Td; e++) x2[e] = x1[e] + f2[e];
      x = x2;
    }
    const out = ws.get("out", Td);
    layerNormForward(x, w("final.g"), w("final.b"), out, ws.get("xhatF", Td), ws.get("rstdF", T), T, d);
    return out;
  };

  return {
    shape,
    layout,
    params,
    nItems: n,
    dim: d,
    maxLength: shape.maxLength,
    gradient(batch, grad) {
      const { offsets, items, targets, sequences } = batch;
      const T = offsets[sequences];
      const Td = T * d;
      const train = shape.dropout > 0;
      const out = forward(batch, true);
      const g = (name: string) => layout.view(grad, name);
      const probOffsets = lastBatch!.probOffsets;
      // The output layer reads the item embeddings transposed (fullSoftmax.ts).
      const wt = ws.get("wt", n * d);
      transpose(w("item"), n, d, wt);
      const dwt = ws.get("dwt", n * d).fill(0, 0, n * d);
      const dout = ws.get("dout", Td);
      const loss = fullSoftmaxCrossEntropy(out, targets, T, wt, w("itemBias"), dout, dwt, g("itemBias"), ws.get("z", SOFTMAX_CHUNK * n), d, n, batch.lossScale);
      transpose(dwt, d, n, g("item"), true);

      const dx = ws.get("dx", Td);
      layerNormBackward(dout, w("final.g"), ws.get("xhatF", Td), ws.get("rstdF", T), dx, g("final.g"), g("final.b"), T, d, false);
      const t1 = ws.get("t1", Td);
      const t2 = ws.get("t2", Td);
      for (let b = B - 1; b >= 0; b--) {
        // x'' = x' + dropout(f₁ W₂ + b₂): the residual carries dx on.
        const df2 = t1;
        df2.set(dx.subarray(0, Td));
        if (train) dropoutBackward(df2, ws.get(`${b}.mf2`, Td), Td);
        const f1 = ws.get(`${b}.f1`, Td);
        const df1 = t2;
        linearBackward(f1, w(`${b}.ff2.w`), df2, df1, g(`${b}.ff2.w`), g(`${b}.ff2.b`), T, d, d);
        // Through dropout and ReLU: f₁ > 0 exactly where both passed it.
        for (let e = 0; e < Td; e++) df1[e] = f1[e] > 0 ? df1[e] * (train ? ws.get(`${b}.mf1`, Td)[e] : 1) : 0;
        const dh2 = t1;
        linearBackward(ws.get(`${b}.h2`, Td), w(`${b}.ff1.w`), df1, dh2, g(`${b}.ff1.w`), g(`${b}.ff1.b`), T, d, d);
        layerNormBackward(dh2, w(`${b}.ln2.g`), ws.get(`${b}.xhat2`, Td), ws.get(`${b}.rstd2`, T), dx, g(`${b}.ln2.g`), g(`${b}.ln2.b`), T, d, true);
        // x' = x + dropout(a).
        const da = t1;
        da.set(dx.subarray(0, Td));
        if (train) dropoutBackward(da, ws.get(`${b}.ma`, Td), Td);
        const dq = ws.get("dq", Td);
        const dk = ws.get("dk", Td);
        const dv = ws.get("dv", Td);
        causalAttentionBackward(
          ws.get(`${b}.q`, Td),
          ws.get(`${b}.k`, Td),
          ws.get(`${b}.v`, Td),
          ws.get(`${b}.p`, probOffsets[sequences]),
          da,
          dq,
          dk,
          dv,
          ws.get("dp", shape.maxLength + 1),
          offsets,
          probOffsets,
          sequences,
          d,
        );
        const h1 = ws.get(`${b}.h1`, Td);
        const dh1 = t2;
        linearBackward(h1, w(`${b}.wq`), dq, dh1, g(`${b}.wq`), undefined, T, d, d);
        linearBackward(h1, w(`${b}.wk`), dk, dh1, g(`${b}.wk`), undefined, T, d, d, true);
        linearBackward(h1, w(`${b}.wv`), dv, dh1, g(`${b}.wv`), undefined, T, d, d, true);
        layerNormBackward(dh1, w(`${b}.ln1.g`), ws.get(`${b}.xhat1`, Td), ws.get(`${b}.rstd1`, T), dx, g(`${b}.ln1.g`), g(`${b}.ln1.b`), T, d, true);
      }
      if (train) dropoutBackward(dx, ws.get("m0", Td), Td);
      const pos = new Int32Array(T);
      for (let s = 0; s < sequences; s++) for (let t = offsets[s]; t < offsets[s + 1]; t++) pos[t] = offsets[s + 1] - 1 - t;
      embedBackward(dx, items, T, d, scale, g("item"), g("position"), pos);
      return loss;
    },
    encodeLast(batch, out) {
      const rows = forward(batch, false);
      for (let s = 0; s < batch.sequences; s++) out.set(rows.subarray((batch.offsets[s + 1] - 1) * d, batch.offsets[s + 1] * d), s * d);
    },
    lastAttention(s) {
      const { offsets, probOffsets } = lastBatch!;
      const len = offsets[s + 1] - offsets[s];
      const p = ws.get(`${B - 1}.p`, probOffsets[lastBatch!.sequences]);
      const start = probOffsets[s] + ((len - 1) * len) / 2;
      return p.slice(start, start + len);
    },
  };
}
