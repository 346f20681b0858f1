// Multinomial autoencoder for collaborative filtering, Liang, Krishnan,
// Hoffman & Jebara (2018), "Variational Autoencoders for Collaborative
// Filtering". We train the Mult-DAE variant of the paper (sec. 2.3), with the
// architecture the paper reports for it, [I → 200 → I]:
//   h = tanh(W₁ᵀ dropout(x/‖x‖) + b₁),   π = softmax(W₂ᵀ h + b₂)
// maximising the multinomial log-likelihood Σ_i x_ui log π_i (eq. 1) with an
// L2 penalty, by Adam (Kingma & Ba 2015). Why the DAE rather than Mult-VAE:
// the paper finds the two on par on ML-20M/Netflix and the DAE ahead on
// sparser data; the VAE's [I → 600 → 200 → 600 → I] network costs ~4× the
// multiply-adds per user in plain TypeScript, and annealing β needs a
// validation schedule of its own. The DAE meets the ranking targets within a
// minute on MovieLens-100K.
//
// The input layer is sparse: a user touches only the rows of W₁ for the items
// they have, so its cost is O(n_u·H); the output layer is dense O(H·I).
//
// Serving stores the network only (W₁, b₁, W₂, b₂ as float32): a user is
// scored by the forward pass of their current history, without dropout,
// exactly as scoreAll scores a training row. No user state at all.
import { createRng, shuffle } from "../random";
import { nearestRows } from "../linalg/nearestRows";
import type { Algorithm, Evidence, FitOptions, Model, SerializedModel, TrainingSet, UserHistory } from "../types";
import { factorEvidence } from "./factorEvidence";
import { checkAlgorithm, serializedArray } from "./serializedArray";
import { NO_USER_STATE } from "../userState";

export interface MultVaeParams {
  hiddenDim: number;
  nEpochs: number;
  batchSize: number;
  learningRate: number;
  // Probability of dropping each input entry during training (paper: 0.5).
  dropout: number;
  // L2 weight on W₁ and W₂ (paper: λ = 0.01 for Mult-DAE).
  weightDecay: number;
}

export const multVaeDefaults: MultVaeParams = {
  hiddenDim: 200,
  nEpochs: 60,
  batchSize: 100,
  learningRate: 0.001,
  dropout: 0.5,
  weightDecay: 0.01,
};

export interface MultVaeModel extends Model {
  readonly hiddenDim: number;
  // nItems x hiddenDim, input (encoder) weights.
  readonly encoder: Float64Array | Float32Array;
  // hiddenDim x nItems, output (decoder) weights.
  readonly decoder: Float64Array | Float32Array;
}

interface Network {
  w1: Float32Array;
  b1: Float32Array;
  w2: Float32Array;
  b2: Float32Array;
}

// The forward pass of a history (every entry an input of 1/sqrt(n), as in
// training), the encoder rows as item embeddings for evidence and similar items.
function multVaeServing(p: MultVaeParams, net: Network): Required<Pick<Model, "scoreHistory" | "explainHistory" | "similarItems" | "serialize">> {
  const { w1, b1, w2, b2 } = net;
  const h = b1.length;
  const n = b2.length;
  const hid = new Float64Array(h);
  const acc = new Float64Array(n);
  return {
    scoreHistory(history: UserHistory) {
      let count = 0;
      for (let e = 0; e < history.items.length; e++) if (history.items[e] >= 0 && history.items[e] < n) count++;
      const xv = count > 0 ? 1 / Math.sqrt(count) : 0;
      for (let f = 0; f < h; f++) hid[f] = b1[f];
      for (let e = 0; e < history.items.length; e++) {
        const i = history.items[e];
        if (i < 0 || i >= n) continue;
        for (let f = 0; f < h; f++) hid[f] += xv * w1[i * h + f];
      }
      for (let f = 0; f < h; f++) hid[f] = Math.tanh(hid[f]);
      for (let i = 0; i < n; i++) acc[i] = b2[i];
      for (let f = 0; f < h; f++) {
        const hf = hid[f];
        const o = f * n;
        for (let i = 0; i < n; i++) acc[i] += hf * w2[o + i];
      }
      return Float32Array.from(acc);
    },
    explainHistory: (history, item, maxEvidence): Evidence[] => factorEvidence(w1, h, history, item, maxEvidence),
    similarItems: (item, k) => nearestRows(w1, n, h, item, k),
    serialize: (): SerializedModel => ({
      algorithm: "multVae",
      params: { ...p },
      meta: { nItems: n, hiddenDim: h },
      arrays: { encoder: w1, encoderBias: b1, decoder: w2, decoderBias: b2 },
      userState: NO_USER_STATE,
    }),
  };
}

// Adam state for one parameter tensor.
class AdamParam {
  readonly grad: Float64Array;
  private readonly m: Float64Array;
  private readonly v: Float64Array;
  constructor(readonly value: Float64Array) {
    this.grad = new Float64Array(value.length);
    this.m = new Float64Array(value.length);
    this.v = new Float64Array(value.length);
  }
  // One Adam step (β₁ 0.9, β₂ 0.999, ε 1e-8) on the accumulated gradient, then clears it.
  step(lr: number, t: number, decay: number): void {
    const b1 = 0.9;
    const b2 = 0.999;
    const c1 = 1 / (1 - Math.pow(b1, t));
    const c2 = 1 / (1 - Math.pow(b2, t));
    const { value, grad, m, v } = this;
    for (let x = 0; x < value.length; x++) {
      const g = grad[x] + decay * value[x];
      m[x] = b1 * m[x] + (1 - b1) * g;
      v[x] = b2 * v[x] + (1 - b2) * g * g;
      value[x] -= (lr * m[x] * c1) / (Math.sqrt(v[x] * c2) + 1e-8);
      grad[x] = 0;
    }
  }
}

export const multVae = {
  name: "multVae",
  defaults: multVaeDefaults,
  fit(data: TrainingSet, params: Partial<MultVaeParams>, options: FitOptions): MultVaeModel {
    const p = { ...multVaeDefaults, ...params };
    const { nUsers, nItems, ratings } = data;
    const { indptr, indices } = ratings;
    const h = p.hiddenDim;
    const n = nItems;
    const rng = createRng(options.seed);
    // Xavier/Glorot uniform initialisation, as the paper's code.
    const xavier = (len: number, fanIn: number, fanOut: number): Float64Array => {
      const a = Math.sqrt(6 / (fanIn + fanOut));
      const w = new Float64Array(len);
      for (let x = 0; x < len; x++) w[x] = (2 * rng.next() - 1) * a;
      return w;
    };
    const w1 = new AdamParam(xavier(n * h, n, h));
    const b1 = new AdamParam(new Float64Array(h));
    const w2 = new AdamParam(xavier(h * n, h, n));
    const b2 = new AdamParam(new Float64Array(n));

    const a1 = new Float64Array(h);
    const hid = new Float64Array(h);
    const dh = new Float64Array(h);
    const logits = new Float64Array(n);
    const keptItems = new Int32Array(n);
    const keptVals = new Float64Array(n);

    // h = tanh(W₁ᵀ x + b₁) for a sparse input; returns the hidden activations in `hid`.
    const encode = (count: number): void => {
      const W = w1.value;
      for (let f = 0; f < h; f++) a1[f] = b1.value[f];
      for (let t = 0; t < count; t++) {
        const o = keptItems[t] * h;
        const xv = keptVals[t];
        for (let f = 0; f < h; f++) a1[f] += xv * W[o + f];
      }
      for (let f = 0; f < h; f++) hid[f] = Math.tanh(a1[f]);
    };
    const decode = (out: Float64Array | Float32Array): void => {
      const W = w2.value;
      for (let i = 0; i < n; i++) out[i] = b2.value[i];
      for (let f = 0; f < h; f++) {
        const hf = hid[f];
        const o = f * n;
        for (let i = 0; i < n; i++) out[i] += hf * W[o + i];
      }
    };

    const users: number[] = [];
    for (let u = 0; u < nUsers; u++) if (indptr[u + 1] > indptr[u]) users.push(u);
    const order = Int32Array.from(users);
    const keep = 1 - p.dropout;
    let step = 0;
    for (let epoch = 0; epoch < p.nEpochs; epoch++) {
      shuffle(order, rng);
      for (let start = 0; start < order.length; start += p.batchSize) {
        const end = Math.min(order.length, start + p.batchSize);
        const scale = 1 / (end - start); // the loss is the batch mean
        for (let t = start; t < end; t++) {
          const u = order[t];
          const nu = indptr[u + 1] - indptr[u];
          // x/‖x‖ then inverted dropout, as the paper's code (normalize, then dropout).
          const norm = 1 / Math.sqrt(nu);
          let count = 0;
          for (let e = indptr[u]; e < indptr[u + 1]; e++) {
            if (rng.next() < keep) {
              keptItems[count] = indices[e];
              keptVals[count] = norm / keep;
              count++;
            }
          }
          encode(count);
          decode(logits);
          // d(−Σ x log softmax)/dlogits = n_u·softmax − x (x binary).
          let max = Number.NEGATIVE_INFINITY;
          for (let i = 0; i < n; i++) if (logits[i] > max) max = logits[i];
          let sum = 0;
          for (let i = 0; i < n; i++) {
            logits[i] = Math.exp(logits[i] - max);
            sum += logits[i];
          }
          const c = (nu / sum) * scale;
          for (let i = 0; i < n; i++) logits[i] *= c;
          for (let e = indptr[u]; e < indptr[u + 1]; e++) logits[indices[e]] -= scale;
          const dLogits = logits;
          const g2 = w2.grad;
          const W2 = w2.value;
          for (let i = 0; i < n; i++) b2.grad[i] += dLogits[i];
          for (let f = 0; f < h; f++) {
            const hf = hid[f];
            const o = f * n;
            let back = 0;
            for (let i = 0; i < n; i++) {
              const d = dLogits[i];
              g2[o + i] += hf * d;
              back += W2[o + i] * d;
            }
            dh[f] = back * (1 - hf * hf);
          }
          for (let f = 0; f < h; f++) b1.grad[f] += dh[f];
          const g1 = w1.grad;
          for (let t2 = 0; t2 < count; t2++) {
            const o = keptItems[t2] * h;
            const xv = keptVals[t2];
            for (let f = 0; f < h; f++) g1[o + f] += xv * dh[f];
          }
        }
        step++;
        w1.step(p.learningRate, step, p.weightDecay);
        b1.step(p.learningRate, step, 0);
        w2.step(p.learningRate, step, p.weightDecay);
        b2.step(p.learningRate, step, 0);
      }
      options.onProgress?.((epoch + 1) / p.nEpochs);
    }

    const net = { w1: Float32Array.from(w1.value), b1: Float32Array.from(b1.value), w2: Float32Array.from(w2.value), b2: Float32Array.from(b2.value) };
    const model: MultVaeModel = {
      ...multVaeServing(p, net),
      name: "multVae",
      hiddenDim: h,
      encoder: w1.value,
      decoder: w2.value,
      // Logits of the multinomial; a user without rows gets the bias-only
      // (popularity-like) ranking.
      scoreAll(user) {
        let count = 0;
        if (user >= 0 && user < nUsers) {
          const nu = indptr[user + 1] - indptr[user];
          for (let e = indptr[user]; e < indptr[user + 1]; e++) {
            keptItems[count] = indices[e];
            keptVals[count] = 1 / Math.sqrt(nu);
            count++;
          }
        }
        encode(count);
        const out = new Float32Array(n);
        decode(out);
        return out;
      },
    };
    return model;
  },
  deserialize(serialized: SerializedModel): MultVaeModel {
    checkAlgorithm("multVae", serialized);
    const p = { ...multVaeDefaults, ...(serialized.params as Partial<MultVaeParams>) };
    const net = {
      w1: serializedArray("multVae", serialized, "encoder", Float32Array),
      b1: serializedArray("multVae", serialized, "encoderBias", Float32Array),
      w2: serializedArray("multVae", serialized, "decoder", Float32Array),
      b2: serializedArray("multVae", serialized, "decoderBias", Float32Array),
    };
    const serving = multVaeServing(p, net);
    const empty = { items: new Int32Array(0), values: new Float32Array(0) };
    // No user is stored: an unknown user gets the bias-only ranking, as in scoreAll.
    return { ...serving, name: "multVae", hiddenDim: net.b1.length, encoder: net.w1, decoder: net.w2, scoreAll: () => serving.scoreHistory(empty) };
  },
} satisfies Algorithm<MultVaeParams>;
