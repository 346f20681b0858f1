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
// validation schedule of its own.
//
// Cost: the input layer is sparse (a user touches only the rows of W₁ for the
// items they have, O(n_u·H)); the output softmax is dense over all items, so
// an epoch costs about 3·U·H·I multiply-adds (multDaeNetwork.ts): it grows
// with users × items. estimateCost() gives the figure up front, and
// trainModel refuses a fit above its limit rather than run for hours.
//
// Serving stores the network only (W₁, b₁, W₂, b₂ as float32): a user is
// scored by the forward pass of their current history, without dropout,
// exactly as scoreAll scores a training row. No user state at all.
import { createRng, shuffle } from "../random";
import { nearestRows } from "../linalg/nearestRows";
import type { CostedAlgorithm, FitCost } from "../fitCost";
import type { Algorithm, Evidence, FitOptions, Model, SerializedModel, TrainingSet, UserHistory } from "../types";
import { factorEvidence } from "./factorEvidence";
import { daeValidationNdcg, daeValidationSplit } from "./multDaeValidation";
import { daeBatch, daeDecode, daeEncode, daeGradient, daeWeights, daeWorkspace, type DaeWeights } from "./multDaeNetwork";
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
  // Early stopping (multDaeValidation.ts): the share of users (with 5 or more
  // entries) who lend 20% of their entries to a validation split, and then
  // nEpochs is the most it runs; 0 (the default) trains all nEpochs on
  // everything. Off by default: on MovieLens the ~100 validation users it
  // affords give an nDCG that wanders by ±0.003 from epoch to epoch, enough
  // to stop before the peak (msr-stratified nDCG@10 0.4608 with it at learning
  // rate 0.003, against 0.4782 for the earlier 60 epochs at 0.001).
  validationUsers: number;
  // Epochs without a better validation nDCG@10 before training stops; the
  // weights of the best epoch are kept.
  patience: number;
}

// 28 epochs at learning rate 0.003, chosen on validation splits of training
// data only (a per-user 80/20 split of gorse fold 0's and of msr-stratified's
// training rows): nDCG@10 peaks at 25-32 epochs there (0.2717 and 0.2410)
// and matches the earlier 60 epochs at 0.001 (0.2708 and 0.2401) in under
// half the epochs.
export const multVaeDefaults: MultVaeParams = {
  hiddenDim: 200,
  nEpochs: 28,
  batchSize: 100,
  learningRate: 0.003,
  dropout: 0.5,
  weightDecay: 0.01,
  validationUsers: 0,
  patience: 5,
};

export interface MultVaeModel extends Model {
  readonly hiddenDim: number;
  // Epochs of the weights kept (the best by validation with early stopping).
  readonly epochs?: number;
  // nItems x hiddenDim, input (encoder) weights.
  readonly encoder: Float64Array | Float32Array;
  // hiddenDim x nItems, output (decoder) weights.
  readonly decoder: Float64Array | Float32Array;
}

// The forward pass of a history (every entry an input of 1/sqrt(n), as in
// training), the encoder rows as item embeddings for evidence and similar items.
function multVaeServing(p: MultVaeParams, net: DaeWeights, trained: Record<string, number> = {}): Required<Pick<Model, "scoreHistory" | "explainHistory" | "similarItems" | "serialize">> {
  const { w1, b1, w2, b2 } = net;
  const h = net.hidden;
  const n = net.items;
  const hid = new Float32Array(h);
  return {
    scoreHistory(history: UserHistory) {
      const items = history.items.filter((i) => i >= 0 && i < n);
      const values = new Float32Array(items.length).fill(items.length > 0 ? 1 / Math.sqrt(items.length) : 0);
      daeEncode(net, items, values, 0, items.length, hid, 0);
      const out = new Float32Array(n);
      daeDecode(net, hid, out, 0);
      return out;
    },
    explainHistory: (history, item, maxEvidence): Evidence[] => factorEvidence(w1, h, history, item, maxEvidence),
    similarItems: (item, k) => nearestRows(w1, n, h, item, k),
    serialize: (): SerializedModel => ({
      algorithm: "multVae",
      params: { ...p },
      meta: { nItems: n, hiddenDim: h, ...trained },
      arrays: { encoder: w1, encoderBias: b1, decoder: w2, decoderBias: b2 },
      userState: NO_USER_STATE,
    }),
  };
}

// Adam state for one parameter tensor (float32, as the weights).
class AdamParam {
  readonly grad: Float32Array;
  private readonly m: Float32Array;
  private readonly v: Float32Array;
  constructor(
    readonly value: Float32Array,
    grad: Float32Array,
  ) {
    this.grad = grad;
    this.m = new Float32Array(value.length);
    this.v = new Float32Array(value.length);
  }
  // One Adam step (β₁ 0.9, β₂ 0.999, ε 1e-8) on the accumulated gradient plus
  // the L2 term, then clears the gradient.
  step(lr: number, t: number, decay: number): void {
    const b1 = 0.9;
    const b2 = 0.999;
    const c1 = 1 / (1 - Math.pow(b1, t));
    const c2 = 1 / (1 - Math.pow(b2, t));
    const { value, grad, m, v } = this;
    for (let x = 0; x < value.length; x++) {
      const g = grad[x] + decay * value[x];
      const mx = b1 * m[x] + (1 - b1) * g;
      const vx = b2 * v[x] + (1 - b2) * g * g;
      m[x] = mx;
      v[x] = vx;
      value[x] -= (lr * mx * c1) / (Math.sqrt(vx * c2) + 1e-8);
    }
    grad.fill(0);
  }
}

function copyWeights(from: DaeWeights, to: DaeWeights): void {
  to.w1.set(from.w1);
  to.b1.set(from.b1);
  to.w2.set(from.w2);
  to.b2.set(from.b2);
}

// Users with a history: the rows an epoch trains on.
function activeUsers(data: TrainingSet): number {
  const { indptr } = data.ratings;
  let users = 0;
  for (let u = 0; u < data.nUsers; u++) if (indptr[u + 1] > indptr[u]) users++;
  return users;
}

export const multVae = {
  name: "multVae",
  defaults: multVaeDefaults,
  // What fit() costs (fitCost.ts). Each epoch runs the dense output layer
  // three times over every user with a history (forward, the W₂ gradient, and
  // back to the hidden layer): 3·U·H·I multiply-adds, which is the cost; the
  // sparse input layer adds 2·nnz·H, Adam updates all 2·I·H + I + H
  // parameters once per batch, and early stopping ranks every item for the
  // validation users (V·H·I) when early stopping is on (then nEpochs is the
  // most it runs, so the figure is a bound). Memory: W₁ and W₂ with their gradients and two Adam
  // moments (8·I·H floats), a copy of the best weights, the logits of a batch.
  estimateCost(data: TrainingSet, params: Partial<MultVaeParams>): FitCost {
    const p = { ...multVaeDefaults, ...params };
    const users = activeUsers(data);
    const h = p.hiddenDim;
    const n = data.nItems;
    const nnz = data.ratings.indices.length;
    const batch = Math.max(1, Math.min(p.batchSize, users));
    const parameters = 2 * n * h + n + h;
    const validation = p.validationUsers > 0 ? Math.round(p.validationUsers * users) : 0;
    const perEpoch = 3 * users * h * n + 2 * nnz * h + Math.ceil(users / batch) * parameters + validation * h * n;
    return {
      multiplyAdds: p.nEpochs * perEpoch,
      bytes: 4 * ((validation > 0 ? 5 : 4) * parameters + batch * n + 2 * batch * h) + 8 * nnz,
    };
  },
  fit(data: TrainingSet, params: Partial<MultVaeParams>, options: FitOptions): MultVaeModel {
    const p = { ...multVaeDefaults, ...params };
    const { nUsers, nItems, ratings } = data;
    const { indptr, indices } = ratings;
    const h = p.hiddenDim;
    const n = nItems;
    const rng = createRng(options.seed);
    // Xavier/Glorot uniform initialisation, as the paper's code.
    const xavier = (w: Float32Array, fanIn: number, fanOut: number): void => {
      const a = Math.sqrt(6 / (fanIn + fanOut));
      for (let x = 0; x < w.length; x++) w[x] = (2 * rng.next() - 1) * a;
    };
    const net = daeWeights(n, h);
    const grad = daeWeights(n, h);
    xavier(net.w1, n, h);
    xavier(net.w2, h, n);
    const w1 = new AdamParam(net.w1, grad.w1);
    const b1 = new AdamParam(net.b1, grad.b1);
    const w2 = new AdamParam(net.w2, grad.w2);
    const b2 = new AdamParam(net.b2, grad.b2);

    // Early stopping trains on the rows without the validation entries.
    const split = p.validationUsers > 0 ? daeValidationSplit(data, p.validationUsers, options.seed) : undefined;
    const validating = split !== undefined && split.users.length > 0;
    const rows = validating ? split.indptr : indptr;
    const entries = validating ? split.indices : indices;
    const best = validating ? daeWeights(n, h) : undefined;
    let bestNdcg = Number.NEGATIVE_INFINITY;
    let bestEpoch = 0;

    const order = new Int32Array(activeUsers(data));
    for (let u = 0, k = 0; u < nUsers; u++) if (indptr[u + 1] > indptr[u]) order[k++] = u;
    const batchSize = Math.max(1, Math.min(p.batchSize, order.length));
    const batch = daeBatch(batchSize, entries.length, entries);
    const work = daeWorkspace(net, batchSize);
    const keep = 1 - p.dropout;
    let step = 0;
    let epochs = 0;
    for (let epoch = 0; epoch < p.nEpochs; epoch++) {
      shuffle(order, rng);
      for (let start = 0; start < order.length; start += batchSize) {
        const end = Math.min(order.length, start + batchSize);
        batch.size = end - start;
        batch.lossScale = 1 / batch.size; // the loss is the batch mean
        let count = 0;
        for (let t = start; t < end; t++) {
          const u = order[t];
          const b = t - start;
          // x/‖x‖ then inverted dropout, as the paper's code (normalize, then dropout).
          const xv = 1 / Math.sqrt(rows[u + 1] - rows[u]) / keep;
          batch.inputIndptr[b] = count;
          for (let e = rows[u]; e < rows[u + 1]; e++) {
            if (rng.next() < keep) {
              batch.inputItems[count] = entries[e];
              batch.inputValues[count] = xv;
              count++;
            }
          }
          batch.inputIndptr[b + 1] = count;
          batch.targetStart[b] = rows[u];
          batch.targetEnd[b] = rows[u + 1];
        }
        daeGradient(net, grad, batch, work);
        step++;
        w1.step(p.learningRate, step, p.weightDecay);
        b1.step(p.learningRate, step, 0);
        w2.step(p.learningRate, step, p.weightDecay);
        b2.step(p.learningRate, step, 0);
      }
      epochs = epoch + 1;
      options.onProgress?.(epochs / p.nEpochs);
      if (validating) {
        const ndcg = daeValidationNdcg(net, split, work.hid, work.out);
        if (ndcg > bestNdcg) {
          bestNdcg = ndcg;
          bestEpoch = epochs;
          copyWeights(net, best!);
        } else if (epochs - bestEpoch >= p.patience) break;
      }
    }
    if (validating) copyWeights(best!, net);
    options.onProgress?.(1);

    // What early stopping chose, kept in the stored version's metadata.
    const trained: Record<string, number> = validating ? { epochs: bestEpoch, epochsRun: epochs, validationNdcg: bestNdcg } : { epochs };
    const serving = multVaeServing(p, net, trained);
    const model: MultVaeModel = {
      ...serving,
      name: "multVae",
      hiddenDim: h,
      epochs: trained.epochs,
      encoder: net.w1,
      decoder: net.w2,
      // Logits of the multinomial for the user's training row (the forward
      // pass without dropout); a user without rows gets the bias-only
      // (popularity-like) ranking.
      scoreAll(user) {
        const known = user >= 0 && user < nUsers;
        const row = known ? indices.subarray(indptr[user], indptr[user + 1]) : new Int32Array(0);
        return serving.scoreHistory({ items: row, values: new Float32Array(row.length) });
      },
    };
    return model;
  },
  deserialize(serialized: SerializedModel): MultVaeModel {
    checkAlgorithm("multVae", serialized);
    const p = { ...multVaeDefaults, ...(serialized.params as Partial<MultVaeParams>) };
    const b2 = serializedArray("multVae", serialized, "decoderBias", Float32Array);
    const b1 = serializedArray("multVae", serialized, "encoderBias", Float32Array);
    const net: DaeWeights = {
      hidden: b1.length,
      items: b2.length,
      w1: serializedArray("multVae", serialized, "encoder", Float32Array),
      b1,
      w2: serializedArray("multVae", serialized, "decoder", Float32Array),
      b2,
    };
    const trained: Record<string, number> = {};
    for (const key of ["epochs", "epochsRun", "validationNdcg"]) if (typeof serialized.meta[key] === "number") trained[key] = serialized.meta[key] as number;
    const serving = multVaeServing(p, net, trained);
    const empty = { items: new Int32Array(0), values: new Float32Array(0) };
    // No user is stored: an unknown user gets the bias-only ranking, as in scoreAll.
    return { ...serving, name: "multVae", hiddenDim: net.b1.length, epochs: trained.epochs, encoder: net.w1, decoder: net.w2, scoreAll: () => serving.scoreHistory(empty) };
  },
} satisfies Algorithm<MultVaeParams> & CostedAlgorithm<MultVaeParams>;
