// A small seeded catalog with structure the algorithms can find: each item
// belongs to one of a few genres, each user prefers some genres, and ratings
// are bias + taste agreement + noise. Same seed, same catalog.
import type { InteractionInput } from "../../../src/engine/data/buildTrainingSet";
import type { ItemFeatureInput } from "../../../src/engine/data/buildItemFeatures";
import { createRng, shuffle } from "../../../src/engine/random";

export interface SyntheticCatalog {
  nUsers: number;
  nItems: number;
  nFeatures: number;
  records: InteractionInput[];
  features: ItemFeatureInput[];
  // Genre of each item (feature index).
  genreOf: number[];
}

export interface SyntheticOptions {
  nUsers?: number;
  nItems?: number;
  nGenres?: number;
  ratingsPerUser?: number;
  seed?: number;
}

export function syntheticCatalog(options: SyntheticOptions = {}): SyntheticCatalog {
  const { nUsers = 60, nItems = 80, nGenres = 4, ratingsPerUser = 25, seed = 7 } = options;
  const rng = createRng(seed);
  const genreOf = Array.from({ length: nItems }, (_, i) => i % nGenres);
  const itemBias = Array.from({ length: nItems }, () => 0.5 * rng.normal());
  const userBias = Array.from({ length: nUsers }, () => 0.4 * rng.normal());
  const taste = Array.from({ length: nUsers }, () => Array.from({ length: nGenres }, () => rng.normal()));
  // One extra feature per pair of items: a "director" shared by two items.
  const features: ItemFeatureInput[] = [];
  for (let i = 0; i < nItems; i++) {
    features.push({ item: i, feature: genreOf[i], weight: 1 });
    features.push({ item: i, feature: nGenres + (i >> 1), weight: 1 });
  }
  const records: InteractionInput[] = [];
  let t = 1_700_000_000;
  for (let u = 0; u < nUsers; u++) {
    const items = shuffle(Array.from({ length: nItems }, (_, i) => i), rng).slice(0, ratingsPerUser);
    for (const i of items) {
      const raw = 3.4 + userBias[u] + itemBias[i] + 1.1 * taste[u][genreOf[i]] + 0.5 * rng.normal();
      const value = Math.min(5, Math.max(1, Math.round(raw)));
      records.push({ user: u, item: i, kind: "RATING", value, timestamp: (t += 60) });
    }
  }
  return { nUsers, nItems, nFeatures: nGenres + (nItems >> 1) + 1, records, features, genreOf };
}

// Seeded random train/test split of records.
export function splitRecords<T>(records: readonly T[], testFraction: number, seed: number): { train: T[]; test: T[] } {
  const order = shuffle(records.map((_, k) => k), createRng(seed));
  const nTest = Math.round(records.length * testFraction);
  const testSet = new Set(order.slice(0, nTest));
  return {
    train: records.filter((_, k) => !testSet.has(k)),
    test: records.filter((_, k) => testSet.has(k)),
  };
}

export function rmse(predict: (u: number, i: number) => number, test: readonly InteractionInput[]): number {
  let se = 0;
  for (const r of test) se += (predict(r.user, r.item) - r.value) ** 2;
  return Math.sqrt(se / test.length);
}

// Fraction of test ratings >= 4 whose item appears in the user's top n
// (training items excluded): a simple ranking metric to pin.
export function hitRate(topN: (u: number) => number[], test: readonly InteractionInput[]): number {
  const liked = test.filter((r) => r.value >= 4);
  const cache = new Map<number, Set<number>>();
  let hits = 0;
  for (const r of liked) {
    let top = cache.get(r.user);
    if (!top) cache.set(r.user, (top = new Set(topN(r.user))));
    if (top.has(r.item)) hits++;
  }
  return hits / liked.length;
}
