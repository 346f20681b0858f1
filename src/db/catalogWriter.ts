// Bulk writes for mutations, importers and the demo catalog: set-based
// INSERT ... SELECT FROM unnest(...) statements, a constant number per chunk,
// inside the caller's transaction, so a batch commits whole or not at all.
// Every statement is idempotent: writing the same records again changes nothing
// (rows whose values are the same are not even touched).
import type { Prisma } from "../generated/prisma/client";
import type { Database } from "./Database";
import type { InteractionRecord, ItemRecord, UserRecord } from "../importers/CatalogData";

export type Tx = Prisma.TransactionClient;

export function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

// Long imports must not hit Prisma's 5 s default for interactive transactions.
export const LONG_TRANSACTION = { maxWait: 30_000, timeout: 30 * 60_000 };

export async function inTransaction<T>(db: Database, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return db.prisma.$transaction(fn, LONG_TRANSACTION);
}

async function idsByExternalId(tx: Tx, table: "users" | "items", externalIds: string[]): Promise<Map<string, number>> {
  const rows = await tx.$queryRawUnsafe<{ id: number; external_id: string }[]>(
    `SELECT id, external_id FROM ${table} WHERE external_id = ANY($1::text[])`,
    externalIds,
  );
  return new Map(rows.map((r) => [r.external_id, r.id]));
}

// Upserts users; returns external id -> internal id for all of them.
export async function writeUsers(tx: Tx, users: readonly UserRecord[]): Promise<Map<string, number>> {
  const ids = new Map<string, number>();
  // Sorted by id so concurrent batches lock rows in the same order (no deadlocks).
  const sorted = dedupeBy(users, (u) => u.externalId).sort((a, b) => (a.externalId < b.externalId ? -1 : a.externalId > b.externalId ? 1 : 0));
  for (const chunk of chunks(sorted, 5000)) {
    await tx.$executeRawUnsafe(
      `INSERT INTO users (external_id, attributes)
       SELECT * FROM unnest($1::text[], $2::jsonb[])
       ON CONFLICT (external_id) DO UPDATE SET attributes = EXCLUDED.attributes, updated_at = now()
        WHERE users.attributes IS DISTINCT FROM EXCLUDED.attributes`,
      chunk.map((u) => u.externalId),
      chunk.map((u) => JSON.stringify(u.attributes ?? {})),
    );
    for (const [k, v] of await idsByExternalId(tx, "users", chunk.map((u) => u.externalId))) ids.set(k, v);
  }
  return ids;
}

// Creates the users that do not exist yet (with empty attributes), leaving
// existing ones untouched; returns external id -> internal id and how many were new.
export async function ensureUsers(tx: Tx, externalIds: readonly string[]): Promise<{ ids: Map<string, number>; created: number }> {
  const ids = new Map<string, number>();
  let created = 0;
  // Sorted so concurrent batches lock rows in the same order (no deadlocks).
  for (const chunk of chunks([...new Set(externalIds)].sort(), 10000)) {
    created += await tx.$executeRawUnsafe(
      `INSERT INTO users (external_id) SELECT * FROM unnest($1::text[]) ON CONFLICT (external_id) DO NOTHING`,
      chunk,
    );
    for (const [k, v] of await idsByExternalId(tx, "users", chunk)) ids.set(k, v);
  }
  return { ids, created };
}

export async function findItemIds(tx: Tx, externalIds: readonly string[]): Promise<Map<string, number>> {
  const ids = new Map<string, number>();
  for (const chunk of chunks([...new Set(externalIds)], 10000)) {
    for (const [k, v] of await idsByExternalId(tx, "items", chunk)) ids.set(k, v);
  }
  return ids;
}

// Upserts items. For items whose `features` is given, the item's feature set
// becomes exactly that list (features no longer listed are unlinked).
export async function writeItems(
  tx: Tx,
  items: readonly (Omit<ItemRecord, "features"> & { features: ItemRecord["features"] | null })[],
): Promise<Map<string, number>> {
  const ids = new Map<string, number>();
  // Kept in the order given (ids, and so `items` order, follow it); item
  // batches come from one backend, not from many concurrent end users.
  for (const chunk of chunks(dedupeBy(items, (i) => i.externalId), 2000)) {
    await tx.$executeRawUnsafe(
      `INSERT INTO items (external_id, kind, title, release_year, description, attributes)
       SELECT e, k::"ItemKind", t, y, d, a FROM unnest($1::text[], $2::text[], $3::text[], $4::int[], $5::text[], $6::jsonb[]) AS x(e, k, t, y, d, a)
       ON CONFLICT (external_id) DO UPDATE
          SET kind = EXCLUDED.kind, title = EXCLUDED.title, release_year = EXCLUDED.release_year,
              description = EXCLUDED.description, attributes = EXCLUDED.attributes, updated_at = now()
        WHERE (items.kind, items.title, items.release_year, items.description, items.attributes)
              IS DISTINCT FROM (EXCLUDED.kind, EXCLUDED.title, EXCLUDED.release_year, EXCLUDED.description, EXCLUDED.attributes)`,
      chunk.map((i) => i.externalId),
      chunk.map((i) => i.kind),
      chunk.map((i) => i.title),
      chunk.map((i) => i.releaseYear),
      chunk.map((i) => i.description),
      chunk.map((i) => JSON.stringify(i.attributes ?? {})),
    );
    const chunkIds = await idsByExternalId(tx, "items", chunk.map((i) => i.externalId));
    for (const [k, v] of chunkIds) ids.set(k, v);

    const withFeatures = chunk.filter((i) => i.features !== null);
    if (withFeatures.length === 0) continue;
    // Merge repeated (facet, value) on one item: the last weight wins.
    const links = new Map<string, { itemId: number; facet: string; value: string; weight: number }>();
    for (const item of withFeatures) {
      const itemId = chunkIds.get(item.externalId)!;
      for (const f of item.features ?? []) links.set(`${itemId}\u0000${f.facet}\u0000${f.value}`, { itemId, ...f });
    }
    const linkList = [...links.values()];
    await tx.$executeRawUnsafe(
      `INSERT INTO features (facet, value) SELECT DISTINCT * FROM unnest($1::text[], $2::text[]) ON CONFLICT (facet, value) DO NOTHING`,
      linkList.map((l) => l.facet),
      linkList.map((l) => l.value),
    );
    // Items whose feature set or weights changed get a new updated_at: other
    // replicas' catalog caches (loaders/catalogCache.ts) see the change on
    // their next refresh, as they do for the item's own columns. Items the
    // upsert above wrote already carry this transaction's stamp (rounded to
    // the column's milliseconds) and are not written again.
    const unlinked = await tx.$queryRawUnsafe<{ item_id: number }[]>(
      `DELETE FROM item_features f_i
        WHERE f_i.item_id = ANY($1::int[])
          AND NOT EXISTS (SELECT 1 FROM unnest($2::int[], $3::text[], $4::text[]) AS x(item_id, facet, value)
                            JOIN features f ON f.facet = x.facet AND f.value = x.value
                           WHERE x.item_id = f_i.item_id AND f.id = f_i.feature_id)
       RETURNING f_i.item_id`,
      withFeatures.map((i) => chunkIds.get(i.externalId)!),
      linkList.map((l) => l.itemId),
      linkList.map((l) => l.facet),
      linkList.map((l) => l.value),
    );
    const linked = await tx.$queryRawUnsafe<{ item_id: number }[]>(
      `INSERT INTO item_features (item_id, feature_id, weight)
       SELECT x.item_id, f.id, x.weight
         FROM unnest($1::int[], $2::text[], $3::text[], $4::real[]) AS x(item_id, facet, value, weight)
         JOIN features f ON f.facet = x.facet AND f.value = x.value
       ON CONFLICT (item_id, feature_id) DO UPDATE SET weight = EXCLUDED.weight
        WHERE item_features.weight IS DISTINCT FROM EXCLUDED.weight
       RETURNING item_id`,
      linkList.map((l) => l.itemId),
      linkList.map((l) => l.facet),
      linkList.map((l) => l.value),
      linkList.map((l) => l.weight),
    );
    const changed = [...new Set([...unlinked, ...linked].map((r) => Number(r.item_id)))];
    if (changed.length > 0) {
      await tx.$executeRawUnsafe(`UPDATE items SET updated_at = now() WHERE id = ANY($1::int[]) AND updated_at <> now()::timestamptz(3)`, changed);
    }
  }
  return ids;
}

export interface ResolvedInteraction {
  userId: number;
  itemId: number;
  type: InteractionRecord["type"];
  value: number;
  occurredAt: Date;
}

export interface InteractionWriteResult {
  created: number;
  updated: number;
  unchanged: number;
}

// Inserts interactions; an event with the same natural key (user, item, type,
// occurredAt) updates the stored value instead of adding a row. Repeats inside
// the batch are merged first (the last one wins), since one INSERT cannot
// touch the same row twice.
//
// Rows go in natural-key order: B-tree inserts into the natural-key and
// per-user indexes then walk neighbouring pages instead of random ones (100k
// rows into an empty table on PostgreSQL 15 took 20-40% less time sorted than
// shuffled), and concurrent writers lock rows in the same order.
export async function writeInteractions(tx: Tx, interactions: readonly ResolvedInteraction[], chunkSize = 50000): Promise<InteractionWriteResult> {
  // importCatalog hands over chunks already merged and sorted; checking that is
  // one cheap pass instead of building a key string per row again.
  const merged = isStrictlyOrdered(interactions) ? interactions : mergeByNaturalKey([...interactions]);
  const result: InteractionWriteResult = { created: 0, updated: 0, unchanged: 0 };
  for (const chunk of chunks(merged, chunkSize)) {
    // Counted in the database: one result row instead of one per written row
    // (xmax = 0 marks a row this statement inserted rather than updated).
    const [counts] = await tx.$queryRawUnsafe<{ created: number; written: number }[]>(
      `WITH written AS (
         INSERT INTO interactions (user_id, item_id, type, value, occurred_at)
         SELECT u, i, t::"InteractionType", v, o FROM unnest($1::int[], $2::int[], $3::text[], $4::real[], $5::timestamptz[]) AS x(u, i, t, v, o)
         ON CONFLICT (user_id, item_id, type, occurred_at) DO UPDATE SET value = EXCLUDED.value
          WHERE interactions.value IS DISTINCT FROM EXCLUDED.value
         RETURNING (xmax = 0) AS inserted)
       SELECT (count(*) FILTER (WHERE inserted))::int AS created, count(*)::int AS written FROM written`,
      chunk.map((i) => i.userId),
      chunk.map((i) => i.itemId),
      chunk.map((i) => i.type),
      chunk.map((i) => i.value),
      chunk.map((i) => i.occurredAt.toISOString()),
    );
    result.created += counts.created;
    result.updated += counts.written - counts.created;
    result.unchanged += chunk.length - counts.written;
  }
  return result;
}

function compareNaturalKey(a: ResolvedInteraction, b: ResolvedInteraction): number {
  return (
    a.userId - b.userId ||
    a.itemId - b.itemId ||
    (a.type < b.type ? -1 : a.type > b.type ? 1 : 0) ||
    a.occurredAt.getTime() - b.occurredAt.getTime()
  );
}

// Sorts in place by (user, item, type, occurredAt), the unique index's order,
// and keeps only the last of each run of equal keys. The sort is stable, so
// that is the one that came last in the input: the same record dedupeBy keeps,
// without building a key string per row.
export function mergeByNaturalKey<T extends ResolvedInteraction>(interactions: T[]): T[] {
  interactions.sort(compareNaturalKey);
  let kept = 0;
  for (let i = 0; i < interactions.length; i++) {
    if (i + 1 < interactions.length && compareNaturalKey(interactions[i], interactions[i + 1]) === 0) continue;
    interactions[kept++] = interactions[i];
  }
  interactions.length = kept;
  return interactions;
}

// True when sorted by natural key with no key repeated.
function isStrictlyOrdered(interactions: readonly ResolvedInteraction[]): boolean {
  for (let i = 1; i < interactions.length; i++) {
    if (compareNaturalKey(interactions[i - 1], interactions[i]) >= 0) return false;
  }
  return true;
}

// Keeps the last record for each key (ordered by where that last one stood).
export function dedupeBy<T>(records: readonly T[], key: (record: T) => string): T[] {
  const byKey = new Map<string, T>();
  for (const record of records) {
    const k = key(record);
    byKey.delete(k);
    byKey.set(k, record);
  }
  return [...byKey.values()];
}
