// SVD++ (Koren 2008, "Factorization Meets the Neighborhood: a Multifaceted
// Collaborative Filtering Model", eq. 15), as Surprise's SVDpp:
//   r̂_ui = μ + b_u + b_i + q_iᵀ (p_u + |N(u)|^-½ Σ_{j∈N(u)} y_j)
// where N(u) is the set of items u rated (the implicit feedback).
//
// Speed-up over Surprise, as efficient implementations (LibRec, Gorse) do:
// the epoch visits users in a seeded random order and each user's ratings in
// a seeded random order; the implicit sum z_u = |N(u)|^-½ Σ y_j is computed
// once per user visit and the y_j gradients are accumulated over the user's
// ratings and applied once at the end of the visit (including the
// |R(u)| regularisation steps Surprise applies one rating at a time). z_u is
// kept current within the visit by adding each q_i step's effect on it, so the
// arithmetic matches the per-rating update to first order while costing
// O(|N(u)|·k) per user instead of per rating.
import { createRng, shuffle } from "../random";
import { biasedMfModel, zeroUntrained, type BiasedMfModel } from "./svd";
import type { Algorithm, FitOptions, TrainingSet } from "../types";

export interface SvdppParams {
  nFactors: number;
  nEpochs: number;
  lrAll: number;
  regAll: number;
  initMean: number;
  initStd: number;
  // Multiplies lrAll/regAll for the biases (Surprise allows per-term lr/reg).
  lrBiasScale: number;
  regBiasScale: number;
  // Per-epoch multiplicative learning-rate decay (1 = none, as Surprise).
  lrDecay: number;
}

export const svdppDefaults: SvdppParams = {
  nFactors: 20,
  nEpochs: 20,
  lrAll: 0.007,
  regAll: 0.02,
  initMean: 0,
  initStd: 0.1,
  lrBiasScale: 1,
  regBiasScale: 1,
  lrDecay: 1,
};

export interface SvdppModel extends BiasedMfModel {
  // p_u + z_u, the effective user vector (also `userFactors`).
  readonly userVectors: Float64Array;
  readonly implicitFactors: Float64Array;
}

export const svdpp = {
  name: "svdpp",
  defaults: svdppDefaults,
  fit(data: TrainingSet, params: Partial<SvdppParams>, options: FitOptions): SvdppModel {
    const p = { ...svdppDefaults, ...params };
    const { nUsers, nItems, ratings } = data;
    const { indptr, indices, values } = ratings;
    const k = p.nFactors;
    const rng = createRng(options.seed);
    const pu = new Float64Array(nUsers * k);
    const qi = new Float64Array(nItems * k);
    const yj = new Float64Array(nItems * k);
    for (let x = 0; x < pu.length; x++) pu[x] = p.initMean + p.initStd * rng.normal();
    for (let x = 0; x < qi.length; x++) qi[x] = p.initMean + p.initStd * rng.normal();
    for (let x = 0; x < yj.length; x++) yj[x] = p.initMean + p.initStd * rng.normal();
    const bu = new Float64Array(nUsers);
    const bi = new Float64Array(nItems);
    const nnz = indices.length;
    let mu = 0;
    for (let e = 0; e < nnz; e++) mu += values[e];
    mu = nnz > 0 ? mu / nnz : 0;

    const users = new Int32Array(nUsers);
    for (let u = 0; u < nUsers; u++) users[u] = u;
    const order = new Int32Array(nnz);
    for (let e = 0; e < nnz; e++) order[e] = e;
    const z = new Float64Array(k);
    const gy = new Float64Array(k);
    let lr = p.lrAll;
    const reg = p.regAll;
    const regB = p.regAll * p.regBiasScale;
    for (let epoch = 0; epoch < p.nEpochs; epoch++) {
      const lrB = lr * p.lrBiasScale;
      shuffle(users, rng);
      for (let t = 0; t < nUsers; t++) {
        const u = users[t];
        const start = indptr[u];
        const end = indptr[u + 1];
        const n = end - start;
        if (n === 0) continue;
        shuffle(order.subarray(start, end), rng);
        const norm = 1 / Math.sqrt(n);
        z.fill(0);
        for (let e = start; e < end; e++) {
          const jo = indices[e] * k;
          for (let f = 0; f < k; f++) z[f] += yj[jo + f];
        }
        for (let f = 0; f < k; f++) z[f] *= norm;
        gy.fill(0);
        const uo = u * k;
        for (let s = start; s < end; s++) {
          const e = order[s];
          const i = indices[e];
          const io = i * k;
          let dot = 0;
          for (let f = 0; f < k; f++) dot += qi[io + f] * (pu[uo + f] + z[f]);
          const err = values[e] - (mu + bu[u] + bi[i] + dot);
          bu[u] += lrB * (err - regB * bu[u]);
          bi[i] += lrB * (err - regB * bi[i]);
          for (let f = 0; f < k; f++) {
            const puf = pu[uo + f];
            const qif = qi[io + f];
            pu[uo + f] += lr * (err * qif - reg * puf);
            qi[io + f] += lr * (err * (puf + z[f]) - reg * qif);
            // Each y_j moves by lr·err·q_if·norm, so z moves by lr·err·q_if·norm²·|N(u)| = lr·err·q_if.
            const step = err * qif * norm;
            gy[f] += step;
            z[f] += lr * step * n * norm;
          }
        }
        // Apply the accumulated y_j step; n per-rating decays of (1 − lr·reg) in one go.
        const decay = Math.pow(1 - lr * reg, end - start);
        for (let e = start; e < end; e++) {
          const jo = indices[e] * k;
          for (let f = 0; f < k; f++) yj[jo + f] = yj[jo + f] * decay + lr * gy[f];
        }
      }
      lr *= p.lrDecay;
      options.onProgress?.((epoch + 1) / p.nEpochs);
    }

    // Effective user vectors p_u + z_u, from the final y.
    zeroUntrained(data, pu, qi, k);
    const uv = new Float64Array(nUsers * k);
    for (let u = 0; u < nUsers; u++) {
      const n = indptr[u + 1] - indptr[u];
      if (n === 0) continue;
      const norm = 1 / Math.sqrt(n);
      const uo = u * k;
      for (let e = indptr[u]; e < indptr[u + 1]; e++) {
        const jo = indices[e] * k;
        for (let f = 0; f < k; f++) uv[uo + f] += yj[jo + f] * norm;
      }
      for (let f = 0; f < k; f++) uv[uo + f] += pu[uo + f];
    }
    // With the effective user vectors, SVD++ predicts exactly as biased MF does.
    return { ...biasedMfModel("svdpp", data, mu, bu, bi, uv, qi, k), userVectors: uv, implicitFactors: yj };
  },
} satisfies Algorithm<SvdppParams>;
