// DataLoaders, created fresh for every request (never shared: they cache).
// Each turns the many loads one GraphQL query makes into one SQL statement per
// batch, so a query's statement count does not grow with the number of users
// or items it touches.
//
// A request's loaders are made on first use (most requests use two or three
// of the ten; `{ __typename }` none). Priming a row one loader read for
// another (a user read by external id is the user of that id) makes the
// other if it does not exist yet.
import DataLoader from "dataloader";
import { userStateCacheOf, type UserStateCache } from "./userStateCache";
import { catalogCacheOf, type CatalogCache } from "./catalogCache";
import { candidateItems, candidateItemsByExternalIds, type CandidateItem } from "../db/trainingDataRepository";
import type { Database } from "../db/Database";
import type { InteractionRow, ItemFeatureRow, ItemRow, UserRow } from "../db/rows";
import { findItemsByExternalIds, findItemsByIds } from "../db/itemRepository";
import { findUsersByExternalIds, findUsersByIds } from "../db/userRepository";
import { featuresOfItems } from "../db/featureRepository";
import { countInteractions, interactionPages, type InteractionCountKey, type InteractionPageKey } from "../db/interactionRepository";
import { alignToKeys, groupByKeys } from "./alignToKeys";
import { observeBatch } from "../observability/observeBatch";
import { RequestRecommendationLoaders, type RecommendationLoaders } from "./recommendationLoaders";

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

class RequestLoaders implements Loaders {
  private readonly userCache: UserStateCache | undefined;
  private readonly catalog: CatalogCache | undefined;
  private userByIdLoader?: Loaders["userById"];
  private userByExternalIdLoader?: Loaders["userByExternalId"];
  private itemByIdLoader?: Loaders["itemById"];
  private itemByExternalIdLoader?: Loaders["itemByExternalId"];
  private featuresByItemIdLoader?: Loaders["featuresByItemId"];
  private interactionPageLoader?: Loaders["interactionPage"];
  private interactionCountLoader?: Loaders["interactionCount"];
  private recommendationLoaders?: RecommendationLoaders;

  constructor(private readonly db: Database) {
    this.userCache = userStateCacheOf(db);
    this.catalog = catalogCacheOf(db);
  }

  // Candidate rows (an item with its features) read by one loader answer
  // itemById, itemByExternalId and featuresByItemId in the same request.
  // With the catalog cache those loaders read through it (where the rows
  // just read were put), so nothing is primed: priming costs a promise and
  // a map entry per loader and candidate, a sixth of what a warm
  // recommendation request would allocate.
  primeCandidates(found: readonly CandidateItem[]): void {
    if (this.catalog) return;
    for (const c of found) {
      this.itemById.prime(c.item.id, c.item);
      this.itemByExternalId.prime(c.item.externalId, c.item);
      this.featuresByItemId.prime(c.item.id, c.features);
    }
  }

  primeUser(user: UserRow): void {
    this.userById.prime(user.id, user);
    this.userByExternalId.prime(user.externalId, user);
  }

  get userById(): Loaders["userById"] {
    const db = this.db;
    return (this.userByIdLoader ??= new DataLoader(async (ids) => {
      observeBatch("userById", ids.length);
      const rows = await findUsersByIds(db, ids);
      for (const row of rows) this.userByExternalId.prime(row.externalId, row);
      return alignToKeys(ids, rows, (r) => r.id);
    }));
  }

  get userByExternalId(): Loaders["userByExternalId"] {
    const { db, userCache } = this;
    return (this.userByExternalIdLoader ??= new DataLoader(async (ids) => {
      observeBatch("userByExternalId", ids.length);
      const cached = userCache ? ids.map((id) => userCache.getUser(id)) : [];
      const missing = userCache ? ids.filter((_, k) => cached[k] === undefined) : ids;
      const epoch = userCache?.epoch ?? 0;
      const read = missing.length > 0 ? await findUsersByExternalIds(db, missing) : [];
      for (const row of read) userCache?.setUser(row, epoch);
      const rows = [...read, ...(cached.filter(Boolean) as UserRow[])];
      for (const row of rows) this.userById.prime(row.id, row);
      return alignToKeys(ids, rows, (r) => r.externalId);
    }));
  }

  // Items the catalog cache holds (see catalogCache: invalidated by writes
  // here at once, by other replicas' within a refresh) cost no statement;
  // misses are read with their features (still one statement) and cached.
  get itemById(): Loaders["itemById"] {
    const { db, catalog } = this;
    return (this.itemByIdLoader ??= new DataLoader(async (ids) => {
      observeBatch("itemById", ids.length);
      if (!catalog) {
        const rows = await findItemsByIds(db, ids);
        for (const row of rows) this.itemByExternalId.prime(row.externalId, row);
        return alignToKeys(ids, rows, (r) => r.id);
      }
      const found = await catalog.readThrough(ids, (id) => catalog.get(id), (missing) => candidateItems(db, missing));
      this.primeCandidates(found);
      return alignToKeys(ids, found.map((c) => c.item), (r) => r.id);
    }));
  }

  get itemByExternalId(): Loaders["itemByExternalId"] {
    const { db, catalog } = this;
    return (this.itemByExternalIdLoader ??= new DataLoader(async (ids) => {
      observeBatch("itemByExternalId", ids.length);
      if (!catalog) {
        const rows = await findItemsByExternalIds(db, ids);
        for (const row of rows) this.itemById.prime(row.id, row);
        return alignToKeys(ids, rows, (r) => r.externalId);
      }
      const found = await catalog.readThrough(ids, (id) => catalog.getByExternalId(id), (missing) => candidateItemsByExternalIds(db, missing));
      this.primeCandidates(found);
      return alignToKeys(ids, found.map((c) => c.item), (r) => r.externalId);
    }));
  }

  get featuresByItemId(): Loaders["featuresByItemId"] {
    const { db, catalog } = this;
    return (this.featuresByItemIdLoader ??= new DataLoader(async (ids) => {
      observeBatch("featuresByItemId", ids.length);
      if (!catalog) return groupByKeys(ids, await featuresOfItems(db, ids), (r) => r.itemId);
      const found = await catalog.readThrough(ids, (id) => catalog.get(id), (missing) => candidateItems(db, missing));
      return alignToKeys(ids, found, (c) => c.item.id).map((c) => c?.features ?? []);
    }));
  }

  get interactionPage(): Loaders["interactionPage"] {
    const db = this.db;
    return (this.interactionPageLoader ??= new DataLoader((keys) => {
      observeBatch("interactionPage", keys.length);
      return interactionPages(db, keys);
    }, {
      cacheKeyFn: (k) => `${k.userId}|${k.type}|${k.after?.occurredAt.toISOString()}|${k.after?.id}|${k.limit}`,
    }));
  }

  get interactionCount(): Loaders["interactionCount"] {
    const db = this.db;
    return (this.interactionCountLoader ??= new DataLoader((keys) => {
      observeBatch("interactionCount", keys.length);
      return countInteractions(db, keys);
    }, {
      cacheKeyFn: (k) => `${k.userId}|${k.type}`,
    }));
  }

  get recommendation(): RecommendationLoaders {
    return (this.recommendationLoaders ??= new RequestRecommendationLoaders(this.db, this));
  }
}

export function createLoaders(db: Database): Loaders {
  return new RequestLoaders(db);
}
