// DataLoaders, created fresh for every request (never shared: they cache).
// Each turns the many loads one GraphQL query makes into one SQL statement per
// batch, so a query's statement count does not grow with the number of users
// or items it touches.
import DataLoader from "dataloader";
import { userStateCacheOf } from "./userStateCache";
import { catalogCacheOf } from "./catalogCache";
import { candidateItems, candidateItemsByExternalIds, type CandidateItem } from "../db/trainingDataRepository";
import type { Database } from "../db/Database";
import type { InteractionRow, ItemFeatureRow, ItemRow, UserRow } from "../db/rows";
import { findItemsByExternalIds, findItemsByIds } from "../db/itemRepository";
import { findUsersByExternalIds, findUsersByIds } from "../db/userRepository";
import { featuresOfItems } from "../db/featureRepository";
import { countInteractions, interactionPages, type InteractionCountKey, type InteractionPageKey } from "../db/interactionRepository";
import { alignToKeys, groupByKeys } from "./alignToKeys";
import { observeBatch } from "../observability/observeBatch";
import { createRecommendationLoaders, type RecommendationLoaders } from "./recommendationLoaders";

export interface Loaders {
  userById: DataLoader<number, UserRow | null>;
  userByExternalId: DataLoader<string, UserRow | null>;
  itemById: DataLoader<number, ItemRow | null>;
  itemByExternalId: DataLoader<string, ItemRow | null>;
  featuresByItemId: DataLoader<number, ItemFeatureRow[]>;
  interactionPage: DataLoader<InteractionPageKey, InteractionRow[], string>;
  interactionCount: DataLoader<InteractionCountKey, number, string>;
  // Histories, candidate items and popularity for the recommendation service.
  recommendation: RecommendationLoaders;
}

export function createLoaders(db: Database): Loaders {
  const userById: Loaders["userById"] = new DataLoader(async (ids) => {
    observeBatch("userById", ids.length);
    const rows = await findUsersByIds(db, ids);
    for (const row of rows) userByExternalId.prime(row.externalId, row);
    return alignToKeys(ids, rows, (r) => r.id);
  });
  const userCache = userStateCacheOf(db);
  const userByExternalId: Loaders["userByExternalId"] = new DataLoader(async (ids) => {
    observeBatch("userByExternalId", ids.length);
    const cached = userCache ? ids.map((id) => userCache.getUser(id)) : [];
    const missing = userCache ? ids.filter((_, k) => cached[k] === undefined) : ids;
    const epoch = userCache?.epoch ?? 0;
    const read = missing.length > 0 ? await findUsersByExternalIds(db, missing) : [];
    for (const row of read) userCache?.setUser(row, epoch);
    const rows = [...read, ...(cached.filter(Boolean) as UserRow[])];
    for (const row of rows) userById.prime(row.id, row);
    return alignToKeys(ids, rows, (r) => r.externalId);
  });
  // Items the catalog cache holds (see catalogCache: invalidated by writes
  // here at once, by other replicas' within a refresh) cost no statement;
  // misses are read with their features (still one statement) and cached.
  const catalog = catalogCacheOf(db);
  const primeItems = (found: CandidateItem[]): ItemRow[] =>
    found.map((c) => {
      itemById.prime(c.item.id, c.item);
      itemByExternalId.prime(c.item.externalId, c.item);
      featuresByItemId.prime(c.item.id, c.features);
      return c.item;
    });
  const itemById: Loaders["itemById"] = new DataLoader(async (ids) => {
    observeBatch("itemById", ids.length);
    if (!catalog) {
      const rows = await findItemsByIds(db, ids);
      for (const row of rows) itemByExternalId.prime(row.externalId, row);
      return alignToKeys(ids, rows, (r) => r.id);
    }
    const rows = primeItems(await catalog.readThrough(ids, (id) => catalog.get(id), (missing) => candidateItems(db, missing)));
    return alignToKeys(ids, rows, (r) => r.id);
  });
  const itemByExternalId: Loaders["itemByExternalId"] = new DataLoader(async (ids) => {
    observeBatch("itemByExternalId", ids.length);
    if (!catalog) {
      const rows = await findItemsByExternalIds(db, ids);
      for (const row of rows) itemById.prime(row.id, row);
      return alignToKeys(ids, rows, (r) => r.externalId);
    }
    const rows = primeItems(await catalog.readThrough(ids, (id) => catalog.getByExternalId(id), (missing) => candidateItemsByExternalIds(db, missing)));
    return alignToKeys(ids, rows, (r) => r.externalId);
  });
  const featuresByItemId: Loaders["featuresByItemId"] = new DataLoader(async (ids) => {
    observeBatch("featuresByItemId", ids.length);
    return groupByKeys(ids, await featuresOfItems(db, ids), (r) => r.itemId);
  });
  const interactionPage: Loaders["interactionPage"] = new DataLoader((keys) => {
    observeBatch("interactionPage", keys.length);
    return interactionPages(db, keys);
  }, {
    cacheKeyFn: (k) => `${k.userId}|${k.type}|${k.after?.occurredAt.toISOString()}|${k.after?.id}|${k.limit}`,
  });
  const interactionCount: Loaders["interactionCount"] = new DataLoader((keys) => {
    observeBatch("interactionCount", keys.length);
    return countInteractions(db, keys);
  }, {
    cacheKeyFn: (k) => `${k.userId}|${k.type}`,
  });
  const base = { userById, userByExternalId, itemById, itemByExternalId, featuresByItemId, interactionPage, interactionCount };
  return { ...base, recommendation: createRecommendationLoaders(db, base) };
}
