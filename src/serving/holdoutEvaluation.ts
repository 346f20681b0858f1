// The evaluation figures a trained version carries (shown by `models`, the
// dashboard and `npm run train`): the same algorithm and parameters fitted
// again on a per-user holdout split of the training set it was trained on,
// and measured on the held-out entries. Test data never reaches the fit;
// the stored version itself is still fitted on everything.
//   split: each user with at least 2 entries gives a seeded 20% (at least
//          one) of their entries to the test side;
//   ranking: top 10 of scoreAll with the user's training items removed,
//          every held-out item relevant: nDCG@10, precision@10, recall@10
//          (Recommenders' definitions), and catalog coverage of the lists;
//   rating (explicit models): RMSE and MAE of predict() on held-out ratings.
// At most `maxUsers` users (a seeded sample) are ranked, to bound the cost.
import type { Algorithm, TrainingSet } from "../engine/types";
import type { CsrMatrix } from "../engine/data/CsrMatrix";
import { createRng } from "../engine/random";
import { ndcgAtK } from "../evaluation/metrics/ndcgAtK";
import { precisionAtK } from "../evaluation/metrics/precisionAtK";
import { recallAtK } from "../evaluation/metrics/recallAtK";
import { rmse } from "../evaluation/metrics/rmse";
import { mae } from "../evaluation/metrics/mae";
import { topK } from "../evaluation/topK";

export interface HoldoutOptions {
  seed: number;
  testFraction?: number;
  maxUsers?: number;
  // Clip predictions to the scale (explicit models).
  ratingScale?: { min: number; max: number };
  // Threads the fit may use (FitOptions.threads).
  threads?: number;
}

export type HoldoutMetrics = Record<string, number>;

const K = 10;

export interface HoldoutSplit {
  train: TrainingSet;
  // Held-out entries, parallel arrays.
  users: Int32Array;
  items: Int32Array;
  values: Float32Array;
}

export function holdoutSplit(set: TrainingSet, seed: number, testFraction = 0.2): HoldoutSplit {
  const m = set.ratings;
  const rng = createRng(seed ^ 0x2545f491);
  const keep = new Uint8Array(m.indices.length).fill(1);
  for (let u = 0; u < m.nRows; u++) {
    const start = m.indptr[u];
    const n = m.indptr[u + 1] - start;
    if (n < 2) continue;
    const held = Math.max(1, Math.round(n * testFraction));
    // A partial Fisher-Yates shuffle of the row's positions picks `held` of them.
    const positions = Array.from({ length: n }, (_, k) => start + k);
    for (let k = 0; k < held; k++) {
      const j = k + rng.int(n - k);
      [positions[k], positions[j]] = [positions[j], positions[k]];
      keep[positions[k]] = 0;
    }
  }
  const indptr = new Int32Array(m.nRows + 1);
  const trainCount = keep.reduce((s, x) => s + x, 0);
  const indices = new Int32Array(trainCount);
  const values = new Float32Array(trainCount);
  const timestamps = set.timestamps ? new Float64Array(trainCount) : undefined;
  const testCount = m.indices.length - trainCount;
  const users = new Int32Array(testCount);
  const items = new Int32Array(testCount);
  const testValues = new Float32Array(testCount);
  let t = 0;
  let h = 0;
  for (let u = 0; u < m.nRows; u++) {
    for (let e = m.indptr[u]; e < m.indptr[u + 1]; e++) {
      if (keep[e]) {
        indices[t] = m.indices[e];
        values[t] = m.values[e];
        if (timestamps) timestamps[t] = set.timestamps![e];
        t++;
      } else {
        users[h] = u;
        items[h] = m.indices[e];
        testValues[h] = m.values[e];
        h++;
      }
    }
    indptr[u + 1] = t;
  }
  const ratings: CsrMatrix = { nRows: m.nRows, nCols: m.nCols, indptr, indices, values };
  return { train: { ...set, ratings, ...(timestamps ? { timestamps } : {}) }, users, items, values: testValues };
}

export function evaluateOnHoldout(
  algorithm: Algorithm<any>,
  set: TrainingSet,
  params: Record<string, unknown>,
  explicit: boolean,
  options: HoldoutOptions,
): HoldoutMetrics {
  const split = holdoutSplit(set, options.seed, options.testFraction ?? 0.2);
  if (split.users.length === 0) return {};
  const model = algorithm.fit(split.train, params, { seed: options.seed, ...(options.threads !== undefined ? { threads: options.threads } : {}) });
  const out: HoldoutMetrics = {};

  if (explicit && model.predict) {
    const scale = options.ratingScale;
    const predicted = Array.from(split.users, (u, e) => {
      const p = model.predict!(u, split.items[e]);
      return scale ? Math.min(scale.max, Math.max(scale.min, p)) : p;
    });
    out.rmse = rmse(split.values, predicted);
    out.mae = mae(split.values, predicted);
  }

  // Relevant items per user: every held-out entry (implicit entries are
  // positive confidences; explicit ones every rating, as msr-stratified).
  const relevant = new Map<number, Set<number>>();
  for (let e = 0; e < split.users.length; e++) {
    if (!explicit && !(split.values[e] > 0)) continue;
    const u = split.users[e];
    (relevant.get(u) ?? relevant.set(u, new Set()).get(u)!).add(split.items[e]);
  }
  let users = [...relevant.keys()].sort((a, b) => a - b);
  const maxUsers = options.maxUsers ?? 2000;
  if (users.length > maxUsers) {
    const rng = createRng(options.seed ^ 0x68e31da4);
    for (let k = 0; k < maxUsers; k++) {
      const j = k + rng.int(users.length - k);
      [users[k], users[j]] = [users[j], users[k]];
    }
    users = users.slice(0, maxUsers).sort((a, b) => a - b);
  }
  if (users.length === 0) return out;
  const train = split.train.ratings;
  let ndcg = 0;
  let precision = 0;
  let recall = 0;
  const recommended = new Set<number>();
  for (const u of users) {
    const scores = model.scoreAll(u);
    const seen = new Set<number>();
    for (let e = train.indptr[u]; e < train.indptr[u + 1]; e++) seen.add(train.indices[e]);
    const list = topK(scores, K, (i) => !seen.has(i));
    const rel = relevant.get(u)!;
    ndcg += ndcgAtK(list, rel, K);
    precision += precisionAtK(list, rel, K);
    recall += recallAtK(list, rel, K);
    for (const i of list) recommended.add(i);
  }
  out["ndcg@10"] = ndcg / users.length;
  out["precision@10"] = precision / users.length;
  out["recall@10"] = recall / users.length;
  out.coverage = recommended.size / set.nItems;
  out.evaluatedUsers = users.length;
  return out;
}
