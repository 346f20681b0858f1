// A small seeded synthetic catalog for the algorithm tests: users and items
// belong to latent taste groups; users mostly interact with (and rate highly)
// items of their own group. Ratings follow a low-rank model plus noise, so
// explicit models can beat the global mean and ranking models can find each
// user's held-out in-group items.
import { csrFromTriplets } from "../../../../src/engine/data/CsrMatrix";
import { createRng, shuffle } from "../../../../src/engine/random";
import type { Model, TrainingSet } from "../../../../src/engine/types";

export interface Entry {
  user: number;
  item: number;
  value: number;
}

export interface SyntheticData {
  train: TrainingSet;
  test: Entry[];
}

export interface SyntheticOptions {
  nUsers?: number;
  nItems?: number;
  nGroups?: number;
  perUser?: number;
  // Leave this many users without any rows (cold start).
  coldUsers?: number;
  // Binary values (implicit data) instead of 1-5 ratings.
  implicit?: boolean;
}

export function syntheticData(seed: number, options: SyntheticOptions = {}): SyntheticData {
  const { nUsers = 120, nItems = 80, nGroups = 4, perUser = 20, coldUsers = 1, implicit = false } = options;
  const rng = createRng(seed);
  const itemGroup = Int32Array.from({ length: nItems }, (_, i) => i % nGroups);
  const itemQuality = Float64Array.from({ length: nItems }, () => rng.normal() * 0.5);
  const userBias = Float64Array.from({ length: nUsers }, () => rng.normal() * 0.4);
  const rows: number[] = [];
  const cols: number[] = [];
  const vals: number[] = [];
  const test: Entry[] = [];
  for (let u = 0; u < nUsers - coldUsers; u++) {
    const group = u % nGroups;
    const candidates = Int32Array.from({ length: nItems }, (_, i) => i);
    shuffle(candidates, rng);
    // 80% of a user's items come from their own group.
    const own = Array.from(candidates).filter((i) => itemGroup[i] === group);
    const other = Array.from(candidates).filter((i) => itemGroup[i] !== group);
    const nOwn = Math.min(own.length, Math.round(perUser * 0.8));
    const chosen = own.slice(0, nOwn).concat(other.slice(0, perUser - nOwn));
    shuffle(chosen, rng);
    chosen.forEach((item, k) => {
      const affinity = itemGroup[item] === group ? 1.2 : -0.8;
      const r = Math.round(3.4 + affinity + itemQuality[item] + userBias[u] + 0.4 * rng.normal());
      const value = implicit ? 1 : Math.min(5, Math.max(1, r));
      if (k < Math.round(chosen.length * 0.25)) test.push({ user: u, item, value });
      else {
        rows.push(u);
        cols.push(item);
        vals.push(value);
      }
    });
  }
  return {
    train: {
      nUsers,
      nItems,
      ratings: csrFromTriplets(nUsers, nItems, rows, cols, vals),
      ratingScale: implicit ? undefined : { min: 1, max: 5 },
    },
    test,
  };
}

export function rmse(model: Model, test: Entry[]): number {
  let se = 0;
  for (const t of test) se += (model.predict!(t.user, t.item) - t.value) ** 2;
  return Math.sqrt(se / test.length);
}

export function globalMeanRmse(data: SyntheticData): number {
  const v = data.train.ratings.values;
  const mean = v.reduce((s, x) => s + x, 0) / v.length;
  return Math.sqrt(data.test.reduce((s, t) => s + (t.value - mean) ** 2, 0) / data.test.length);
}

// Mean nDCG@10 over users with test rows; training items are excluded, every test item is relevant.
export function ndcgAt10(model: Model, data: SyntheticData): number {
  const { train, test } = data;
  const byUser = new Map<number, Set<number>>();
  for (const t of test) {
    if (!byUser.has(t.user)) byUser.set(t.user, new Set());
    byUser.get(t.user)!.add(t.item);
  }
  let total = 0;
  for (const [u, relevant] of byUser) {
    const scores = model.scoreAll(u);
    const seen = new Set(train.ratings.indices.subarray(train.ratings.indptr[u], train.ratings.indptr[u + 1]));
    const ranked = Array.from({ length: train.nItems }, (_, i) => i)
      .filter((i) => !seen.has(i))
      .sort((a, b) => scores[b] - scores[a] || a - b)
      .slice(0, 10);
    let dcg = 0;
    ranked.forEach((i, r) => {
      if (relevant.has(i)) dcg += 1 / Math.log2(r + 2);
    });
    let idcg = 0;
    for (let r = 0; r < Math.min(10, relevant.size); r++) idcg += 1 / Math.log2(r + 2);
    total += dcg / idcg;
  }
  return total / byUser.size;
}

// nDCG@10 of ranking items by training popularity: the bar every ranking model must clear.
export function popularityNdcg(data: SyntheticData): number {
  const counts = new Float32Array(data.train.nItems);
  for (const i of data.train.ratings.indices) counts[i]++;
  return ndcgAt10({ name: "pop", scoreAll: () => counts.slice() }, data);
}
