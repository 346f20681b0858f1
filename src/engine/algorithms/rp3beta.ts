// RP3beta, Paudel, Christoffel, Newell & Bernstein (2016), "Updatable,
// Accurate, Diverse, and Scalable Recommendations for Interactive
// Applications": a three-step random walk item → user → item on the bipartite
// interaction graph, each step's transition probabilities raised to α, and
// the landing item's popularity discounted by degree^β. In the form Dacrema,
// Cremonesi & Jannach (2019, "Are we really making much progress?") found
// among the strongest baselines on MovieLens:
//   P_ui = 1/|I(u)|, P_iu = 1/|U(i)|   (row-normalised binary X and Xᵀ)
//   W_ij = (Σ_u P_iu^α · P_uj^α) / |U(j)|^β = |U(i)|^-α · |U(j)|^-β · Σ_{u ∋ i,j} |I(u)|^-α,
// W_ii = 0, only the k largest entries of each row kept. Scores for user u
// are x_u W with x binary (every training entry a positive, as in EASE).
//
// Serving: W (sparse, k per row) is the whole model; a user is scored from
// their current history as x W, exactly as scoreAll scores a training row.
import { topK } from "../linalg/nearestRows";
import { TopKHeap } from "../recommender/TopKHeap";
import type { Algorithm, FitOptions, Model, SerializedModel, TrainingSet, UserHistory } from "../types";
import { checkAlgorithm, serializedArray } from "./serializedArray";
import { itemWeightEvidence } from "./factorEvidence";
import { NO_USER_STATE } from "../userState";
import { sumOverUsers, type CostedAlgorithm, type FitCost } from "../fitCost";

export interface Rp3betaParams {
  // Exponent on the transition probabilities (1: the plain random walk P³).
  alpha: number;
  // Popularity discount on the landing item (0: none).
  beta: number;
  // Neighbours kept per item (0: keep every non-zero).
  neighbours: number;
}

// Chosen by nDCG@10 on 20% validation splits of the training data of two
// gorse-5fold folds of MovieLens-100K (never on test folds), over
// α ∈ {0.5 … 1}, β ∈ {0.1 … 0.8}, k ∈ {50, 100, 200, 400, all}: α 0.75 and
// β 0.6 won (β 0.3-0.4, the range Dacrema et al. report on ML-1M, was
// 0.005-0.01 lower), and pruning to k neighbours only cost accuracy. On the
// test folds it scores gorse-5fold nDCG@10 0.407 and msr-stratified 0.453,
// below EASE^R. Unpruned W holds at most n² entries (2.8 M for 1,682 items);
// larger catalogs want a finite k.
export const rp3betaDefaults: Rp3betaParams = { alpha: 0.75, beta: 0.6, neighbours: 0 };

export interface Rp3betaModel extends Model {
  // CSR rows of W: row i lists the items j that interacting with i raises.
  readonly indptr: Int32Array;
  readonly indices: Int32Array;
  readonly weights: Float32Array;
}

function rp3betaServing(
  params: Rp3betaParams,
  indptr: Int32Array,
  indices: Int32Array,
  weights: Float32Array,
): Required<Pick<Model, "scoreHistory" | "explainHistory" | "similarItems" | "serialize">> & { scoreItems(items: ArrayLike<number>): Float32Array } {
  const n = indptr.length - 1;
  const known = (i: number) => i >= 0 && i < n;
  const scoreItems = (items: ArrayLike<number>): Float32Array => {
    const out = new Float32Array(n);
    for (let e = 0; e < items.length; e++) {
      const i = items[e];
      if (!known(i)) continue;
      for (let t = indptr[i]; t < indptr[i + 1]; t++) out[indices[t]] += weights[t];
    }
    return out;
  };
  const weightOf = (i: number, j: number): number => {
    for (let t = indptr[i]; t < indptr[i + 1]; t++) if (indices[t] === j) return weights[t];
    return 0;
  };
  return {
    scoreItems,
    scoreHistory: (history: UserHistory) => scoreItems(history.items),
    explainHistory: (history, item, maxEvidence) => itemWeightEvidence(history.items, item, maxEvidence, known, weightOf),
    similarItems(item, k) {
      if (!known(item)) return [];
      const row = new Float32Array(n).fill(Number.NEGATIVE_INFINITY);
      for (let t = indptr[item]; t < indptr[item + 1]; t++) row[indices[t]] = weights[t];
      return topK(row, k).filter((s) => s.score > 0);
    },
    serialize: (): SerializedModel => ({
      algorithm: "rp3beta",
      params: { ...params },
      meta: { nItems: n },
      arrays: { indptr, indices, weights },
      userState: NO_USER_STATE,
    }),
  };
}

// The `keep` largest positive entries among a row's touched columns (ties:
// lower item first; keep 0: all of them), sorted by item. A heap of `keep`,
// not a sort: a popular item's walk touches a large share of the catalog.
function pruneRow(row: Float64Array, touched: Int32Array, nTouched: number, keep: number, heap: TopKHeap | undefined): Int32Array {
  let nz = 0;
  for (let t = 0; t < nTouched; t++) if (row[touched[t]] > 0) nz++;
  if (heap && nz > keep) {
    heap.clear();
    for (let t = 0; t < nTouched; t++) {
      const j = touched[t];
      if (row[j] > 0 && heap.accepts(j, row[j])) heap.push(j, row[j]);
    }
    const kept = new Int32Array(heap.length);
    let at = 0;
    heap.forEach((j) => (kept[at++] = j));
    return kept.sort();
  }
  const kept = new Int32Array(nz);
  nz = 0;
  for (let t = 0; t < nTouched; t++) if (row[touched[t]] > 0) kept[nz++] = touched[t];
  return kept.sort();
}

export const rp3beta = {
  name: "rp3beta",
  defaults: rp3betaDefaults,
  // The walk visits every pair of items a user links; W holds at most n·k
  // entries (k neighbours) or every co-occurring pair (unpruned), in growing
  // buffers that may briefly hold twice that.
  estimateCost(data: TrainingSet, params: Partial<Rp3betaParams>): FitCost {
    const p = { ...rp3betaDefaults, ...params };
    // Σ_u |I(u)|²: the walk visits every pair of items a user links, both ways.
    const steps = sumOverUsers(data, (d) => d * d);
    const n = data.nItems;
    const entries = Math.min(steps, n * n, p.neighbours > 0 ? n * p.neighbours : Number.POSITIVE_INFINITY);
    return { multiplyAdds: steps, bytes: 21 * n + 12 * data.ratings.indices.length + 24 * entries };
  },
  fit(data: TrainingSet, params: Partial<Rp3betaParams>, options: FitOptions): Rp3betaModel {
    const p = { ...rp3betaDefaults, ...params };
    const { nItems: n, nUsers, ratings } = data;
    const { indptr: rp, indices: ri } = ratings;
    const itemDegree = new Float64Array(n);
    for (let e = 0; e < ri.length; e++) itemDegree[ri[e]]++;
    // Item-major lists of each item's users, to build W one row at a time.
    const colPtr = new Int32Array(n + 1);
    for (let e = 0; e < ri.length; e++) colPtr[ri[e] + 1]++;
    for (let i = 0; i < n; i++) colPtr[i + 1] += colPtr[i];
    const colUsers = new Int32Array(ri.length);
    const fill = colPtr.slice(0, n);
    for (let u = 0; u < nUsers; u++) for (let e = rp[u]; e < rp[u + 1]; e++) colUsers[fill[ri[e]]++] = u;
    const userStep = new Float64Array(nUsers);
    for (let u = 0; u < nUsers; u++) {
      const d = rp[u + 1] - rp[u];
      userStep[u] = d > 0 ? Math.pow(1 / d, p.alpha) : 0;
    }
    const landing = Float64Array.from(itemDegree, (d) => (d > 0 ? Math.pow(d, -p.beta) : 0));
    // W is built one row at a time in a dense accumulator, touching only the
    // columns the walk reaches (a row costs its walk, not the catalog).
    const outPtr = new Int32Array(n + 1);
    let capacity = Math.max(16, p.neighbours > 0 ? n * Math.min(p.neighbours, n) : ri.length * 4);
    let indices = new Int32Array(capacity);
    let weights = new Float32Array(capacity);
    let used = 0;
    const row = new Float64Array(n);
    const touched = new Int32Array(n);
    const seen = new Uint8Array(n);
    const heap = p.neighbours > 0 ? new TopKHeap(p.neighbours) : undefined;
    for (let i = 0; i < n; i++) {
      let nTouched = 0;
      if (itemDegree[i] > 0) {
        const first = Math.pow(1 / itemDegree[i], p.alpha);
        for (let t = colPtr[i]; t < colPtr[i + 1]; t++) {
          const u = colUsers[t];
          const w = first * userStep[u];
          for (let e = rp[u]; e < rp[u + 1]; e++) {
            const j = ri[e];
            if (!seen[j]) {
              seen[j] = 1;
              touched[nTouched++] = j;
            }
            row[j] += w;
          }
        }
        for (let t = 0; t < nTouched; t++) row[touched[t]] *= landing[touched[t]];
        row[i] = 0;
      }
      const kept = pruneRow(row, touched, nTouched, p.neighbours, heap);
      if (used + kept.length > capacity) {
        capacity = Math.max(used + kept.length, capacity * 2);
        const grownIdx = new Int32Array(capacity);
        grownIdx.set(indices.subarray(0, used));
        const grownVal = new Float32Array(capacity);
        grownVal.set(weights.subarray(0, used));
        indices = grownIdx;
        weights = grownVal;
      }
      for (let t = 0; t < kept.length; t++) {
        indices[used] = kept[t];
        weights[used++] = row[kept[t]];
      }
      outPtr[i + 1] = used;
      // Clear what this row touched (kept or not) for the next.
      for (let t = 0; t < nTouched; t++) {
        row[touched[t]] = 0;
        seen[touched[t]] = 0;
      }
      row[i] = 0;
      if ((i & 255) === 255) options.onProgress?.(i / n);
    }
    options.onProgress?.(1);
    indices = indices.slice(0, used);
    weights = weights.slice(0, used);
    const serving = rp3betaServing(p, outPtr, indices, weights);
    const { scoreItems, ...rest } = serving;
    return {
      ...rest,
      name: "rp3beta",
      indptr: outPtr,
      indices,
      weights,
      scoreAll(user) {
        if (user < 0 || user >= nUsers) return new Float32Array(n);
        return scoreItems(ri.subarray(rp[user], rp[user + 1]));
      },
      explain(user, item, maxEvidence) {
        if (user < 0 || user >= nUsers) return [];
        const items = ri.subarray(rp[user], rp[user + 1]);
        return rest.explainHistory({ items, values: new Float32Array(items.length).fill(1) }, item, maxEvidence);
      },
    };
  },
  deserialize(serialized: SerializedModel): Rp3betaModel {
    checkAlgorithm("rp3beta", serialized);
    const p = { ...rp3betaDefaults, ...(serialized.params as Partial<Rp3betaParams>) };
    const indptr = serializedArray("rp3beta", serialized, "indptr", Int32Array);
    const indices = serializedArray("rp3beta", serialized, "indices", Int32Array);
    const weights = serializedArray("rp3beta", serialized, "weights", Float32Array);
    const { scoreItems, ...rest } = rp3betaServing(p, indptr, indices, weights);
    // No user is stored: every user is scored from a history.
    return { ...rest, name: "rp3beta", indptr, indices, weights, scoreAll: () => scoreItems([]) };
  },
} satisfies Algorithm<Rp3betaParams> & CostedAlgorithm<Rp3betaParams>;
