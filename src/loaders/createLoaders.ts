// DataLoaders, created fresh for every request (never shared: they cache).
// Each turns the many loads one GraphQL query makes into one SQL statement per
// batch, so a query's statement count does not grow with the number of users
// or items it touches.
//
// A request's loaders are made on first use (most requests use two or three
// of the ten): a row one loader reads for another (a user read by external id
// is the user of that id) is primed into the other when it is made, if it
// does not exist yet, so a later load finds it exactly as if it had been
// primed at once.
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

// Primes waiting for a loader that is not made yet (keys and values side by side).
class PendingPrimes<K, V> {
  private readonly keys: K[] = [];
  private readonly values: V[] = [];

  add(key: K, value: V): void {
    this.keys.push(key);
    this.values.push(value);
  }

  applyTo(loader: { prime(key: K, value: V): unknown }): void {
    for (let i = 0; i < this.keys.length; i++) loader.prime(this.keys[i], this.values[i]);
  }
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
  private pendingUserById?: PendingPrimes<number, UserRow>;
  private pendingUserByExternalId?: PendingPrimes<string, UserRow>;
  private pendingItemById?: PendingPrimes<number, ItemRow>;
  private pendingItemByExternalId?: PendingPrimes<string, ItemRow>;
  private pendingFeatures?: PendingPrimes<number, ItemFeatureRow[]>;

  constructor(private readonly db: Database) {
    this.userCache = userStateCacheOf(db);
    this.catalog = catalogCacheOf(db);
  }

  // Prime (now, or when the loader is made) -------------------------------

  private primeUserById(row: UserRow): void {
    if (this.userByIdLoader) this.userByIdLoader.prime(row.id, row);
    else (this.pendingUserById ??= new PendingPrimes()).add(row.id, row);
  }

  private primeUserByExternalId(row: UserRow): void {
    if (this.userByExternalIdLoader) this.userByExternalIdLoader.prime(row.externalId, row);
    else (this.pendingUserByExternalId ??= new PendingPrimes()).add(row.externalId, row);
  }

  private primeItemById(row: ItemRow): void {
    if (this.itemByIdLoader) this.itemByIdLoader.prime(row.id, row);
    else (this.pendingItemById ??= new PendingPrimes()).add(row.id, row);
  }

  private primeItemByExternalId(row: ItemRow): void {
    if (this.itemByExternalIdLoader) this.itemByExternalIdLoader.prime(row.externalId, row);
    else (this.pendingItemByExternalId ??= new PendingPrimes()).add(row.externalId, row);
  }

  private primeFeatures(itemId: number, features: ItemFeatureRow[]): void {
    if (this.featuresByItemIdLoader) this.featuresByItemIdLoader.prime(itemId, features);
    else (this.pendingFeatures ??= new PendingPrimes()).add(itemId, features);
  }

  // Candidate rows (an item with its features) read by one loader answer
  // itemById, itemByExternalId and featuresByItemId in the same request.
  primeCandidates(found: readonly CandidateItem[]): void {
    for (const c of found) {
      this.primeItemById(c.item);
      this.primeItemByExternalId(c.item);
      this.primeFeatures(c.item.id, c.features);
    }
  }

  // The loaders -------------------------------------------------------------

  get userById(): Loaders["userById"] {
    if (!this.userByIdLoader) {
      const db = this.db;
      this.userByIdLoader = new DataLoader(async (ids) => {
        observeBatch("userById", ids.length);
        const rows = await findUsersByIds(db, ids);
        for (const row of rows) this.primeUserByExternalId(row);
        return alignToKeys(ids, rows, (r) => r.id);
      });
      this.pendingUserById?.applyTo(this.userByIdLoader);
      this.pendingUserById = undefined;
    }
    return this.userByIdLoader;
  }

  get userByExternalId(): Loaders["userByExternalId"] {
    if (!this.userByExternalIdLoader) {
      const { db, userCache } = this;
      this.userByExternalIdLoader = new DataLoader(async (ids) => {
        observeBatch("userByExternalId", ids.length);
        const cached = userCache ? ids.map((id) => userCache.getUser(id)) : [];
        const missing = userCache ? ids.filter((_, k) => cached[k] === undefined) : ids;
        const epoch = userCache?.epoch ?? 0;
        const read = missing.length > 0 ? await findUsersByExternalIds(db, missing) : [];
        for (const row of read) userCache?.setUser(row, epoch);
        const rows = [...read, ...(cached.filter(Boolean) as UserRow[])];
        for (const row of rows) this.primeUserById(row);
        return alignToKeys(ids, rows, (r) => r.externalId);
      });
      this.pendingUserByExternalId?.applyTo(this.userByExternalIdLoader);
      this.pendingUserByExternalId = undefined;
    }
    return this.userByExternalIdLoader;
  }

  // Items the catalog cache holds (see catalogCache: invalidated by writes
  // here at once, by other replicas' within a refresh) cost no statement;
  // misses are read with their features (still one statement) and cached.
  get itemById(): Loaders["itemById"] {
    if (!this.itemByIdLoader) {
      const { db, catalog } = this;
      this.itemByIdLoader = new DataLoader(async (ids) => {
        observeBatch("itemById", ids.length);
        if (!catalog) {
          const rows = await findItemsByIds(db, ids);
          for (const row of rows) this.primeItemByExternalId(row);
          return alignToKeys(ids, rows, (r) => r.id);
        }
        const found = await catalog.readThrough(ids, (id) => catalog.get(id), (missing) => candidateItems(db, missing));
        this.primeCandidates(found);
        return alignToKeys(ids, found.map((c) => c.item), (r) => r.id);
      });
      this.pendingItemById?.applyTo(this.itemByIdLoader);
      this.pendingItemById = undefined;
    }
    return this.itemByIdLoader;
  }

  get itemByExternalId(): Loaders["itemByExternalId"] {
    if (!this.itemByExternalIdLoader) {
      const { db, catalog } = this;
      this.itemByExternalIdLoader = new DataLoader(async (ids) => {
        observeBatch("itemByExternalId", ids.length);
        if (!catalog) {
          const rows = await findItemsByExternalIds(db, ids);
          for (const row of rows) this.primeItemById(row);
          return alignToKeys(ids, rows, (r) => r.externalId);
        }
        const found = await catalog.readThrough(ids, (id) => catalog.getByExternalId(id), (missing) => candidateItemsByExternalIds(db, missing));
        this.primeCandidates(found);
        return alignToKeys(ids, found.map((c) => c.item), (r) => r.externalId);
      });
      this.pendingItemByExternalId?.applyTo(this.itemByExternalIdLoader);
      this.pendingItemByExternalId = undefined;
    }
    return this.itemByExternalIdLoader;
  }

  get featuresByItemId(): Loaders["featuresByItemId"] {
    if (!this.featuresByItemIdLoader) {
      const db = this.db;
      this.featuresByItemIdLoader = new DataLoader(async (ids) => {
        observeBatch("featuresByItemId", ids.length);
        return groupByKeys(ids, await featuresOfItems(db, ids), (r) => r.itemId);
      });
      this.pendingFeatures?.applyTo(this.featuresByItemIdLoader);
      this.pendingFeatures = undefined;
    }
    return this.featuresByItemIdLoader;
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


