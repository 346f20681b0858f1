// A process-wide cache of users (by external id) and their interaction
// histories, so a warm recommendation request needs no SQL at all. Turned on
// per database by startApp (MARQUEE_USER_CACHE, default on).
//
// Read-your-writes on every replica: every write that touches a user
// (recordInteractions, upsertUsers, deleteUser, import) invalidates them here
// at once and sends pg_notify('marquee_users', ids) INSIDE its transaction,
// so PostgreSQL delivers it to every replica's listener when the write
// commits — before the writer answers its client. A replica whose listening
// connection drops clears the whole cache (it may have missed messages).
// A read that started before an invalidation does not store what it read
// (the epoch check), so a racing read cannot put stale rows back.
//
// It also holds what the recommendation service derived from a user's
// history (a model's ranked list, see recommendationService): derived state
// lives and dies with the history it came from, so the same invalidations
// drop it. Its key names the model version and revision, so a model swap
// never serves an old list (old keys age out of the LRU).
import type { Database } from "../db/Database";
import type { InteractionRow, UserRow } from "../db/rows";

import { announceUserChanges } from "../db/usersChanged";

export class UserStateCache {
  private readonly users = new Map<string, UserRow>();
  private readonly externalIdOf = new Map<number, string>();
  private readonly histories = new Map<number, InteractionRow[]>();
  private rowsHeld = 0;
  // userId -> key -> derived value; most recently used user last.
  private readonly derived = new Map<number, Map<string, unknown>>();
  derivedHits = 0;
  derivedMisses = 0;
  private epochValue = 0;
  hits = 0;
  misses = 0;

  constructor(
    private readonly maxUsers = 200_000,
    private readonly maxRows = 5_000_000,
    private readonly maxDerivedUsers = 50_000,
    // Off (MARQUEE_RANKED_LIST_CACHE=false): nothing derived is kept.
    private readonly keepDerived = true,
  ) {}

  getDerived<T>(userId: number, key: string): T | undefined {
    const entries = this.derived.get(userId);
    const value = entries?.get(key) as T | undefined;
    if (value === undefined) {
      this.derivedMisses++;
      return undefined;
    }
    this.derivedHits++;
    this.derived.delete(userId);
    this.derived.set(userId, entries!);
    return value;
  }

  setDerived(userId: number, key: string, value: unknown, epoch: number): void {
    if (epoch !== this.epochValue || !this.keepDerived) return;
    let entries = this.derived.get(userId);
    if (entries) this.derived.delete(userId);
    else entries = new Map();
    // A handful of keys per user (strategies x excludeSeen); keep the newest.
    if (entries.size >= 16) entries.delete(entries.keys().next().value!);
    entries.set(key, value);
    this.derived.set(userId, entries);
    while (this.derived.size > this.maxDerivedUsers) this.derived.delete(this.derived.keys().next().value!);
  }

  get epoch(): number {
    return this.epochValue;
  }

  getUser(externalId: string): UserRow | undefined {
    const row = this.users.get(externalId);
    if (row) this.hits++;
    else this.misses++;
    return row;
  }

  setUser(row: UserRow, epoch: number): void {
    if (epoch !== this.epochValue) return;
    if (this.users.size >= this.maxUsers) this.evictOldest();
    this.users.set(row.externalId, row);
    this.externalIdOf.set(row.id, row.externalId);
  }

  getHistory(userId: number): InteractionRow[] | undefined {
    const rows = this.histories.get(userId);
    if (rows) {
      this.hits++;
      // Most recently used last (the eviction order).
      this.histories.delete(userId);
      this.histories.set(userId, rows);
    } else {
      this.misses++;
    }
    return rows;
  }

  // Whether a history is held, without counting a hit or touching its place in the LRU.
  holdsHistory(userId: number): boolean {
    return this.histories.has(userId);
  }

  setHistory(userId: number, rows: InteractionRow[], epoch: number): void {
    if (epoch !== this.epochValue) return;
    const old = this.histories.get(userId);
    if (old) this.rowsHeld -= old.length;
    this.histories.set(userId, rows);
    this.rowsHeld += rows.length;
    while (this.rowsHeld > this.maxRows || this.histories.size > this.maxUsers) {
      const [first] = this.histories.keys();
      if (first === undefined) break;
      this.rowsHeld -= this.histories.get(first)!.length;
      this.histories.delete(first);
    }
  }

  invalidate(userIds: Iterable<number>): void {
    this.epochValue++;
    for (const id of userIds) {
      const rows = this.histories.get(id);
      if (rows) this.rowsHeld -= rows.length;
      this.histories.delete(id);
      this.derived.delete(id);
      const externalId = this.externalIdOf.get(id);
      if (externalId !== undefined) this.users.delete(externalId);
      this.externalIdOf.delete(id);
    }
  }

  invalidateExternal(externalIds: Iterable<string>): void {
    this.epochValue++;
    const ids: number[] = [];
    for (const e of externalIds) {
      const row = this.users.get(e);
      if (row) ids.push(row.id);
    }
    this.invalidate(ids);
  }

  clear(): void {
    this.epochValue++;
    this.users.clear();
    this.externalIdOf.clear();
    this.histories.clear();
    this.derived.clear();
    this.rowsHeld = 0;
  }

  // A message from another replica: user ids, or "*" for everyone.
  onMessage(payload: string): void {
    if (payload === "*") return this.clear();
    try {
      const ids = JSON.parse(payload) as unknown;
      if (Array.isArray(ids)) return this.invalidate(ids.filter((x): x is number => typeof x === "number"));
    } catch {
      // Not ours: be safe.
    }
    this.clear();
  }

  private evictOldest(): void {
    const [first] = this.users.keys();
    if (first === undefined) return;
    const row = this.users.get(first)!;
    this.users.delete(first);
    this.externalIdOf.delete(row.id);
  }
}

const caches = new WeakMap<Database, UserStateCache>();

export function enableUserStateCache(db: Database, options: { rankedLists?: boolean } = {}): UserStateCache {
  let cache = caches.get(db);
  if (!cache) {
    cache = new UserStateCache(undefined, undefined, undefined, options.rankedLists ?? true);
    caches.set(db, cache);
    announceUserChanges(db);
  }
  return cache;
}

export function userStateCacheOf(db: Database): UserStateCache | undefined {
  return caches.get(db);
}
