import type { Database } from "./Database";
import type { InteractionTypeName } from "../importers/CatalogData";
import type { InteractionRow } from "./rows";

export interface InteractionPageKey {
  userId: number;
  type: InteractionTypeName | null;
  // Keyset position: rows strictly older than (occurredAt, id).
  after: { occurredAt: Date; id: bigint } | null;
  limit: number;
}

type RawInteraction = Omit<InteractionRow, "id" | "value"> & { id: bigint | string; value: number | string; k: number };

// Pages of interactions for many users in ONE statement: a LATERAL join runs
// the per-user "newest first, after the cursor, limit n" for each key, using
// the (user_id, occurred_at desc, id desc) index.
export async function interactionPages(db: Database, keys: readonly InteractionPageKey[]): Promise<InteractionRow[][]> {
  if (keys.length === 0) return [];
  const rows = await db.prisma.$queryRawUnsafe<RawInteraction[]>(
    `SELECT k.ord AS k, x.id, x.user_id AS "userId", x.item_id AS "itemId", x.type::text AS type, x.value, x.occurred_at AS "occurredAt"
       FROM unnest($1::int[], $2::text[], $3::timestamptz[], $4::bigint[], $5::int[]) WITH ORDINALITY
            AS k(user_id, type, after_time, after_id, lim, ord)
       CROSS JOIN LATERAL (
         SELECT i.id, i.user_id, i.item_id, i.type, i.value, i.occurred_at
           FROM interactions i
          WHERE i.user_id = k.user_id
            AND (k.type IS NULL OR i.type::text = k.type)
            AND (k.after_time IS NULL OR (i.occurred_at, i.id) < (k.after_time, k.after_id))
          ORDER BY i.occurred_at DESC, i.id DESC
          LIMIT k.lim) x
      ORDER BY k.ord, x.occurred_at DESC, x.id DESC`,
    keys.map((k) => k.userId),
    keys.map((k) => k.type),
    keys.map((k) => (k.after ? k.after.occurredAt.toISOString() : null)),
    keys.map((k) => (k.after ? k.after.id.toString() : null)),
    keys.map((k) => k.limit),
  );
  const pages: InteractionRow[][] = keys.map(() => []);
  for (const row of rows) {
    pages[Number(row.k) - 1].push({
      id: BigInt(row.id),
      userId: row.userId,
      itemId: row.itemId,
      type: row.type,
      value: Number(row.value),
      occurredAt: new Date(row.occurredAt),
    });
  }
  return pages;
}

export interface InteractionCountKey {
  userId: number;
  type: InteractionTypeName | null;
}

// Counts for many (user, type) keys in one statement.
export async function countInteractions(db: Database, keys: readonly InteractionCountKey[]): Promise<number[]> {
  if (keys.length === 0) return [];
  const rows = await db.prisma.$queryRawUnsafe<{ k: number | bigint; n: number | bigint }[]>(
    `SELECT k.ord AS k,
            (SELECT count(*) FROM interactions i
              WHERE i.user_id = k.user_id AND (k.type IS NULL OR i.type::text = k.type))::int AS n
       FROM unnest($1::int[], $2::text[]) WITH ORDINALITY AS k(user_id, type, ord)`,
    keys.map((k) => k.userId),
    keys.map((k) => k.type),
  );
  const counts = keys.map(() => 0);
  for (const row of rows) counts[Number(row.k) - 1] = Number(row.n);
  return counts;
}
