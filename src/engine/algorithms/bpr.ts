// BPR-MF, Rendle, Freudenthaler, Gantner & Schmidt-Thieme (2009), "BPR:
// Bayesian Personalized Ranking from Implicit Feedback". LearnBPR (fig. 4):
// bootstrap-sample triples (u, i, j) with i a training positive of u and j an
// item u has not interacted with, and ascend ln σ(x̂_uij) − λ‖Θ‖² where
//   x̂_uij = x̂_ui − x̂_uj,   x̂_ui = b_i + p_uᵀ q_i
// (the item bias is the usual addition, e.g. in MyMediaLite/Cornac).
// Sampling uses the seeded rng only, so a seed fixes the model.
import { nearestRows } from "../linalg/nearestRows";
import { createRng } from "../random";
import type { Algorithm, FitOptions, Model, TrainingSet } from "../types";

export interface BprParams {
  nFactors: number;
  // One epoch draws as many triples as there are training entries.
  nEpochs: number;
  learningRate: number;
  regularization: number;
  initStd: number;
}

// Chosen on a validation split inside the training data (MovieLens-100K,
// msr-stratified protocol); see the algorithm's tests for the pinned values.
export const bprDefaults: BprParams = {
  nFactors: 64,
  nEpochs: 60,
  learningRate: 0.05,
  regularization: 0.02,
  initStd: 0.1,
};

export interface BprModel extends Model {
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

export const bpr = {
  name: "bpr",
  defaults: bprDefaults,
  fit(data: TrainingSet, params: Partial<BprParams>, options: FitOptions): BprModel {
    const p = { ...bprDefaults, ...params };
    const { nUsers, nItems, ratings } = data;
    const { indptr, indices } = ratings;
    const k = p.nFactors;
    const rng = createRng(options.seed);
    const pu = new Float64Array(nUsers * k);
    const qi = new Float64Array(nItems * k);
    const bi = new Float64Array(nItems);
    for (let t = 0; t < pu.length; t++) pu[t] = p.initStd * rng.normal();
    for (let t = 0; t < qi.length; t++) qi[t] = p.initStd * rng.normal();
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
      similarItems: (item, n) => nearestRows(qi, nItems, k, item, n),
      similarUsers: (user, n) => nearestRows(pu, nUsers, k, user, n),
    };
    return model;
  },
} satisfies Algorithm<BprParams>;
