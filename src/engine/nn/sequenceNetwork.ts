// What the training loop (algorithms/sequenceTraining.ts) needs of a
// next-item network, SASRec's or GRU4Rec's: its weights as one flat vector,
// the gradient of a batch's loss, and the state it ends a sequence in, which
// scores every item through the shared item embeddings:
//   score_i = E_i · h + c_i.
import type { SequenceBatch } from "./sequenceBatch";
import type { ParameterLayout } from "./parameterLayout";

export interface SequenceNetwork {
  readonly layout: ParameterLayout;
  // The weights (layout.size floats); may live in a SharedArrayBuffer.
  readonly params: Float32Array;
  readonly nItems: number;
  readonly dim: number;
  // The most recent tokens a sequence is cut to.
  readonly maxLength: number;
  // Adds d loss/d params of the batch into grad (same layout) and returns the loss.
  gradient(batch: SequenceBatch, grad: Float32Array): number;
  // The final state at the last token of each sequence of the batch, without
  // dropout, into out (sequences × dim).
  encodeLast(batch: SequenceBatch, out: Float32Array): void;
}

// score_i = E_i · h + c_i for every item (the layout's "item" and "itemBias").
export function scoreItems(net: SequenceNetwork, h: Float32Array, hOffset: number, out: Float32Array): void {
  const e = net.layout.view(net.params, "item");
  const c = net.layout.view(net.params, "itemBias");
  const d = net.dim;
  for (let i = 0; i < net.nItems; i++) {
    const o = i * d;
    let s = c[i];
    for (let f = 0; f < d; f++) s += e[o + f] * h[hOffset + f];
    out[i] = s;
  }
}
