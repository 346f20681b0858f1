// BPR-MF, Rendle, Freudenthaler, Gantner & Schmidt-Thieme (2009), "BPR:
// Bayesian Personalized Ranking from Implicit Feedback". LearnBPR (fig. 4):
// bootstrap-sample triples (u, i, j) with i a training positive of u and j an
// item u has not interacted with, and ascend ln σ(x̂_uij) − λ‖Θ‖² where
//   x̂_uij = x̂_ui − x̂_uj,   x̂_ui = b_i + p_uᵀ q_i
// (the item bias is the usual addition, e.g. in MyMediaLite/Cornac).
// Sampling uses the seeded rng only, so a seed fixes the model.
//
// Serving stores the item factors and biases only and folds a user in at
// request time by LearnBPR itself with the item side frozen: the user vector
// starts at 0 and takes the updates training gave it (n_u sampled triples per
// epoch, nEpochs epochs, same learning rate and λ), negatives drawn from a
// fixed seed so the same history always gets the same scores. Why not a
// closed form: BPR's loss has none, and a least-squares projection onto the
// item factors optimises a different objective (its rankings drift from the
// trained ones); replaying the optimiser costs O(nEpochs·n_u·k), well under
// the O(nItems·k) of scoring itself for usual histories.
import { nearestRows } from "../linalg/nearestRows";
import { createRng, gaussianArray } from "../random";
import type { Algorithm, Evidence, FitOptions, Model, SerializedModel, TrainingSet, UserHistory } from "../types";
import { factorEvidence } from "./factorEvidence";
import { checkAlgorithm, serializedArray } from "./serializedArray";
import { NO_USER_STATE } from "../userState";

export interface BprParams {
  nFactors: number;
  // One epoch draws as many triples as there are training entries.
  nEpochs: number;
  learningRate: number;
  regularization: number;
  initStd: number;
  // Seed of the negatives drawn when folding a user in at serving time.
  foldInSeed: number;
}

// Chosen on a validation split inside the training data (MovieLens-100K,
// msr-stratified protocol); see the algorithm's tests for the pinned values.
export const bprDefaults: BprParams = {
  nFactors: 64,
  nEpochs: 60,
  learningRate: 0.05,
  regularization: 0.02,
  initStd: 0.1,
  foldInSeed: 1,
};

export interface BprModel extends Model {
  // Empty in a model loaded from storage: users are folded in from their history.
  readonly userFactors: Float64Array;
  readonly itemFactors: Float64Array;
  readonly itemBias: Float64Array;
}

// Whether `item` is among the sorted indices[start, end).
function contains(indices: Int32Array, start: number, end: number, item: number): boolean {
  let lo = start;
  let hi = end - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const v = indices[mid];
    if (v === item) return true;
    if (v < item) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}

// What is stored and served: item factors and biases (float32).
function bprServing(p: BprParams, q: Float32Array, b: Float32Array): Required<Pick<Model, "scoreHistory" | "explainHistory" | "similarItems" | "serialize">> {
  const k = p.nFactors;
  const nItems = b.length;
  const score = (pu: Float64Array | undefined, out: Float32Array): Float32Array => {
    for (let i = 0; i < nItems; i++) {
      let s = b[i];
      if (pu) for (let f = 0; f < k; f++) s += pu[f] * q[i * k + f];
      out[i] = s;
    }
    return out;
  };

  function userFactor(history: UserHistory): Float64Array | undefined {
    const items = Int32Array.from(Array.from(history.items).filter((i) => i >= 0 && i < nItems)).sort();
    const n = items.length;
    if (n === 0 || n >= nItems) return undefined;
    const rng = createRng(p.foldInSeed);
    const pu = new Float64Array(k);
    const lr = p.learningRate;
    const reg = p.regularization;
    for (let epoch = 0; epoch < p.nEpochs; epoch++) {
      for (let s = 0; s < n; s++) {
        const i = items[rng.int(n)];
        let j = rng.int(nItems);
        while (contains(items, 0, n, j)) j = rng.int(nItems);
        const io = i * k;
        const jo = j * k;
        let x = b[i] - b[j];
        for (let f = 0; f < k; f++) x += pu[f] * (q[io + f] - q[jo + f]);
        const g = 1 / (1 + Math.exp(x));
        for (let f = 0; f < k; f++) pu[f] += lr * (g * (q[io + f] - q[jo + f]) - reg * pu[f]);
      }
    }
    return pu;
  }

  return {
    scoreHistory: (history) => score(userFactor(history), new Float32Array(nItems)),
    explainHistory: (history, item, maxEvidence): Evidence[] => factorEvidence(q, k, history, item, maxEvidence),
    similarItems: (item, n) => nearestRows(q, nItems, k, item, n),
    serialize: (): SerializedModel => ({ algorithm: "bpr", params: { ...p }, meta: { nItems, nFactors: k }, arrays: { itemFactors: q, itemBias: b }, userState: NO_USER_STATE }),
  };
}

export const bpr = {
  name: "bpr",
  defaults: bprDefaults,
  fit(data: TrainingSet, params: Partial<BprParams>, options: FitOptions): BprModel {
    const p = { ...bprDefaults, ...params };
    const { nUsers, nItems, ratings } = data;
    const { indptr, indices } = ratings;
    const k = p.nFactors;
    const rng = createRng(options.seed);
    const pu = gaussianArray(nUsers * k, p.initStd, rng);
    const qi = gaussianArray(nItems * k, p.initStd, rng);
    const bi = new Float64Array(nItems);
    const nnz = indices.length;
    const rowOf = new Int32Array(nnz);
    for (let u = 0; u < nUsers; u++) for (let e = indptr[u]; e < indptr[u + 1]; e++) rowOf[e] = u;
    const lr = p.learningRate;
    const reg = p.regularization;
    for (let epoch = 0; epoch < p.nEpochs && nnz > 0; epoch++) {
      for (let s = 0; s < nnz; s++) {
        const e = rng.int(nnz);
        const u = rowOf[e];
        const i = indices[e];
        const start = indptr[u];
        const end = indptr[u + 1];
        if (end - start >= nItems) continue; // the user has interacted with everything: no negative
        let j = rng.int(nItems);
        while (contains(indices, start, end, j)) j = rng.int(nItems);
        const uo = u * k;
        const io = i * k;
        const jo = j * k;
        let x = bi[i] - bi[j];
        for (let f = 0; f < k; f++) x += pu[uo + f] * (qi[io + f] - qi[jo + f]);
        // d ln σ(x)/dx = σ(−x)
        const g = 1 / (1 + Math.exp(x));
        bi[i] += lr * (g - reg * bi[i]);
        bi[j] += lr * (-g - reg * bi[j]);
        for (let f = 0; f < k; f++) {
          const puf = pu[uo + f];
          const qif = qi[io + f];
          const qjf = qi[jo + f];
          pu[uo + f] += lr * (g * (qif - qjf) - reg * puf);
          qi[io + f] += lr * (g * puf - reg * qif);
          qi[jo + f] += lr * (-g * puf - reg * qjf);
        }
      }
      options.onProgress?.((epoch + 1) / p.nEpochs);
    }
    for (let u = 0; u < nUsers; u++) if (indptr[u] === indptr[u + 1]) pu.fill(0, u * k, u * k + k);
    const model: BprModel = {
      ...bprServing(p, Float32Array.from(qi), Float32Array.from(bi)),
      name: "bpr",
      userFactors: pu,
      itemFactors: qi,
      itemBias: bi,
      scoreAll(user) {
        const out = new Float32Array(nItems);
        const known = user >= 0 && user < nUsers;
        const uo = user * k;
        for (let i = 0; i < nItems; i++) {
          let s = bi[i];
          if (known) for (let f = 0; f < k; f++) s += pu[uo + f] * qi[i * k + f];
          out[i] = s;
        }
        return out;
      },
      similarUsers: (user, n) => nearestRows(pu, nUsers, k, user, n),
    };
    return model;
  },
  deserialize(serialized: SerializedModel): BprModel {
    checkAlgorithm("bpr", serialized);
    const p = { ...bprDefaults, ...(serialized.params as Partial<BprParams>) };
    const q = serializedArray("bpr", serialized, "itemFactors", Float32Array);
    const b = serializedArray("bpr", serialized, "itemBias", Float32Array);
    const serving = bprServing(p, q, b);
    const empty = { items: new Int32Array(0), values: new Float32Array(0) };
    return {
      ...serving,
      name: "bpr",
      userFactors: new Float64Array(0),
      itemFactors: Float64Array.from(q),
      itemBias: Float64Array.from(b),
      // No user is stored: an unknown user gets the item biases.
      scoreAll: () => serving.scoreHistory(empty),
    };
  },
} satisfies Algorithm<BprParams>;
