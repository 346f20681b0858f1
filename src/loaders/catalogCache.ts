// A process-wide cache of items (row and features) for the hot paths: the
// candidates of recommendations, and the itemById / itemByExternalId loaders
// (item { }, similarItems, reasons' items) when it is on. Turned on per database by startApp
// (MARQUEE_CATALOG_CACHE, default on); off, every request reads candidates
// (tests that count statements run without it).
//
// Invalidation: this process's upsertItems/import invalidates at once; other
// replicas notice within their refresh interval (the watch interval, 5 s by
// default) through a stamp of the items table — the number of rows and the
// sum of their updated_at, which grows with every update whatever order
// concurrent transactions commit in. Users and their histories live in the
// user state cache (userStateCache.ts), invalidated through NOTIFY.
import type { Database } from "../db/Database";
import type { CandidateItem } from "../db/trainingDataRepository";

export class CatalogCache {
  private readonly entries = new Map<number, CandidateItem>();
  // External id -> id of the entries above (checked against the entry on read).
  private readonly idOf = new Map<string, number>();
  private stamp: string | undefined;
  // All-time popularity for the fallback ranking, by rating-scale middle:
  // aggregated over every user, so kept until the next refresh tick.
  readonly popular = new Map<number, Promise<{ itemId: number; users: number }[]>>();
  hits = 0;
  misses = 0;

  constructor(private readonly maxEntries = 500_000) {}

  get(id: number): CandidateItem | undefined {
    const found = this.entries.get(id);
    if (found) this.hits++;
    else this.misses++;
    return found;
  }

  // All of these items when the cache holds every one (counted as hits),
  // else undefined (nothing counted: the caller reads through instead).
  getAll(ids: readonly number[]): CandidateItem[] | undefined {
    const found = new Array<CandidateItem>(ids.length);
    for (let k = 0; k < ids.length; k++) {
      const c = this.entries.get(ids[k]);
      if (!c) return undefined;
      found[k] = c;
    }
    this.hits += ids.length;
    return found;
  }

  // The cached item with this external id (the item { } and similarItems lookups).
  getByExternalId(externalId: string): CandidateItem | undefined {
    const id = this.idOf.get(externalId);
    const found = id === undefined ? undefined : this.entries.get(id);
    if (found?.item.externalId === externalId) {
      this.hits++;
      return found;
    }
    this.misses++;
    return undefined;
  }

  set(candidate: CandidateItem): void {
    if (this.entries.size >= this.maxEntries) {
      this.entries.clear();
      this.idOf.clear();
    }
    this.entries.set(candidate.item.id, candidate);
    this.idOf.set(candidate.item.externalId, candidate.item.id);
  }

  // The items for `keys`: those held here, and the rest read by `read` (one
  // call for all of them) and then held; in no particular order.
  async readThrough<K>(keys: readonly K[], cached: (key: K) => CandidateItem | undefined, read: (missing: K[]) => Promise<CandidateItem[]>): Promise<CandidateItem[]> {
    const hits = keys.map(cached);
    const missing = keys.filter((_, k) => hits[k] === undefined);
    const found = missing.length > 0 ? await read(missing) : [];
    for (const c of found) this.set(c);
    for (const c of hits) if (c) found.push(c);
    return found;
  }

  invalidate(ids: Iterable<number>): void {
    for (const id of ids) this.entries.delete(id);
  }

  clear(): void {
    this.entries.clear();
    this.idOf.clear();
    this.popular.clear();
  }

  get size(): number {
    return this.entries.size;
  }

  // Clears the cache when another process changed the items; true if it did.
  async refresh(db: Database): Promise<boolean> {
    const [row] = await db.sql.query<{ n: number; total: string | null }>(
      `SELECT count(*)::int AS n, sum(extract(epoch FROM updated_at))::text AS total FROM items`,
    );
    const stamp = `${row.n}:${row.total ?? ""}`;
    const changed = this.stamp !== undefined && stamp !== this.stamp;
    if (changed) this.clear();
    else this.popular.clear();
    this.stamp = stamp;
    return changed;
  }
}

const caches = new WeakMap<Database, CatalogCache>();

export function enableCatalogCache(db: Database): CatalogCache {
  let cache = caches.get(db);
  if (!cache) {
    cache = new CatalogCache();
    caches.set(db, cache);
  }
  return cache;
}

export function catalogCacheOf(db: Database): CatalogCache | undefined {
  return caches.get(db);
}
