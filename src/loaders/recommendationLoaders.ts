// The loaders the recommendation service needs, per request like all loaders
// (and, like them, made on first use): every requested user's history in ONE
// statement, every candidate item (row, kind, year, features) in ONE
// statement, and the popularity fallback once. Candidate rows prime the
// catalog loaders, so `item { title features }` on a recommendation costs no
// further statement. A root field that names a user it will score reads the
// user with their history (userWithHistory): one statement, not two.
import DataLoader from "dataloader";
import type { Database } from "../db/Database";
import type { InteractionRow, UserRow } from "../db/rows";
import { findUsersWithHistoriesByExternalIds } from "../db/userRepository";
import { candidateItems, historiesOfUsers, popularItems, type CandidateItem } from "../db/trainingDataRepository";
import type { ServiceContext } from "../services/ServiceContext";
import { alignToKeys, groupByKeys } from "./alignToKeys";
import { catalogCacheOf } from "./catalogCache";
import { userStateCacheOf } from "./userStateCache";
import { readUsersWithHistories } from "./coalescedUserReads";

// How many all-time popular items the fallback ranking reads.
export const POPULAR_FALLBACK_LIMIT = 1000;

export interface RecommendationLoaders {
  historyByUserId: DataLoader<number, InteractionRow[]>;
  // A user by external id whose history the request will need: the history loader is primed.
  userWithHistory: DataLoader<string, UserRow | null>;
  candidateItem: DataLoader<number, CandidateItem | null>;
  // All-time popularity by distinct users; key: the lowest rating counted as a positive.
  popularAllTime: DataLoader<number, { itemId: number; users: number }[]>;
}

// Where rows read here are primed: candidates into itemById, itemByExternalId
// and featuresByItemId; users into userById and userByExternalId.
export interface RowPrimer {
  primeCandidates(found: readonly CandidateItem[]): void;
  primeUser(user: UserRow): void;
}

export class RequestRecommendationLoaders implements RecommendationLoaders {
  private historyLoader?: RecommendationLoaders["historyByUserId"];
  private userWithHistoryLoader?: RecommendationLoaders["userWithHistory"];
  private candidateLoader?: RecommendationLoaders["candidateItem"];
  private popularLoader?: RecommendationLoaders["popularAllTime"];

  constructor(private readonly db: Database, private readonly loaders: RowPrimer) {}

  get historyByUserId(): RecommendationLoaders["historyByUserId"] {
    const db = this.db;
    return (this.historyLoader ??= new DataLoader(async (ids) => {
      const userCache = userStateCacheOf(db);
      if (!userCache) return groupByKeys(ids, await historiesOfUsers(db, ids), (r) => r.userId);
      const cached = ids.map((id) => userCache.getHistory(id));
      const missing = ids.filter((_, k) => cached[k] === undefined);
      const epoch = userCache.epoch;
      const read = missing.length > 0 ? groupByKeys(missing, await historiesOfUsers(db, missing), (r) => r.userId) : [];
      missing.forEach((id, k) => userCache.setHistory(id, read[k], epoch));
      let m = 0;
      return cached.map((rows) => rows ?? read[m++]);
    }));
  }

  get userWithHistory(): RecommendationLoaders["userWithHistory"] {
    const { db, loaders } = this;
    return (this.userWithHistoryLoader ??= new DataLoader(async (externalIds) => {
      const userCache = userStateCacheOf(db);
      // Users whose row and history this replica holds cost nothing.
      const known: UserRow[] = [];
      const missing: string[] = [];
      for (const id of externalIds) {
        const user = userCache?.getUser(id);
        if (user && userCache!.holdsHistory(user.id)) known.push(user);
        else missing.push(id);
      }
      const epoch = userCache?.epoch ?? 0;
      // With the user cache (the server), cold reads of concurrent requests share one statement.
      const read = missing.length === 0 ? [] : userCache ? await readUsersWithHistories(db, missing) : await findUsersWithHistoriesByExternalIds(db, missing);
      for (const { user, history } of read) {
        userCache?.setUser(user, epoch);
        userCache?.setHistory(user.id, history, epoch);
        this.historyByUserId.prime(user.id, history);
      }
      const users = [...known, ...read.map((r) => r.user)];
      for (const user of users) loaders.primeUser(user);
      return alignToKeys(externalIds, users, (u) => u.externalId);
    }));
  }

  get candidateItem(): RecommendationLoaders["candidateItem"] {
    const { db, loaders } = this;
    return (this.candidateLoader ??= new DataLoader(async (ids) => {
      const cache = catalogCacheOf(db);
      const all = cache ? await cache.readThrough(ids, (id) => cache.get(id), (missing) => candidateItems(db, missing)) : await candidateItems(db, ids);
      loaders.primeCandidates(all);
      return alignToKeys(ids, all, (c) => c.item.id);
    }));
  }

  get popularAllTime(): RecommendationLoaders["popularAllTime"] {
    const db = this.db;
    return (this.popularLoader ??= new DataLoader((middles) => {
      const cache = catalogCacheOf(db);
      return Promise.all(
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
      );
    }));
  }
}

export function recommendationLoadersOf(ctx: ServiceContext): RecommendationLoaders {
  return ctx.loaders.recommendation;
}
