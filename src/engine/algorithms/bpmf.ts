// Bayesian probabilistic matrix factorisation (Salakhutdinov & Mnih, ICML
// 2008), fitted by Gibbs sampling. Ratings are modelled as
//   r_ui ~ N(b_ui + U_u·V_i, 1/α)
// with Gaussian user and item factors whose means and precisions have a
// Gaussian-Wishart hyperprior (μ0 = 0, β0 = 2, ν0 = D, W0 = I, as in the
// paper), and b_ui the baseline estimate (mu + b_u + b_i, baseline.ts) or the
// global mean. Each sweep samples the hyperparameters of users, every user's
// factors given the items', the hyperparameters of items, then every item's
// factors given the users'. A prediction averages U_u·V_i over the samples
// kept after burn-in, so the model carries its uncertainty instead of a single
// point estimate; the paper reports this beats MAP-fitted (SGD) factorisation
// on Netflix, and as a blend input it differs from the SGD models in kind.
import { transpose } from "../data/CsrMatrix";
import { choleskyInPlace, choleskySolveInPlace } from "../linalg/cholesky";
import { invertSpd } from "../linalg/invertSpd";
import { createRng, type Rng, gaussianArray } from "../random";
import { clipToScale } from "../recommender/clipToScale";
import type { Algorithm, Model, TrainingSet } from "../types";
import { fitBaselines } from "./baseline";

export interface BpmfParams {
  nFactors: number;
  // Observation precision α: a number (the paper fixed 2), or "sample" to
  // draw it each sweep from its posterior under a vague Gamma(1, 1) prior, so
  // the noise level is learned from the data rather than set per dataset.
  alpha: number | "sample";
  // Sweeps discarded, then sweeps whose samples are averaged.
  burnIn: number;
  nSamples: number;
  // What the factors model: the residual from the baseline estimate, or from the global mean.
  center: "baseline" | "mean";
  // Standard deviation of the initial factors.
  initStd: number;
}

export const BPMF_DEFAULTS: BpmfParams = {
  nFactors: 10,
  alpha: "sample",
  burnIn: 50,
  nSamples: 200,
  center: "mean",
  initStd: 0.1,
};

// Gamma(shape, 1) for shape >= 1 (Marsaglia & Tsang 2000).
export function sampleGamma(shape: number, rng: Rng): number {
  if (shape < 1) return sampleGamma(shape + 1, rng) * Math.pow(rng.next() || Number.MIN_VALUE, 1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = rng.normal();
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = rng.next();
    if (u < 1 - 0.0331 * x * x * x * x) return d * v;
    if (Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
  }
}

// A draw from the Wishart distribution W(scale, dof), D x D row-major, by
// Bartlett's decomposition: with scale = L Lᵀ and A lower triangular,
// A_jj = sqrt(χ²(dof - j)), A_jk ~ N(0, 1) below the diagonal, the draw is
// L A Aᵀ Lᵀ. `scale` must be symmetric positive definite.
export function sampleWishart(scale: Float64Array, dof: number, d: number, rng: Rng): Float64Array {
  const l = Float64Array.from(scale);
  if (!choleskyInPlace(l, d)) throw new Error("sampleWishart: scale is not positive definite");
  const a = new Float64Array(d * d);
  for (let j = 0; j < d; j++) {
    a[j * d + j] = Math.sqrt(2 * sampleGamma((dof - j) / 2, rng));
    for (let k = 0; k < j; k++) a[j * d + k] = rng.normal();
  }
  // m = L A (both lower triangular).
  const m = new Float64Array(d * d);
  for (let i = 0; i < d; i++)
    for (let k = 0; k <= i; k++) {
      let s = 0;
      for (let t = k; t <= i; t++) s += l[i * d + t] * a[t * d + k];
      m[i * d + k] = s;
    }
  const out = new Float64Array(d * d);
  for (let i = 0; i < d; i++)
    for (let j = 0; j <= i; j++) {
      let s = 0;
      for (let k = 0; k <= j; k++) s += m[i * d + k] * m[j * d + k];
      out[i * d + j] = s;
      out[j * d + i] = s;
    }
  return out;
}

// x ~ N(mean, P⁻¹) given the Cholesky factor L of the precision P = L Lᵀ:
// x = mean + L⁻ᵀ z. Writes into `out`.
function sampleWithPrecisionFactor(l: Float64Array, d: number, mean: Float64Array, rng: Rng, out: Float64Array, offset: number): void {
  const z = new Float64Array(d);
  for (let k = 0; k < d; k++) z[k] = rng.normal();
  for (let i = d - 1; i >= 0; i--) {
    let s = z[i];
    for (let k = i + 1; k < d; k++) s -= l[k * d + i] * z[k];
    z[i] = s / l[i * d + i];
  }
  for (let k = 0; k < d; k++) out[offset + k] = mean[k] + z[k];
}

interface Hyper {
  mu: Float64Array;
  lambda: Float64Array;
}

// Samples (μ, Λ) of the rows of `f` (n x d) from their Gaussian-Wishart
// posterior with prior μ0 = 0, β0, ν0 = d, W0 = I.
function sampleHyper(f: Float64Array, n: number, d: number, beta0: number, rng: Rng): Hyper {
  const mean = new Float64Array(d);
  for (let r = 0; r < n; r++) for (let k = 0; k < d; k++) mean[k] += f[r * d + k];
  for (let k = 0; k < d; k++) mean[k] /= Math.max(1, n);
  // W*⁻¹ = W0⁻¹ + n S̄ + β0 n / (β0 + n) ū ūᵀ
  const winv = new Float64Array(d * d);
  for (let k = 0; k < d; k++) winv[k * d + k] = 1;
  for (let r = 0; r < n; r++)
    for (let a = 0; a < d; a++) {
      const da = f[r * d + a] - mean[a];
      for (let b = 0; b <= a; b++) winv[a * d + b] += da * (f[r * d + b] - mean[b]);
    }
  const shrink = (beta0 * n) / (beta0 + n);
  for (let a = 0; a < d; a++)
    for (let b = 0; b <= a; b++) {
      winv[a * d + b] += shrink * mean[a] * mean[b];
      winv[b * d + a] = winv[a * d + b];
    }
  const w = invertSpd(winv, d);
  if (!w) throw new Error("bpmf: posterior scale is singular");
  for (let a = 0; a < d; a++) for (let b = 0; b < a; b++) w[a * d + b] = w[b * d + a] = 0.5 * (w[a * d + b] + w[b * d + a]);
  const lambda = sampleWishart(w, d + n, d, rng);
  const betaStar = beta0 + n;
  const muStar = new Float64Array(d);
  for (let k = 0; k < d; k++) muStar[k] = (n * mean[k]) / betaStar;
  const prec = new Float64Array(d * d);
  for (let t = 0; t < d * d; t++) prec[t] = betaStar * lambda[t];
  if (!choleskyInPlace(prec, d)) throw new Error("bpmf: sampled precision is not positive definite");
  const mu = new Float64Array(d);
  sampleWithPrecisionFactor(prec, d, muStar, rng, mu, 0);
  return { mu, lambda };
}

// Samples every row r of `target` given the other side's factors `other`,
// the residuals of row r (CSR over the other side) and the hyperparameters.
function sampleSide(
  target: Float64Array,
  other: Float64Array,
  indptr: Int32Array,
  indices: Int32Array,
  residual: Float64Array,
  n: number,
  d: number,
  alpha: number,
  hyper: Hyper,
  rng: Rng,
): void {
  const prec = new Float64Array(d * d);
  const rhs = new Float64Array(d);
  const lambdaMu = new Float64Array(d);
  for (let a = 0; a < d; a++) {
    let s = 0;
    for (let b = 0; b < d; b++) s += hyper.lambda[a * d + b] * hyper.mu[b];
    lambdaMu[a] = s;
  }
  for (let r = 0; r < n; r++) {
    prec.set(hyper.lambda);
    rhs.set(lambdaMu);
    for (let e = indptr[r]; e < indptr[r + 1]; e++) {
      const o = indices[e] * d;
      const y = residual[e];
      for (let a = 0; a < d; a++) {
        const va = alpha * other[o + a];
        rhs[a] += va * y;
        for (let b = 0; b <= a; b++) prec[a * d + b] += va * other[o + b];
      }
    }
    if (!choleskyInPlace(prec, d)) throw new Error("bpmf: row precision is not positive definite");
    choleskySolveInPlace(prec, d, rhs);
    sampleWithPrecisionFactor(prec, d, rhs, rng, target, r * d);
  }
}

// α | rest ~ Gamma(1 + n/2, rate 1 + SSE/2), SSE the squared residuals of the current factors.
function sampleAlpha(U: Float64Array, V: Float64Array, indptr: Int32Array, indices: Int32Array, residual: Float64Array, nUsers: number, d: number, rng: Rng): number {
  let sse = 0;
  for (let u = 0; u < nUsers; u++)
    for (let e = indptr[u]; e < indptr[u + 1]; e++) {
      const o = indices[e] * d;
      let dot = 0;
      for (let k = 0; k < d; k++) dot += U[u * d + k] * V[o + k];
      const err = residual[e] - dot;
      sse += err * err;
    }
  const n = residual.length;
  return sampleGamma(1 + n / 2, rng) / (1 + sse / 2);
}

export interface BpmfModel extends Model {
  // Kept samples, each (nUsers x d) and (nItems x d).
  readonly userSamples: Float32Array[];
  readonly itemSamples: Float32Array[];
}

export const bpmf: Algorithm<BpmfParams> = {
  name: "bpmf",
  defaults: BPMF_DEFAULTS,
  fit(data: TrainingSet, params, options): BpmfModel {
    const p = { ...BPMF_DEFAULTS, ...params };
    const d = p.nFactors;
    const { nUsers, nItems } = data;
    const R = data.ratings;
    const base = fitBaselines(data);
    const offset = (u: number, i: number): number => (p.center === "baseline" ? base.globalMean + base.userBias[u] + base.itemBias[i] : base.globalMean);
    const rowResidual = new Float64Array(R.indices.length);
    for (let u = 0; u < nUsers; u++) for (let e = R.indptr[u]; e < R.indptr[u + 1]; e++) rowResidual[e] = R.values[e] - offset(u, R.indices[e]);
    // Item-major copy of the residuals (float32 is ample for them).
    const byItem = transpose({ ...R, values: Float32Array.from(rowResidual) });
    const colResidual = Float64Array.from(byItem.values);
    const colUsers = byItem.indices;

    const rng = createRng(options.seed);
    const U = gaussianArray(nUsers * d, p.initStd, rng);
    const V = gaussianArray(nItems * d, p.initStd, rng);
    const userSamples: Float32Array[] = [];
    const itemSamples: Float32Array[] = [];
    const sweeps = p.burnIn + p.nSamples;
    let alpha = p.alpha === "sample" ? 2 : p.alpha;
    for (let s = 0; s < sweeps; s++) {
      const hu = sampleHyper(U, nUsers, d, 2, rng);
      sampleSide(U, V, R.indptr, R.indices, rowResidual, nUsers, d, alpha, hu, rng);
      const hv = sampleHyper(V, nItems, d, 2, rng);
      sampleSide(V, U, byItem.indptr, colUsers, colResidual, nItems, d, alpha, hv, rng);
      if (p.alpha === "sample") alpha = sampleAlpha(U, V, R.indptr, R.indices, rowResidual, nUsers, d, rng);
      if (s >= p.burnIn) {
        userSamples.push(Float32Array.from(U));
        itemSamples.push(Float32Array.from(V));
      }
      options.onProgress?.((s + 1) / sweeps);
    }
    const nKept = userSamples.length;
    const interaction = (u: number, i: number): number => {
      if (nKept === 0) return 0;
      let total = 0;
      for (let s = 0; s < nKept; s++) {
        const us = userSamples[s];
        const vs = itemSamples[s];
        let dot = 0;
        for (let k = 0; k < d; k++) dot += us[u * d + k] * vs[i * d + k];
        total += dot;
      }
      return total / nKept;
    };
    // A user (or item) without training ratings has no factors learned from
    // data: answer with the baseline estimate (mu + b_i for a new user) as
    // the other factorisation models do.
    const userRows = (u: number): number => (u >= 0 && u < nUsers ? R.indptr[u + 1] - R.indptr[u] : 0);
    const itemRows = (i: number): number => (i >= 0 && i < nItems ? byItem.indptr[i + 1] - byItem.indptr[i] : 0);
    const raw = (u: number, i: number): number => {
      const hasUser = userRows(u) > 0;
      const hasItem = itemRows(i) > 0;
      if (!hasUser || !hasItem) return base.globalMean + (hasUser ? base.userBias[u] : 0) + (hasItem ? base.itemBias[i] : 0);
      return offset(u, i) + interaction(u, i);
    };
    return {
      name: "bpmf",
      userSamples,
      itemSamples,
      predict: (u, i) => clipToScale(raw(u, i), data.ratingScale),
      scoreAll(u) {
        const out = new Float32Array(nItems);
        for (let i = 0; i < nItems; i++) out[i] = raw(u, i);
        return out;
      },
    };
  },
};
