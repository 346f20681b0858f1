// A hybrid of several algorithms blended on held-out training data
// (feature-weighted linear blending, Sill et al. 2009; the "blend on a probe
// set, then retrain on everything" recipe of the Netflix Prize teams, Töscher,
// Jahrer & Bell 2009).
//
//   1. Split the training data per user (seeded): a share of each user's rows
//      becomes the validation set; test data is never seen here.
//   2. Fit every component on the rest (sub-train).
//   3. Fit the blend on validation:
//      - "rating": least squares of the ratings on the components' predictions
//        with an intercept;
//      - "ranking": non-negative weights over per-user normalised scores
//        (min-max or z-score over the items the user has not interacted with),
//        chosen by coordinate search on a grid to maximise validation nDCG@10.
//   4. Refit every component on all the training data and serve the blend.
//
// Serving (ranking blends): stored as its parts (each component's own
// serialized arrays, prefixed "<position>.") plus the weights; a user is
// scored by blending the parts' scoreHistory with the normalisation of
// training, over the items not in the history (the training mask), so no
// part needs user state.
import { csrFromTriplets } from "../data/CsrMatrix";
import { ease } from "./ease";
import { ials, ialsDefaults } from "./ials";
import { rp3beta } from "./rp3beta";
import { implicitScore } from "./implicitScore";
import { itemKnn } from "./itemKnn";
import { svd } from "./svd";
import { svdpp } from "./svdpp";
import { userKnn } from "./userKnn";
import { baselineOnly } from "./baseline";
import { bpmf } from "./bpmf";
import { choleskyInPlace, choleskySolveInPlace } from "../linalg/cholesky";
import { createRng, shuffle } from "../random";
import { TopKHeap } from "../recommender/TopKHeap";
import type { Algorithm, Evidence, FitOptions, Model, SerializedModel, TrainingSet, UserHistory } from "../types";
import { checkAlgorithm } from "./serializedArray";
import { fitCostOf, type CostedAlgorithm, type FitCost } from "../fitCost";
import { mergeUserState, NO_USER_STATE, prefixedUserState, type UserStateLayout } from "../userState";

export type BlendTarget = "rating" | "ranking";
export type ScoreNormalisation = "minmax" | "zscore";

export interface HybridOptions {
  name: string;
  target: BlendTarget;
  // Per-component parameters, aligned with `components` (missing: defaults).
  componentParams?: Record<string, unknown>[];
}

export interface HybridParams {
  // Share of each user's rows held out to fit the blend.
  validationFraction: number;
  // Ranking only: normalisation of each component's scores per user.
  normalisation: ScoreNormalisation;
  // Ranking only: candidate weights per component and coordinate-search sweeps.
  weightGrid: number[];
  searchRounds: number;
  // Ranking only: at most this many validation users (seeded sample), to bound memory.
  maxValidationUsers: number;
  // Ranking only: MiB of validation scores kept to choose the weights; past
  // it each user keeps only each component's best 300 candidates.
  validationCacheMb: number;
  // Rating only: ridge on the blend weights (times the number of validation ratings).
  ridge: number;
  // Rating only: let each weight vary with log user/item support (FWLS).
  supportFeatures: boolean;
}

export const hybridDefaults: HybridParams = {
  validationFraction: 0.2,
  normalisation: "zscore",
  weightGrid: [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1],
  searchRounds: 3,
  maxValidationUsers: 5000,
  validationCacheMb: 512,
  ridge: 1e-4,
  supportFeatures: true,
};

export interface HybridModel extends Model {
  // Blend weights aligned with the components (for a rating blend with
  // support features, the weights at zero support); `intercept` is 0 for ranking.
  readonly weights: number[];
  readonly intercept: number;
  // Rating only: every coefficient of the blend, in blendRow's order.
  readonly coefficients?: Float64Array;
  readonly components: Model[];
}

// Held-out validation entries, parallel arrays.
export interface Held {
  users: Int32Array;
  items: Int32Array;
  values: Float32Array;
}

// Per-user seeded split; users with fewer than 2 rows keep all of them for training.
export function splitPerUser(data: TrainingSet, fraction: number, seed: number): { train: TrainingSet; held: Held } {
  const { ratings, nUsers, nItems } = data;
  const rng = createRng(seed);
  const tr: number[][] = [[], [], []];
  const ts: number[] = [];
  const he: number[][] = [[], [], []];
  for (let u = 0; u < nUsers; u++) {
    const start = ratings.indptr[u];
    const n = ratings.indptr[u + 1] - start;
    const order = shuffle(Int32Array.from({ length: n }, (_, t) => start + t), rng);
    const nHeld = n >= 2 ? Math.min(n - 1, Math.round(n * fraction)) : 0;
    for (let t = 0; t < n; t++) {
      const e = order[t];
      const dest = t < nHeld ? he : tr;
      dest[0].push(u);
      dest[1].push(ratings.indices[e]);
      dest[2].push(ratings.values[e]);
      if (t >= nHeld && data.timestamps) ts.push(data.timestamps[e]);
    }
  }
  // csrFromTriplets sorts entries within a row by column; keep timestamps aligned with that order.
  const train: TrainingSet = {
    ...data,
    ratings: csrFromTriplets(nUsers, nItems, tr[0], tr[1], tr[2], "last"),
    timestamps: data.timestamps ? alignTimestamps(tr[0], tr[1], ts) : undefined,
  };
  return { train, held: { users: Int32Array.from(he[0]), items: Int32Array.from(he[1]), values: Float32Array.from(he[2]) } };
}

function alignTimestamps(rows: number[], cols: number[], ts: number[]): Float64Array {
  const order = rows.map((_, k) => k).sort((a, b) => rows[a] - rows[b] || cols[a] - cols[b]);
  return Float64Array.from(order, (k) => ts[k]);
}

// Normalises `s` in place with statistics taken over the entries where `mask`
// is 0 (the user's candidates); masked entries are rescaled the same way.
function normalise(s: Float32Array, mask: Uint8Array, how: ScoreNormalisation): void {
  let lo = Infinity;
  let hi = -Infinity;
  let sum = 0;
  let sq = 0;
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    if (mask[i]) continue;
    const v = s[i];
    if (v < lo) lo = v;
    if (v > hi) hi = v;
    sum += v;
    sq += v * v;
    n++;
  }
  if (n === 0) return;
  if (how === "minmax") {
    const span = hi - lo;
    for (let i = 0; i < s.length; i++) s[i] = span > 0 ? (s[i] - lo) / span : 0;
  } else {
    const mean = sum / n;
    const sd = Math.sqrt(Math.max(0, sq / n - mean * mean));
    for (let i = 0; i < s.length; i++) s[i] = sd > 0 ? (s[i] - mean) / sd : 0;
  }
}

function trainingMask(data: TrainingSet, user: number, mask: Uint8Array): void {
  mask.fill(0);
  if (user < 0 || user >= data.nUsers) return;
  for (let e = data.ratings.indptr[user]; e < data.ratings.indptr[user + 1]; e++) mask[data.ratings.indices[e]] = 1;
}

// One validation user's normalised component scores over their candidate
// items (ascending ids; never an item of their sub-train history).
interface ValidationUser {
  readonly items: Int32Array;
  readonly scores: Float32Array[];
  readonly relevant: Int32Array;
}

// The validation cache holds every candidate's score from every component.
// Within `validationCacheMb`, every item not in the user's history is a
// candidate (the exact blend); past it (large catalogs), each component's
// best CANDIDATES_PER_COMPONENT items are, whose union holds the blend's top
// 10 unless an item outside every component's top few hundred reaches it.
const CANDIDATES_PER_COMPONENT = 300;

// Mean nDCG@10 (binary relevance) of the blend over the cached validation users.
function blendNdcg(cache: ValidationUser[], weights: number[]): number {
  const k = 10;
  const top = new Int32Array(k);
  const topScore = new Float32Array(k);
  let blended = new Float32Array(0);
  let total = 0;
  for (const v of cache) {
    const n = v.items.length;
    if (blended.length < n) blended = new Float32Array(n);
    blended.fill(0, 0, n);
    for (let c = 0; c < weights.length; c++) {
      const w = weights[c];
      if (w === 0) continue;
      const s = v.scores[c];
      for (let t = 0; t < n; t++) blended[t] += w * s[t];
    }
    let filled = 0;
    for (let t = 0; t < n; t++) {
      const s = blended[t];
      if (filled === k && s <= topScore[k - 1]) continue;
      let pos = filled < k ? filled++ : k - 1;
      while (pos > 0 && topScore[pos - 1] < s) {
        topScore[pos] = topScore[pos - 1];
        top[pos] = top[pos - 1];
        pos--;
      }
      topScore[pos] = s;
      top[pos] = v.items[t];
    }
    const rel = v.relevant;
    let dcg = 0;
    for (let r = 0; r < filled; r++) if (rel.includes(top[r])) dcg += 1 / Math.log2(r + 2);
    let idcg = 0;
    for (let r = 0; r < Math.min(k, rel.length); r++) idcg += 1 / Math.log2(r + 2);
    total += dcg / idcg;
  }
  return cache.length > 0 ? total / cache.length : 0;
}

// The items not in the mask, or (sparse) the union of each component's best
// `perComponent` of them; ascending.
function candidatesOf(scores: Float32Array[], mask: Uint8Array, perComponent: number | undefined): Int32Array {
  const open: number[] = [];
  if (perComponent === undefined) {
    for (let i = 0; i < mask.length; i++) if (!mask[i]) open.push(i);
    return Int32Array.from(open);
  }
  const chosen = new Set<number>();
  for (const s of scores) {
    const heap = new TopKHeap(perComponent);
    for (let i = 0; i < s.length; i++) if (!mask[i]) heap.push(i, s[i]);
    for (const e of heap.sorted()) chosen.add(e.item);
  }
  return Int32Array.from(chosen).sort();
}

function fitRankingWeights(
  models: Model[],
  sub: TrainingSet,
  held: Held,
  p: HybridParams,
  seed: number,
): number[] {
  const { nUsers, nItems } = sub;
  const byUser: number[][] = Array.from({ length: nUsers }, () => []);
  for (let t = 0; t < held.users.length; t++) byUser[held.users[t]].push(held.items[t]);
  let users = byUser.map((l, u) => (l.length > 0 ? u : -1)).filter((u) => u >= 0);
  if (users.length > p.maxValidationUsers) users = Array.from(shuffle(Int32Array.from(users), createRng(seed))).slice(0, p.maxValidationUsers);
  const dense = users.length * models.length * nItems * 4 <= p.validationCacheMb * 2 ** 20;
  const perComponent = dense ? undefined : CANDIDATES_PER_COMPONENT;
  const cache: ValidationUser[] = [];
  const mask = new Uint8Array(nItems);
  for (const u of users) {
    trainingMask(sub, u, mask);
    const full = models.map((m) => {
      const s = m.scoreAll(u);
      normalise(s, mask, p.normalisation);
      return s;
    });
    const items = candidatesOf(full, mask, perComponent);
    const scores = full.map((s) => (dense ? s.filter((_, i) => !mask[i]) : Float32Array.from(items, (i) => s[i])));
    cache.push({ items, scores, relevant: Int32Array.from(byUser[u]) });
  }
  const weights = models.map(() => 1);
  let best = blendNdcg(cache, weights);
  for (let round = 0; round < p.searchRounds; round++) {
    let improved = false;
    for (let c = 0; c < weights.length; c++) {
      for (const g of p.weightGrid) {
        if (g === weights[c]) continue;
        const trial = weights.slice();
        trial[c] = g;
        if (trial.every((w) => w === 0)) continue;
        const score = blendNdcg(cache, trial);
        if (score > best + 1e-9) {
          best = score;
          weights[c] = g;
          improved = true;
        }
      }
    }
    if (!improved) break;
  }
  return weights;
}

// Feature-weighted linear stacking (Sill et al. 2009): besides y ≈ b + Σ w_c ŷ_c,
// each weight may vary linearly with the user's and the item's log support,
// w_c(u, i) = w_c + w'_c·s_u + w''_c·s_i, so a component that is better for
// heavy users (or long-tail items) can be trusted more there. Supports are
// counted on the data the components were fitted on and scaled by `scale`
// (the sub-train / full-train size ratio) so the blend sees the same range at
// validation and at serving time.
function blendRow(preds: ArrayLike<number>, su: number, si: number, support: boolean, out: Float64Array): void {
  out[0] = 1;
  const c = preds.length;
  for (let t = 0; t < c; t++) out[1 + t] = preds[t];
  if (!support) return;
  out[1 + c] = su;
  out[2 + c] = si;
  for (let t = 0; t < c; t++) {
    out[3 + c + 2 * t] = preds[t] * su;
    out[4 + c + 2 * t] = preds[t] * si;
  }
}

function blendWidth(nComponents: number, support: boolean): number {
  return support ? 3 + 3 * nComponents : 1 + nComponents;
}

interface Supports {
  user: Float64Array;
  item: Float64Array;
}

function logSupports(data: TrainingSet, scale: number): Supports {
  const user = new Float64Array(data.nUsers);
  const item = new Float64Array(data.nItems);
  const { indptr, indices } = data.ratings;
  for (let u = 0; u < data.nUsers; u++) user[u] = indptr[u + 1] - indptr[u];
  for (let e = 0; e < indices.length; e++) item[indices[e]]++;
  for (let u = 0; u < user.length; u++) user[u] = Math.log1p(user[u] * scale);
  for (let i = 0; i < item.length; i++) item[i] = Math.log1p(item[i] * scale);
  return { user, item };
}

// Least squares (ridge-stabilised normal equations, Cholesky) of the held-out ratings on the blend features.
function fitRatingBlend(models: Model[], held: Held, supports: Supports, p: HybridParams): Float64Array {
  const d = blendWidth(models.length, p.supportFeatures);
  const ata = new Float64Array(d * d);
  const aty = new Float64Array(d);
  const row = new Float64Array(d);
  const preds = new Float64Array(models.length);
  for (const m of models) if (!m.predict) throw new Error(`hybrid: component ${m.name} has no predict() for a rating blend`);
  for (let t = 0; t < held.users.length; t++) {
    const u = held.users[t];
    const i = held.items[t];
    for (let c = 0; c < models.length; c++) preds[c] = models[c].predict!(u, i);
    blendRow(preds, supports.user[u], supports.item[i], p.supportFeatures, row);
    for (let a = 0; a < d; a++) {
      aty[a] += row[a] * held.values[t];
      for (let b = 0; b < d; b++) ata[a * d + b] += row[a] * row[b];
    }
  }
  const fallback = new Float64Array(d);
  for (let c = 0; c < models.length; c++) fallback[1 + c] = 1 / models.length;
  if (held.users.length === 0) return fallback;
  for (let a = 1; a < d; a++) ata[a * d + a] += p.ridge * held.users.length;
  if (!choleskyInPlace(ata, d)) return fallback;
  choleskySolveInPlace(ata, d, aty);
  return aty;
}

// A ranking blend served from histories: what fit() returns for a ranking
// target and what deserialize() rebuilds.
function rankingServing(
  name: string,
  models: Model[],
  weights: number[],
  p: HybridParams,
): Pick<Model, "scoreHistory" | "explainHistory" | "serialize"> {
  if (!models.every((m) => m.scoreHistory && m.serialize)) return {};
  const lead = models[weights.indexOf(Math.max(...weights))];
  return {
    scoreHistory(history: UserHistory) {
      let out: Float32Array | undefined;
      let mask: Uint8Array | undefined;
      for (let c = 0; c < models.length; c++) {
        if (weights[c] === 0) continue;
        const s = models[c].scoreHistory!(history);
        if (!out || !mask) {
          out = new Float32Array(s.length);
          mask = new Uint8Array(s.length);
          for (let e = 0; e < history.items.length; e++) if (history.items[e] >= 0 && history.items[e] < s.length) mask[history.items[e]] = 1;
        }
        normalise(s, mask, p.normalisation);
        for (let i = 0; i < s.length; i++) out[i] += weights[c] * s[i];
      }
      return out ?? new Float32Array(0);
    },
    explainHistory: (history: UserHistory, item: number, maxEvidence: number): Evidence[] => lead.explainHistory?.(history, item, maxEvidence) ?? [],
    serialize(): SerializedModel {
      const parts = models.map((m) => m.serialize!());
      const arrays: SerializedModel["arrays"] = {};
      parts.forEach((part, c) => {
        for (const [key, a] of Object.entries(part.arrays)) arrays[`${c}.${key}`] = a;
      });
      return {
        algorithm: name,
        params: { ...p },
        meta: { weights, components: parts.map((part) => ({ algorithm: part.algorithm, params: part.params, meta: part.meta, userState: part.userState })) },
        arrays,
        userState: mergeUserState(parts.map((part, c) => prefixedUserState(part.userState, `${c}.`))),
      };
    },
  };
}

export function createHybrid(components: Algorithm<any>[], options: HybridOptions): Algorithm<HybridParams> {
  if (components.length === 0) throw new Error(`createHybrid(${options.name}): no components`);
  const fitAll = (data: TrainingSet, fitOptions: FitOptions, from: number, to: number): Model[] =>
    components.map((alg, c) => {
      const m = alg.fit(data, options.componentParams?.[c] ?? {}, {
        seed: fitOptions.seed + c,
        onProgress: (f) => fitOptions.onProgress?.(from + ((to - from) * (c + f)) / components.length),
        ...(fitOptions.threads !== undefined ? { threads: fitOptions.threads } : {}),
      });
      return m;
    });
  return {
    name: options.name,
    defaults: hybridDefaults,
    fit(data, params, fitOptions) {
      const p = { ...hybridDefaults, ...params };
      const { train: sub, held } = splitPerUser(data, p.validationFraction, fitOptions.seed ^ 0x5bd1e995);
      const subModels = fitAll(sub, fitOptions, 0, 0.45);
      let weights: number[];
      let intercept = 0;
      let coefficients: Float64Array | undefined;
      if (options.target === "rating") {
        coefficients = fitRatingBlend(subModels, held, logSupports(sub, 1), p);
        intercept = coefficients[0];
        weights = Array.from(coefficients.subarray(1, 1 + components.length));
      } else {
        weights = fitRankingWeights(subModels, sub, held, p, fitOptions.seed);
      }
      const models = fitAll(data, fitOptions, 0.5, 1);
      const lo = data.ratingScale?.min ?? Number.NEGATIVE_INFINITY;
      const hi = data.ratingScale?.max ?? Number.POSITIVE_INFINITY;
      const lead = models[weights.indexOf(Math.max(...weights))];
      const full = data.ratings.indices.length;
      const supports = logSupports(data, full > 0 ? (full - held.users.length) / full : 1);
      const coef = coefficients ?? new Float64Array(0);
      const row = new Float64Array(coef.length);
      const preds = new Float64Array(models.length);
      // The rating blend at (u, i) from the components' raw outputs, unclipped.
      const blendRating = (user: number, item: number): number => {
        const su = user >= 0 && user < data.nUsers ? supports.user[user] : 0;
        const si = item >= 0 && item < data.nItems ? supports.item[item] : 0;
        blendRow(preds, su, si, p.supportFeatures, row);
        let s = 0;
        for (let a = 0; a < coef.length; a++) s += coef[a] * row[a];
        return s;
      };
      const mask = new Uint8Array(data.nItems);
      const scoreRanking = (user: number): Float32Array => {
        const out = new Float32Array(data.nItems);
        trainingMask(data, user, mask);
        for (let c = 0; c < models.length; c++) {
          if (weights[c] === 0) continue;
          const s = models[c].scoreAll(user);
          normalise(s, mask, p.normalisation);
          for (let i = 0; i < s.length; i++) out[i] += weights[c] * s[i];
        }
        return out;
      };
      const scoreRating = (user: number): Float32Array => {
        const all = models.map((m) => m.scoreAll(user));
        const out = new Float32Array(data.nItems);
        for (let i = 0; i < out.length; i++) {
          for (let c = 0; c < models.length; c++) preds[c] = all[c][i];
          out[i] = blendRating(user, i);
        }
        return out;
      };
      const model: HybridModel = {
        name: options.name,
        weights,
        intercept,
        coefficients,
        components: models,
        scoreAll: options.target === "rating" ? scoreRating : scoreRanking,
        similarItems: lead.similarItems?.bind(lead),
        similarUsers: lead.similarUsers?.bind(lead),
        explain: lead.explain?.bind(lead),
        ...(options.target === "ranking" ? rankingServing(options.name, models, weights, p) : {}),
      };
      if (options.target === "rating") {
        model.predict = (user, item) => {
          for (let c = 0; c < models.length; c++) preds[c] = models[c].predict!(user, item);
          return Math.min(hi, Math.max(lo, blendRating(user, item)));
        };
      }
      return model;
    },
    deserialize(serialized: SerializedModel): HybridModel {
      checkAlgorithm(options.name, serialized);
      if (options.target !== "ranking") throw new Error(`${options.name}: only ranking blends are served from storage`);
      const p = { ...hybridDefaults, ...(serialized.params as Partial<HybridParams>) };
      const meta = serialized.meta as {
        weights: number[];
        components: { algorithm: string; params: Record<string, unknown>; meta: Record<string, unknown>; userState?: UserStateLayout }[];
      };
      if (meta.components?.length !== components.length) throw new Error(`${options.name}: serialized model has ${meta.components?.length} parts, not ${components.length}`);
      const models = components.map((alg, c) => {
        const part = meta.components[c];
        if (!alg.deserialize) throw new Error(`${options.name}: component ${alg.name} cannot be deserialized`);
        const prefix = `${c}.`;
        const arrays = Object.fromEntries(Object.entries(serialized.arrays).filter(([k]) => k.startsWith(prefix)).map(([k, a]) => [k.slice(prefix.length), a]));
        return alg.deserialize({ algorithm: part.algorithm, params: part.params, meta: part.meta, arrays, userState: part.userState ?? NO_USER_STATE });
      });
      const weights = meta.weights;
      const lead = models[weights.indexOf(Math.max(...weights))];
      const serving = rankingServing(options.name, models, weights, p);
      const empty = { items: new Int32Array(0), values: new Float32Array(0) };
      return {
        ...serving,
        name: options.name,
        weights,
        intercept: 0,
        components: models,
        // No user is stored: every user is scored from a history.
        scoreAll: () => serving.scoreHistory!(empty),
        similarItems: lead.similarItems?.bind(lead),
      };
    },
  };
}

// Two ready-made blends, measured on MovieLens-100K with src/evaluation.
// Ratings (surprise-5fold: RMSE 0.901, MAE 0.708, against 0.919/0.722 for
// SVD++ alone): two SVD++ runs with Surprise's defaults (different seeds), one
// longer, more regularised SVD++ (50 factors, 100 epochs, lr 0.002, reg 0.08,
// chosen on a validation split inside the training data), Surprise's SVD and
// item-kNN with pearson-baseline similarity, blended by FWLS.
export const ratingBlend = createHybrid([svdpp, svdpp, svdpp, svd, itemKnn], {
  name: "ratingBlend",
  target: "rating",
  componentParams: [{}, {}, { nFactors: 50, nEpochs: 100, lrAll: 0.002, regAll: 0.08 }, {}, { similarity: "pearsonBaseline" }],
});

// Rankings: EASE^R and iALS, weights by validation nDCG@10 (msr-stratified
// nDCG@10 0.494, gorse-5fold 0.4495), on catalogs of up to `easeMaxItems`
// items. EASE^R's dense inverse costs n³ and 36 bytes per item pair (11.5 GB
// at 18,000 items; a dense float32 B past about 16,000 items would not fit in
// one PostgreSQL value either), so larger catalogs blend RP3beta, a sparse
// item-item walk that costs Σ_u |I(u)|² and keeps each item's best
// `rp3betaNeighbours`, with iALS: both grow with the interactions, not the
// square of the catalog. `parts` forces either. A stored blend names its
// parts (meta.components), so it is rebuilt the way it was trained.
export type BlendParts = "auto" | "ease+ials" | "rp3beta+ials";

export interface CatalogBlendParams extends HybridParams {
  parts: BlendParts;
  // "auto": EASE^R + iALS up to this many items, RP3beta + iALS above.
  easeMaxItems: number;
  // Neighbours RP3beta keeps per item in the rp3beta+ials blend.
  rp3betaNeighbours: number;
}

// 3,000 items: EASE^R's fit (about 2n³/3 multiply-adds, 1.8e10 here) stays
// under a minute on one core and its matrices under 330 MB; the blend fits
// EASE^R twice, and the held-out figures stored with a version twice more.
export const catalogBlendDefaults: CatalogBlendParams = { ...hybridDefaults, parts: "auto", easeMaxItems: 3000, rp3betaNeighbours: 200 };

// The parts of a blend with their parameters, and the blend over them.
function partsOf(chosen: Exclude<BlendParts, "auto">, neighbours: number): { components: Algorithm<any>[]; componentParams: Record<string, unknown>[] } {
  return chosen === "ease+ials" ? { components: [ease, ials], componentParams: [{}, {}] } : { components: [rp3beta, ials], componentParams: [{ neighbours }, {}] };
}

function blendOf(chosen: Exclude<BlendParts, "auto">, neighbours: number): Algorithm<HybridParams> {
  const { components, componentParams } = partsOf(chosen, neighbours);
  return createHybrid(components, { name: "rankingBlend", target: "ranking", componentParams });
}

// The parts a blend of this catalog uses under these parameters.
export function blendPartsFor(data: Pick<TrainingSet, "nItems">, params: Partial<CatalogBlendParams>): Exclude<BlendParts, "auto"> {
  const p = { ...catalogBlendDefaults, ...params };
  if (p.parts !== "auto") return p.parts;
  return data.nItems <= p.easeMaxItems ? "ease+ials" : "rp3beta+ials";
}

export const rankingBlend = {
  name: "rankingBlend",
  defaults: catalogBlendDefaults,
  estimateCost(data: TrainingSet, params: Partial<CatalogBlendParams>): FitCost {
    const p = { ...catalogBlendDefaults, ...params };
    const parts = partsOf(blendPartsFor(data, p), p.rp3betaNeighbours);
    let multiplyAdds = 0;
    let bytes = 0;
    for (let c = 0; c < parts.components.length; c++) {
      const cost = fitCostOf(parts.components[c], data, parts.componentParams[c]);
      if (!cost) continue;
      // Fitted on the sub-train split and again on everything; the sub-train
      // models live until the blend's weights are chosen.
      multiplyAdds += 2 * cost.multiplyAdds;
      bytes += 2 * cost.bytes;
    }
    // Validation: each user scored by every component over the catalog, and the cache.
    const users = Math.min(p.maxValidationUsers, data.nUsers);
    multiplyAdds += users * data.nItems * (ialsDefaults.nFactors + 2);
    bytes += Math.min(p.validationCacheMb * 2 ** 20, users * parts.components.length * data.nItems * 4) + 4 * parts.components.length * data.nItems;
    return { multiplyAdds, bytes };
  },
  fit(data: TrainingSet, params: Partial<CatalogBlendParams>, options: FitOptions): HybridModel {
    const { parts, easeMaxItems, rp3betaNeighbours, ...hybrid } = { ...catalogBlendDefaults, ...params };
    const blend = blendOf(blendPartsFor(data, { parts, easeMaxItems }), rp3betaNeighbours);
    return blend.fit(data, hybrid, options) as HybridModel;
  },
  deserialize(serialized: SerializedModel): HybridModel {
    const meta = serialized.meta as { components?: { algorithm: string; params?: { neighbours?: number } }[] };
    const first = meta.components?.[0];
    const blend = blendOf(first?.algorithm === "rp3beta" ? "rp3beta+ials" : "ease+ials", first?.params?.neighbours ?? catalogBlendDefaults.rp3betaNeighbours);
    return blend.deserialize!(serialized) as HybridModel;
  },
} satisfies Algorithm<CatalogBlendParams> & CostedAlgorithm<CatalogBlendParams>;

// Ratings with more, and more diverse, inputs than ratingBlend: its five
// components plus user-kNN (pearson-baseline), the baseline predictor, three
// implicit-feedback scores of (u, i) (EASE^R, iALS, RP3beta fitted on which
// items were rated, standardised per user; see implicitScore), and Bayesian
// MF by Gibbs sampling (bpmf.ts). Chosen over ratingBlend on a validation
// split of a surprise-5fold training fold, never on test folds: RMSE/MAE
// 0.9139 / 0.7200 -> 0.9068 / 0.7159 with the implicit scores, user-kNN and
// baseline; -> 0.8987 / 0.7041 with BPMF (a second BPMF of 20 factors: 0.8986).
export const ratingBlendPlus = createHybrid(
  [svdpp, svdpp, svdpp, svd, itemKnn, userKnn, baselineOnly, implicitScore(ease), implicitScore(ials), implicitScore(rp3beta), bpmf],
  {
    name: "ratingBlendPlus",
    target: "rating",
    componentParams: [{}, {}, { nFactors: 50, nEpochs: 100, lrAll: 0.002, regAll: 0.08 }, {}, { similarity: "pearsonBaseline" }, { similarity: "pearsonBaseline" }, {}, {}, {}, {}, {}],
  },
);

// Rankings as rankingBlend, with iALS fitted three times (seeds differ by the
// component's position): the blend averages out iALS's dependence on its
// random start. Chosen on validation splits of the training data of two
// gorse-5fold folds (nDCG@10 0.2771 for rankingBlend, 0.2779 with two iALS
// runs, 0.2794 with three; adding RP3beta, item-kNN or a second EASE did
// not help there), never on test folds. gorse-5fold nDCG@10 0.4503,
// msr-stratified 0.4946 (rankingBlend 0.4495 / 0.4941).
export const rankingBlendPlus = createHybrid([ease, ials, ials, ials], { name: "rankingBlendPlus", target: "ranking" });
