// The loaders the recommendation service needs, per request like all loaders
// (and, like them, made on first use): every requested user's history in ONE
// statement, every candidate item (row, kind, year, features) in ONE
// statement, and the popularity fallback once. Candidate rows prime the
// catalog loaders, so `item { title features }` on a recommendation costs no
// further statement.
import DataLoader from "dataloader";
import type { Database } from "../db/Database";
import type { InteractionRow } from "../db/rows";
import { candidateItems, historiesOfUsers, popularItems, type CandidateItem } from "../db/trainingDataRepository";
import type { ServiceContext } from "../services/ServiceContext";
import { alignToKeys, groupByKeys } from "./alignToKeys";
import { catalogCacheOf } from "./catalogCache";
import { userStateCacheOf } from "./userStateCache";

// How many all-time popular items the fallback ranking reads.
export const POPULAR_FALLBACK_LIMIT = 1000;

export interface RecommendationLoaders {
  historyByUserId: DataLoader<number, InteractionRow[]>;
  candidateItem: DataLoader<number, CandidateItem | null>;
  // All-time popularity by distinct users; key: the middle of the rating scale.
  popularAllTime: DataLoader<number, { itemId: number; users: number }[]>;
}

// Where candidate rows are primed: itemById, itemByExternalId and featuresByItemId.
export interface CandidatePrimer {
  primeCandidates(found: readonly CandidateItem[]): void;
}

export class RequestRecommendationLoaders implements RecommendationLoaders {
  private historyLoader?: RecommendationLoaders["historyByUserId"];
  private candidateLoader?: RecommendationLoaders["candidateItem"];
  private popularLoader?: RecommendationLoaders["popularAllTime"];

  constructor(private readonly db: Database, private readonly loaders: CandidatePrimer) {}

  get historyByUserId(): RecommendationLoaders["historyByUserId"] {
    if (!this.historyLoader) {
      const db = this.db;
      const userCache = userStateCacheOf(db);
      this.historyLoader = new DataLoader(async (ids) => {
        if (!userCache) return groupByKeys(ids, await historiesOfUsers(db, ids), (r) => r.userId);
        const cached = ids.map((id) => userCache.getHistory(id));
        const missing = ids.filter((_, k) => cached[k] === undefined);
        const epoch = userCache.epoch;
        const read = missing.length > 0 ? groupByKeys(missing, await historiesOfUsers(db, missing), (r) => r.userId) : [];
        missing.forEach((id, k) => userCache.setHistory(id, read[k], epoch));
        let m = 0;
        return cached.map((rows) => rows ?? read[m++]);
      });
    }
    return this.historyLoader;
  }

  get candidateItem(): RecommendationLoaders["candidateItem"] {
    if (!this.candidateLoader) {
      const { db, loaders } = this;
      const cache = catalogCacheOf(db);
      this.candidateLoader = new DataLoader(async (ids) => {
        const all = cache ? await cache.readThrough(ids, (id) => cache.get(id), (missing) => candidateItems(db, missing)) : await candidateItems(db, ids);
        loaders.primeCandidates(all);
        return alignToKeys(ids, all, (c) => c.item.id);
      });
    }
    return this.candidateLoader;
  }

  get popularAllTime(): RecommendationLoaders["popularAllTime"] {
    if (!this.popularLoader) {
      const db = this.db;
      const cache = catalogCacheOf(db);
      this.popularLoader = new DataLoader((middles) =>
        Promise.all(
          middles.map((middle) => {
            if (!cache) return popularItems(db, { limit: POPULAR_FALLBACK_LIMIT }, middle);
            let read = cache.popular.get(middle);
            if (!read) {
              read = popularItems(db, { limit: POPULAR_FALLBACK_LIMIT }, middle);
              read.catch(() => cache.popular.delete(middle));
              cache.popular.set(middle, read);
            }
            return read;
          }),
        ),
      );
    }
    return this.popularLoader;
  }
}

export function recommendationLoadersOf(ctx: ServiceContext): RecommendationLoaders {
  return ctx.loaders.recommendation;
}
