// The network of GRU4Rec (Hidasi et al. 2016; Hidasi & Karatzoglou 2018)
// on the float32 kernels of ../nn, forward and backward for a batch:
//   x_t = dropout(E[s_t]),  h_t = GRU(x_t, h_{t−1}),  o_t = dropout(h_t)
//   P(next = i | s_0..t) = softmax_i(E_i · o_t + c_i)
// with the item embedding shared by input and output (the "constrained
// embeddings" of the authors' current implementation) and trained with
// cross-entropy over the whole catalog, the loss Hidasi & Czapp (2023, "The
// effect of third party implementations on reproducibility") find best for
// GRU4Rec. One layer of `dim` units, so states and embeddings match.
import { createRng, type Rng } from "../random";
import { dropoutBackward, dropoutRows } from "../nn/dropout";
import { embedBackward, embedForward, transpose } from "../nn/embedding";
import { fullSoftmaxCrossEntropy, SOFTMAX_CHUNK } from "../nn/fullSoftmax";
import { gruBackward, gruForward, type GruTrace } from "../nn/gru";
import { linearBackward, linearForward } from "../nn/linear";
import { ParameterLayout } from "../nn/parameterLayout";
import type { SequenceBatch } from "../nn/sequenceBatch";
import type { SequenceNetwork } from "../nn/sequenceNetwork";
import { Workspace } from "../nn/workspace";

export interface Gru4recShape {
  readonly nItems: number;
  readonly dim: number;
  readonly maxLength: number;
  readonly dropout: number;
}

export function gru4recLayout(shape: Gru4recShape): ParameterLayout {
  const { nItems, dim: d } = shape;
  return new ParameterLayout()
    .add("item", nItems * d)
    .add("itemBias", nItems)
    .add("gru.w", d * 3 * d)
    .add("gru.b", 3 * d)
    .add("gru.u", d * 3 * d)
    .add("gru.c", 3 * d);
}

// Glorot-normal embedding, input and recurrent weights; zero biases.
export function initGru4rec(shape: Gru4recShape, layout: ParameterLayout, params: Float32Array, rng: Rng): void {
  const { nItems, dim: d } = shape;
  const glorot = (name: string, fanIn: number, fanOut: number) => {
    const w = layout.view(params, name);
    const std = Math.sqrt(2 / (fanIn + fanOut));
    for (let x = 0; x < w.length; x++) w[x] = std * rng.normal();
  };
  glorot("item", nItems, d);
  glorot("gru.w", d, d);
  glorot("gru.u", d, d);
}

export function gru4recNetwork(shape: Gru4recShape, params: Float32Array): SequenceNetwork {
  const { nItems: n, dim: d } = shape;
  const d3 = 3 * d;
  const layout = gru4recLayout(shape);
  if (params.length !== layout.size) throw new Error(`gru4rec: ${params.length} weights for a network of ${layout.size}`);
  const w = (name: string) => layout.view(params, name);
  const ws = new Workspace();

  const dropRows = (x: Float32Array, mask: Float32Array, offsets: Int32Array, rngs: Rng[] | undefined) => {
    if (rngs) dropoutRows(x, mask, offsets, rngs, d, shape.dropout);
  };
  const traceOf = (T: number): GruTrace => ({
    r: ws.get("r", T * d),
    u: ws.get("u", T * d),
    n: ws.get("n", T * d),
    ghn: ws.get("ghn", T * d),
    h: ws.get("h", T * d),
  });

  const forward = (batch: SequenceBatch, train: boolean): Float32Array => {
    const { offsets, items, sequences } = batch;
    const T = offsets[sequences];
    const Td = T * d;
    const rngs = train && shape.dropout > 0 ? Array.from(batch.seeds.subarray(0, sequences), (seed) => createRng(seed)) : undefined;
    const x = ws.get("x", Td);
    embedForward(w("item"), items, T, d, 1, x);
    dropRows(x, ws.get("mx", Td), offsets, rngs);
    const gx = ws.get("gx", T * d3);
    linearForward(x, w("gru.w"), w("gru.b"), gx, T, d, d3);
    const trace = traceOf(T);
    gruForward(gx, w("gru.u"), w("gru.c"), trace, offsets, sequences, d);
    if (!rngs) return trace.h;
    const o = ws.get("o", Td);
    o.set(trace.h.subarray(0, Td));
    dropRows(o, ws.get("mo", Td), offsets, rngs);
    return o;
  };

  return {
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
      const wt = ws.get("wt", n * d);
      transpose(w("item"), n, d, wt);
      const dwt = ws.get("dwt", n * d).fill(0, 0, n * d);
      const dh = ws.get("dh", Td);
      const loss = fullSoftmaxCrossEntropy(out, targets, T, wt, w("itemBias"), dh, dwt, g("itemBias"), ws.get("z", SOFTMAX_CHUNK * n), d, n, batch.lossScale);
      transpose(dwt, d, n, g("item"), true);
      if (train) dropoutBackward(dh, ws.get("mo", Td), Td);
      const dgx = ws.get("dgx", T * d3);
      gruBackward(dh, w("gru.u"), traceOf(T), dgx, g("gru.u"), g("gru.c"), offsets, sequences, d);
      const dx = ws.get("dx", Td);
      linearBackward(ws.get("x", Td), w("gru.w"), dgx, dx, g("gru.w"), g("gru.b"), T, d, d3);
      if (train) dropoutBackward(dx, ws.get("mx", Td), Td);
      embedBackward(dx, items, T, d, 1, g("item"));
      return loss;
    },
    encodeLast(batch, out) {
      const rows = forward(batch, false);
      for (let s = 0; s < batch.sequences; s++) out.set(rows.subarray((batch.offsets[s + 1] - 1) * d, batch.offsets[s + 1] * d), s * d);
    },
  };
}
