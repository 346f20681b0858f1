// The neighbourhood model shared by userKnn and itemKnn: Surprise's
// KNNBaseline, i.e. Koren 2010 ("Factor in the neighbors", eq. 3):
//   r_ui = b_ui + sum_{v in N_k(u; i)} s_uv (r_vi - b_vi) / sum s_uv
// where N_k(u; i) are the k most similar users to u who rated i (item-based:
// the k most similar items to i that u rated) and only positive similarities
// take part. Written once over an orientation: "x" is the entity compared
// (users in user-based mode), "y" the other one.
import { transpose, type CsrMatrix } from "../data/CsrMatrix";
import { findEntry } from "../data/findEntry";
import { TopKHeap } from "../recommender/TopKHeap";
import { clipToScale } from "../recommender/clipToScale";
import { similarityMatrix, type SimilarityName } from "../similarity/similarityMatrix";
import { neighboursOf, topKNeighbours } from "../similarity/topKNeighbours";
import type { Evidence, Model, ScoredItem, TrainingSet } from "../types";
import { fitBaselines, type BaselineParams, BASELINE_DEFAULTS } from "./baseline";

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
}

export interface KnnModel extends Model {
  // Dense similarity between the compared entities (row-major n x n).
  readonly similarity: Float32Array;
}

export function fitKnnBaseline(name: string, data: TrainingSet, p: KnnParams, userBased: boolean): KnnModel {
  const b = fitBaselines(data, { ...BASELINE_DEFAULTS, ...p.baseline });
  const byUser = data.ratings;
  const byItem = transpose(byUser);
  const X: CsrMatrix = userBased ? byUser : byItem; // rows: compared entities
  const Y: CsrMatrix = userBased ? byItem : byUser; // rows: the others, listing who has them
  const bx = userBased ? b.userBias : b.itemBias;
  const by = userBased ? b.itemBias : b.userBias;
  const nx = X.nRows;
  const sim = similarityMatrix(X, p.similarity, {
    minSupport: p.minSupport,
    ...(p.shrinkage !== undefined ? { shrinkage: p.shrinkage } : {}),
    baselines: { globalMean: b.globalMean, rowBias: bx, colBias: by },
  });
  const neighbours = topKNeighbours(sim, nx, p.k);
  const scale = data.ratingScale;
  const heap = new TopKHeap(p.k);

  const knownUser = (u: number) => u >= 0 && u < data.nUsers;
  const knownItem = (i: number) => i >= 0 && i < data.nItems;

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
      const s = sim[row + x2];
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
    const scores = new Float32Array(data.nItems);
    if (!knownUser(user)) return scores;
    const K = neighbours.k;
    if (userBased) {
      for (let n = 0; n < neighbours.count[user]; n++) {
        const v = neighbours.indices[user * K + n];
        const s = neighbours.sims[user * K + n];
        for (let k = byUser.indptr[v]; k < byUser.indptr[v + 1]; k++) if (byUser.values[k] > 0) scores[byUser.indices[k]] += s;
      }
    } else {
      for (let k = byUser.indptr[user]; k < byUser.indptr[user + 1]; k++) {
        if (byUser.values[k] <= 0) continue;
        const j = byUser.indices[k];
        for (let n = 0; n < neighbours.count[j]; n++) scores[neighbours.indices[j * K + n]] += neighbours.sims[j * K + n];
      }
    }
    return scores;
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
    // The user's items most similar to `item`: the neighbours predict() used.
    const top = new TopKHeap(Math.min(maxEvidence, p.k));
    for (let k = byUser.indptr[user]; k < byUser.indptr[user + 1]; k++) {
      const j = byUser.indices[k];
      const s = sim[item * nx + j];
      if (j !== item && s > 0 && byUser.values[k] > 0) top.push(j, s);
    }
    return top.sorted().map((e) => ({ kind: "becauseYouInteracted", item: e.item, weight: e.score }));
  }

  const similar = (x: number, k: number): ScoredItem[] => (x >= 0 && x < nx ? neighboursOf(sim, nx, x, k) : []);

  return {
    name,
    similarity: sim,
    predict,
    scoreAll,
    explain,
    ...(userBased ? { similarUsers: similar } : { similarItems: similar }),
  };
}
