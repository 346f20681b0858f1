// The neighbourhood model shared by userKnn and itemKnn: Surprise's
// KNNBaseline, i.e. Koren 2010 ("Factor in the neighbors", eq. 3):
//   r_ui = b_ui + sum_{v in N_k(u; i)} s_uv (r_vi - b_vi) / sum s_uv
// where N_k(u; i) are the k most similar users to u who rated i (item-based:
// the k most similar items to i that u rated) and only positive similarities
// take part. Written once over an orientation: "x" is the entity compared
// (users in user-based mode), "y" the other one.
//
// Serving: `scoreHistory` folds in a user given by their current history. In
// item-based mode that is exact (the score only reads the user's items). In
// user-based mode the history is compared with every training user by the
// same measure over co-rated items (one pass through the item-major view),
// its k best positive neighbours then vote as in scoreAll.
//
// Storage: each row's `storedNeighbours` (default 100, at least k) best
// positive similarities instead of the dense matrix (see similarityTable).
// Ranking (scoreAll, scoreHistory) reads only the k best, so it is exact;
// predict and explanations are exact whenever the neighbours they use are
// among the stored ones. Per-user state in the stored form: the training
// rows ("ratings.*"), "userBias", and in user-based mode the neighbour lists
// ("neighbours.*", one row per user, users as columns); see
// db/privacyRepository (scrubModelTraces).
import { transpose, type CsrMatrix } from "../data/CsrMatrix";
import { findEntry } from "../data/findEntry";
import { TopKHeap } from "../recommender/TopKHeap";
import { clipToScale } from "../recommender/clipToScale";
import { allPairs } from "../similarity/allPairs";
import { emptyStats } from "../similarity/CoRatedStats";
import { jaccardMeasure } from "../similarity/jaccard";
import { implicitCosineMeasure, SIMILARITY_MEASURES } from "../similarity/similarityMeasures";
import { supportedSimilarity, type SimilarityMeasure } from "../similarity/SimilarityMeasure";
import { similarityMatrix, type SimilarityName } from "../similarity/similarityMatrix";
import { columnMeans } from "../similarity/subtractOffsets";
import type { NeighbourLists } from "../similarity/topKNeighbours";
import type { Evidence, Model, ScoredItem, SerializedModel, TrainingSet, UserHistory } from "../types";
import { fitBaselines, foldInUserBias, type BaselineParams, type Baselines, BASELINE_DEFAULTS } from "./baseline";
import { serializedArray } from "./serializedArray";
import { denseTable, sparseTable, topKRows, type SimilarityTable } from "./similarityTable";

import { sumOverUsers, type FitCost } from "../fitCost";

export interface KnnParams {
  // Neighbours used per prediction (Surprise: 40).
  k: number;
  // Fewer usable neighbours than this: predict the baseline alone (Surprise: 1).
  minK: number;
  similarity: SimilarityName;
  // Pairs with fewer co-rated entries get similarity 0 (Surprise: 1).
  minSupport: number;
  // Shrinkage of similarities; left out = the measure's own default
  // (100 for pearsonBaseline as in Surprise, none otherwise).
  shrinkage?: number;
  baseline: Partial<BaselineParams>;
  // Ranking variants only; left out, the model is the rating predictor above.
  // implicit: similarity over binary interaction sets, rating values ignored
  // (every rating is a positive): cosine becomes |A ∩ B| / sqrt(|A| |B|)
  // over whole rows (co-rated cosine of binary vectors would always be 1),
  // jaccard is binary already; other measures are rejected.
  implicit?: boolean;
  // Scale each item's (user's) k-neighbour list to sum 1 before it votes, as
  // in Deshpande & Karypis 2004 ("Item-based top-N recommendation
  // algorithms"), so items with many close neighbours do not dominate the sum.
  normalizeNeighbours?: boolean;
  // Neighbours kept per row when the model is stored (at least k; default 100).
  storedNeighbours?: number;
}

export const DEFAULT_STORED_NEIGHBOURS = 100;

export interface KnnModel extends Model {
  // Dense similarity between the compared entities (row-major n x n); absent
  // in a model loaded from storage, which keeps each row's top neighbours.
  readonly similarity?: Float32Array;
}

// A history the serving layer knows belongs to a training user: user-based
// folding-in then leaves that user's own (older) row out of the neighbours,
// as scoreAll does.
export interface KnownUserHistory extends UserHistory {
  readonly user?: number;
}

// Everything a fitted kNN model is, and all serialize() stores.
interface KnnState {
  name: string;
  userBased: boolean;
  p: KnnParams;
  b: Baselines;
  byUser: CsrMatrix;
  sim: SimilarityTable;
  ratingScale?: { min: number; max: number };
}

function measureOf(p: KnnParams): SimilarityMeasure {
  if (!p.implicit) return SIMILARITY_MEASURES[p.similarity];
  if (p.similarity === "cosine") return implicitCosineMeasure;
  if (p.similarity === "jaccard") return jaccardMeasure;
  throw new Error(`knn: implicit similarity must be cosine or jaccard, not "${p.similarity}"`);
}

// Fitting builds the dense similarity of every pair of compared rows (n² float32,
// plus the co-rated sums' scratch) before keeping each row's neighbours: the
// cost grows with the square of the items (item-based) or users (user-based).
export function estimateKnnCost(data: TrainingSet, p: KnnParams, userBased: boolean): FitCost {
  const n = userBased ? data.nUsers : data.nItems;
  const { indices } = data.ratings;
  // Co-rated pairs: Σ over the other side (items for user-based, users for item-based) of its count squared.
  let pairs = 0;
  if (userBased) {
    const counts = new Float64Array(data.nItems);
    for (let e = 0; e < indices.length; e++) counts[indices[e]]++;
    for (let i = 0; i < counts.length; i++) pairs += counts[i] * counts[i];
  } else {
    pairs = sumOverUsers(data, (d) => d * d);
  }
  return { multiplyAdds: pairs / 2 + n * n, bytes: 4 * n * n + 56 * n + 8 * n * p.k + 24 * indices.length };
}

export function fitKnnBaseline(name: string, data: TrainingSet, p: KnnParams, userBased: boolean, threads = 1): KnnModel {
  const b = fitBaselines(data, { ...BASELINE_DEFAULTS, ...p.baseline });
  const byUser = data.ratings;
  const X: CsrMatrix = userBased ? byUser : transpose(byUser); // rows: compared entities
  const options = { minSupport: p.minSupport, ...(p.shrinkage !== undefined ? { shrinkage: p.shrinkage } : {}), threads };
  const sim = p.implicit
    ? allPairs(X, measureOf(p), options)
    : similarityMatrix(X, p.similarity, {
        ...options,
        baselines: { globalMean: b.globalMean, rowBias: userBased ? b.userBias : b.itemBias, colBias: userBased ? b.itemBias : b.userBias },
      });
  return knnModel({ name, userBased, p, b, byUser, sim: denseTable(sim, X.nRows), ...(data.ratingScale ? { ratingScale: data.ratingScale } : {}) });
}

export function deserializeKnn(name: string, serialized: SerializedModel, defaults: KnnParams): KnnModel {
  if (serialized.algorithm !== name) throw new Error(`${name}: cannot deserialize a ${serialized.algorithm} model`);
  const a = serialized.arrays;
  const meta = serialized.meta as { userBased: boolean; globalMean: number; nUsers: number; nItems: number; ratingScale?: { min: number; max: number } };
  const need = <T extends Float32ArrayConstructor | Float64ArrayConstructor | Int32ArrayConstructor>(key: string, type: T) => serializedArray(name, serialized, key, type);
  const nx = meta.userBased ? meta.nUsers : meta.nItems;
  // Versions stored before the top-K lists hold the dense matrix.
  const sim = a.similarity
    ? denseTable(need("similarity", Float32Array), nx)
    : sparseTable({ indptr: need("neighbours.indptr", Int32Array), indices: need("neighbours.indices", Int32Array), values: need("neighbours.values", Float32Array) }, nx);
  const byUser: CsrMatrix = {
    nRows: meta.nUsers,
    nCols: meta.nItems,
    indptr: need("ratings.indptr", Int32Array),
    indices: need("ratings.indices", Int32Array),
    values: need("ratings.values", Float32Array),
  };
  const b = { globalMean: meta.globalMean, userBias: need("userBias", Float64Array), itemBias: need("itemBias", Float64Array) };
  return knnModel({
    name,
    userBased: meta.userBased,
    p: { ...defaults, ...(serialized.params as Partial<KnnParams>) },
    b,
    byUser,
    sim,
    ...(meta.ratingScale ? { ratingScale: meta.ratingScale } : {}),
  });
}

function knnModel(state: KnnState): KnnModel {
  const { name, userBased, p, b, byUser, sim } = state;
  const nUsers = byUser.nRows;
  const nItems = byUser.nCols;
  const byItem = transpose(byUser);
  const Y: CsrMatrix = userBased ? byItem : byUser; // rows: the others, listing who has them
  const bx = userBased ? b.userBias : b.itemBias;
  const by = userBased ? b.itemBias : b.userBias;
  const nx = userBased ? nUsers : nItems;
  const neighbours = neighbourLists(sim, p.k);
  const dense = sim.dense;
  if (p.normalizeNeighbours) normalizeLists(neighbours, nx);
  const scale = state.ratingScale;
  const heap = new TopKHeap(p.k);

  const knownUser = (u: number) => u >= 0 && u < nUsers;
  const knownItem = (i: number) => i >= 0 && i < nItems;

  function predict(user: number, item: number): number {
    let est = b.globalMean;
    if (knownUser(user)) est += b.userBias[user];
    if (knownItem(item)) est += b.itemBias[item];
    if (!knownUser(user) || !knownItem(item)) return clipToScale(est, scale);
    const x = userBased ? user : item;
    const y = userBased ? item : user;
    // The k most similar x2 among those who have y, positive similarities only
    // (Surprise takes the k largest, then skips sim <= 0: the same set).
    heap.clear();
    const row = x * nx;
    for (let k = Y.indptr[y]; k < Y.indptr[y + 1]; k++) {
      const x2 = Y.indices[k];
      const s = dense ? dense[row + x2] : sim.get(x, x2);
      if (x2 !== x && s > 0) heap.push(k, s);
    }
    let sumSim = 0;
    let sumDev = 0;
    heap.forEach((k, s) => {
      const x2 = Y.indices[k];
      sumSim += s;
      sumDev += s * (Y.values[k] - (b.globalMean + bx[x2] + by[y]));
    });
    if (heap.length >= p.minK && sumSim > 0) est += sumDev / sumSim;
    return clipToScale(est, scale);
  }

  // Ranking score for implicit use: sum of the similarities of the neighbours
  // that interacted (Deshpande & Karypis 2004, "Item-based top-N
  // recommendation algorithms"); an entry counts when its value is positive,
  // so a dislike never recommends.
  function scoreAll(user: number): Float32Array {
    const scores = new Float32Array(nItems);
    if (!knownUser(user)) return scores;
    if (userBased) {
      const K = neighbours.k;
      for (let n = 0; n < neighbours.count[user]; n++) voteOf(neighbours.indices[user * K + n], neighbours.sims[user * K + n], scores);
    } else {
      const start = byUser.indptr[user];
      const end = byUser.indptr[user + 1];
      scoreItems(byUser.indices.subarray(start, end), byUser.values.subarray(start, end), scores);
    }
    return scores;
  }

  // A neighbour user's vote: their similarity to every item they liked.
  // (A user's list is scaled as one, which leaves that user's ranking unchanged.)
  function voteOf(v: number, s: number, scores: Float32Array): void {
    for (let k = byUser.indptr[v]; k < byUser.indptr[v + 1]; k++) if (byUser.values[k] > 0) scores[byUser.indices[k]] += s;
  }

  function scoreItems(items: ArrayLike<number>, values: ArrayLike<number>, scores: Float32Array): void {
    const K = neighbours.k;
    for (let k = 0; k < items.length; k++) {
      const j = items[k];
      if (values[k] <= 0 || !knownItem(j)) continue;
      for (let n = 0; n < neighbours.count[j]; n++) scores[neighbours.indices[j * K + n]] += neighbours.sims[j * K + n];
    }
  }

  // User-based fold-in: the similarity of the history to every training user
  // by the model's own measure, over co-rated items, with its minimum support
  // and shrinkage; then the k best positive ones. Cached per history object,
  // since scoreHistory and explainHistory ask for the same list.
  const adjustedMeans = userBased && p.similarity === "adjustedCosine" ? columnMeans(byUser) : undefined;
  const foldedNeighbours = new WeakMap<UserHistory, ScoredItem[]>();
  function neighboursOfHistory(history: KnownUserHistory): ScoredItem[] {
    const cached = foldedNeighbours.get(history);
    if (cached) return cached;
    const measure = measureOf(p);
    const bu = p.similarity === "pearsonBaseline" ? foldInUserBias(b, history, { ...BASELINE_DEFAULTS, ...p.baseline }.regU) : 0;
    const offsetA = (y: number) =>
      adjustedMeans ? adjustedMeans[y] : p.similarity === "pearsonBaseline" ? b.globalMean + bu + b.itemBias[y] : 0;
    const offsetB = (v: number, y: number) =>
      adjustedMeans ? adjustedMeans[y] : p.similarity === "pearsonBaseline" ? b.globalMean + b.userBias[v] + b.itemBias[y] : 0;
    const n = new Int32Array(nUsers);
    const sA = new Float64Array(nUsers);
    const sB = new Float64Array(nUsers);
    const sAA = new Float64Array(nUsers);
    const sBB = new Float64Array(nUsers);
    const sAB = new Float64Array(nUsers);
    let nA = 0;
    for (let k = 0; k < history.items.length; k++) {
      const y = history.items[k];
      if (!knownItem(y)) continue;
      nA++;
      const a = history.values[k] - offsetA(y);
      for (let k2 = byItem.indptr[y]; k2 < byItem.indptr[y + 1]; k2++) {
        const v = byItem.indices[k2];
        const c = byItem.values[k2] - offsetB(v, y);
        n[v]++;
        sA[v] += a;
        sB[v] += c;
        sAA[v] += a * a;
        sBB[v] += c * c;
        sAB[v] += a * c;
      }
    }
    const stats = emptyStats();
    const options = { minSupport: p.minSupport, ...(p.shrinkage !== undefined ? { shrinkage: p.shrinkage } : {}) };
    const top = new TopKHeap(p.k);
    for (let v = 0; v < nUsers; v++) {
      if (n[v] === 0 || v === history.user) continue;
      stats.n = n[v];
      stats.sumA = sA[v];
      stats.sumB = sB[v];
      stats.sumAA = sAA[v];
      stats.sumBB = sBB[v];
      stats.sumAB = sAB[v];
      stats.nA = nA;
      stats.nB = byUser.indptr[v + 1] - byUser.indptr[v];
      const s = supportedSimilarity(measure, stats, options);
      if (s > 0) top.push(v, s);
    }
    const list = top.sorted();
    foldedNeighbours.set(history, list);
    return list;
  }

  function scoreHistory(history: KnownUserHistory): Float32Array {
    const scores = new Float32Array(nItems);
    if (userBased) for (const nb of neighboursOfHistory(history)) voteOf(nb.item, nb.score, scores);
    else scoreItems(history.items, history.values, scores);
    return scores;
  }

  function explainHistory(history: KnownUserHistory, item: number, maxEvidence: number): Evidence[] {
    if (!knownItem(item) || maxEvidence <= 0) return [];
    if (userBased) {
      let count = 0;
      for (const nb of neighboursOfHistory(history)) {
        const pos = findEntry(byUser, nb.item, item);
        if (pos >= 0 && byUser.values[pos] > 0) count++;
      }
      return count > 0 ? [{ kind: "similarUsersLiked", count }] : [];
    }
    return itemEvidence(history.items, history.values, item, maxEvidence);
  }

  // The user's items most similar to `item`: the neighbours predict() used.
  function itemEvidence(items: ArrayLike<number>, values: ArrayLike<number>, item: number, maxEvidence: number): Evidence[] {
    const top = new TopKHeap(Math.min(maxEvidence, p.k));
    for (let k = 0; k < items.length; k++) {
      const j = items[k];
      if (!knownItem(j)) continue;
      const s = dense ? dense[item * nx + j] : sim.get(item, j);
      if (j !== item && s > 0 && values[k] > 0) top.push(j, s);
    }
    return top.sorted().map((e) => ({ kind: "becauseYouInteracted", item: e.item, weight: e.score }));
  }

  function explain(user: number, item: number, maxEvidence: number): Evidence[] {
    if (!knownUser(user) || !knownItem(item) || maxEvidence <= 0) return [];
    if (userBased) {
      const K = neighbours.k;
      let count = 0;
      for (let n = 0; n < neighbours.count[user]; n++) {
        const v = neighbours.indices[user * K + n];
        const pos = findEntry(byUser, v, item);
        if (pos >= 0 && byUser.values[pos] > 0) count++;
      }
      return count > 0 ? [{ kind: "similarUsersLiked", count }] : [];
    }
    const start = byUser.indptr[user];
    const end = byUser.indptr[user + 1];
    return itemEvidence(byUser.indices.subarray(start, end), byUser.values.subarray(start, end), item, maxEvidence);
  }

  const similar = (x: number, k: number): ScoredItem[] => (x >= 0 && x < nx ? sim.neighbours(x, k) : []);

  function serialize(): SerializedModel {
    const stored = topKRows(sim, Math.max(p.k, p.storedNeighbours ?? DEFAULT_STORED_NEIGHBOURS));
    return {
      algorithm: name,
      params: { ...p },
      meta: { userBased, globalMean: b.globalMean, nUsers, nItems, ...(scale ? { ratingScale: scale } : {}) },
      arrays: {
        "neighbours.indptr": stored.indptr,
        "neighbours.indices": stored.indices,
        "neighbours.values": stored.values,
        "ratings.indptr": byUser.indptr,
        "ratings.indices": byUser.indices,
        "ratings.values": byUser.values,
        userBias: b.userBias,
        itemBias: b.itemBias,
      },
      // Per training user: their bias, their ratings row and (user-based)
      // their neighbour list and every entry naming them.
      userState: { rows: { userBias: 1 }, csr: ["ratings"], ...(userBased ? { userGraph: ["neighbours"] } : {}) },
    };
  }

  return {
    name,
    ...(dense ? { similarity: dense } : {}),
    predict,
    scoreAll,
    explain,
    scoreHistory,
    explainHistory,
    serialize,
    ...(userBased ? { similarUsers: similar } : { similarItems: similar }),
  };
}

// Each row's k best positive neighbours (topKNeighbours over either form).
function neighbourLists(sim: SimilarityTable, k: number): NeighbourLists {
  const n = sim.n;
  const indices = new Int32Array(n * k).fill(-1);
  const sims = new Float32Array(n * k);
  const count = new Int32Array(n);
  for (let x = 0; x < n; x++) {
    const list = sim.neighbours(x, k);
    count[x] = list.length;
    list.forEach((nb, j) => {
      indices[x * k + j] = nb.item;
      sims[x * k + j] = nb.score;
    });
  }
  return { k, indices, sims, count };
}

function normalizeLists(lists: NeighbourLists, n: number): void {
  const K = lists.k;
  for (let x = 0; x < n; x++) {
    let sum = 0;
    for (let j = 0; j < lists.count[x]; j++) sum += lists.sims[x * K + j];
    if (sum > 0) for (let j = 0; j < lists.count[x]; j++) lists.sims[x * K + j] /= sum;
  }
}
