// What models read: everything they are trained on, read in ONE statement (sub-selects
// aggregated into arrays share one snapshot, so users, items, features and
// interactions agree with each other) and mapped to dense indices at the
// boundary. Index maps are keyed by the database ids as text; a model stores
// them as Int32Array artifacts so that serving maps rows to indices directly.
import type { Database } from "./Database";
import { IdMap } from "../engine/data/IdMap";
import type { InteractionInput } from "../engine/data/buildTrainingSet";
import type { ItemFeatureInput } from "../engine/data/buildItemFeatures";
import type { InteractionKind } from "../engine/types";
import type { InteractionTypeName, ItemKindName } from "../importers/CatalogData";
import type { InteractionRow, ItemFeatureRow, ItemRow, JsonObject } from "./rows";

export interface TrainingData {
  users: IdMap;
  items: IdMap;
  features: IdMap;
  // Dense indices; timestamps in seconds since the epoch.
  interactions: InteractionInput[];
  itemFeatures: ItemFeatureInput[];
}

// Interactions are read in chunks of this many rows (keyset on id), so no
// statement or result grows with the catalog.
const CHUNK = 250_000;

// One snapshot for every read (REPEATABLE READ on one connection), so users,
// items, features and interactions agree with each other; the server's
// statement timeout does not apply to this long, read-only transaction.
export async function readTrainingData(db: Database): Promise<TrainingData> {
  return db.sql.transaction(async (tx) => {
    if (db.kind === "postgres") {
      await tx.query(`SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY`);
      await tx.query(`SET LOCAL statement_timeout = 0`);
    }
    const [ids] = await tx.query<{ user_ids: number[] | null; item_ids: number[] | null; feature_ids: number[] | null }>(
      `SELECT (SELECT array_agg(id ORDER BY id) FROM users) AS user_ids,
              (SELECT array_agg(id ORDER BY id) FROM items) AS item_ids,
              (SELECT array_agg(id ORDER BY id) FROM features) AS feature_ids`,
    );
    const users = IdMap.from((ids.user_ids ?? []).map(String));
    const items = IdMap.from((ids.item_ids ?? []).map(String));
    const features = IdMap.from((ids.feature_ids ?? []).map(String));
    const userIndex = denseIndex(ids.user_ids ?? []);
    const itemIndex = denseIndex(ids.item_ids ?? []);
    const featureIndex = denseIndex(ids.feature_ids ?? []);

    const interactions: InteractionInput[] = [];
    for (let after = 0; ; ) {
      const rows = await tx.query<{ id: string | number; user_id: number; item_id: number; type: string; value: number; t: number }>(
        `SELECT id, user_id, item_id, type::text AS type, value::float8 AS value, extract(epoch FROM occurred_at)::float8 AS t
           FROM interactions WHERE id > $1 ORDER BY id LIMIT ${CHUNK}`,
        [after],
      );
      for (const r of rows) {
        interactions.push({ user: userIndex.get(r.user_id)!, item: itemIndex.get(r.item_id)!, kind: r.type as InteractionKind, value: Number(r.value), timestamp: Number(r.t) });
      }
      if (rows.length < CHUNK) break;
      after = Number(rows[rows.length - 1].id);
    }
    const featureRows = await tx.query<{ item_id: number; feature_id: number; weight: number }>(
      `SELECT item_id, feature_id, weight::float8 AS weight FROM item_features ORDER BY item_id, feature_id`,
    );
    const itemFeatures: ItemFeatureInput[] = featureRows.map((r) => ({ item: itemIndex.get(r.item_id)!, feature: featureIndex.get(r.feature_id)!, weight: Number(r.weight) }));
    return { users, items, features, interactions, itemFeatures };
  });
}

// The same interactions for a process that cannot hold them all (the export
// for Spark): items first, then users a chunk at a time with their
// interactions, all from one snapshot. Items and users come in database id
// order, so their positions are the dense indices readTrainingData gives;
// an interaction's `user` is its user's position within the chunk and its
// `item` the item's position among all items.
export interface UserChunk {
  // Position of the chunk's first user among all users.
  firstUser: number;
  users: { id: number; externalId: string }[];
  interactions: InteractionInput[];
}

export async function readInteractionsByUserChunks(
  db: Database,
  usersPerChunk: number,
  onItems: (items: { id: number; externalId: string }[]) => Promise<void> | void,
  onChunk: (chunk: UserChunk) => Promise<void> | void,
): Promise<void> {
  await db.sql.transaction(async (tx) => {
    if (db.kind === "postgres") {
      await tx.query(`SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY`);
      await tx.query(`SET LOCAL statement_timeout = 0`);
    }
    const items = (await tx.query<{ id: number; external_id: string }>(`SELECT id, external_id FROM items ORDER BY id`)).map((r) => ({ id: Number(r.id), externalId: r.external_id }));
    await onItems(items);
    const itemIndex = denseIndex(items.map((i) => i.id));
    let firstUser = 0;
    for (let after = 0; ; ) {
      const users = (await tx.query<{ id: number; external_id: string }>(`SELECT id, external_id FROM users WHERE id > $1 ORDER BY id LIMIT ${usersPerChunk}`, [after])).map((r) => ({
        id: Number(r.id),
        externalId: r.external_id,
      }));
      if (users.length === 0) break;
      const userIndex = denseIndex(users.map((u) => u.id));
      const rows = await tx.query<{ user_id: number; item_id: number; type: string; value: number; t: number }>(
        `SELECT user_id, item_id, type::text AS type, value::float8 AS value, extract(epoch FROM occurred_at)::float8 AS t
           FROM interactions WHERE user_id BETWEEN $1 AND $2 ORDER BY user_id, id`,
        [users[0].id, users[users.length - 1].id],
      );
      const interactions = rows.map((r) => ({ user: userIndex.get(Number(r.user_id))!, item: itemIndex.get(Number(r.item_id))!, kind: r.type as InteractionKind, value: Number(r.value), timestamp: Number(r.t) }));
      await onChunk({ firstUser, users, interactions });
      firstUser += users.length;
      after = users[users.length - 1].id;
      if (users.length < usersPerChunk) break;
    }
  });
}

// Database id -> dense index (ids sorted ascending, as the IdMaps are built).
function denseIndex(ids: readonly number[]): Map<number, number> {
  const map = new Map<number, number>();
  ids.forEach((id, k) => map.set(Number(id), k));
  return map;
}

// IdMap of database ids (as text) -> Int32Array, index order, for storage.
export function idsOf(map: IdMap): Int32Array {
  return Int32Array.from(map.ids(), Number);
}

// --- Serving reads: the same data, for the users and items of one request. ---

// The columns of one history row (after the user's id), read by every
// history statement; occurredAt as epoch milliseconds, because a number
// becomes a Date much faster than a timestamp's text is parsed (the column
// is timestamptz(3), so this is exact).
export const HISTORY_COLUMNS = `i.id, i.item_id AS "itemId", i.type::text AS type, i.value, round(extract(epoch FROM i.occurred_at) * 1000)::float8 AS "occurredAt"`;

export interface HistorySqlRow {
  id: bigint | string;
  itemId: number;
  type: InteractionTypeName;
  value: number | string;
  occurredAt: number;
}

export function historyRow(userId: number, r: HistorySqlRow): InteractionRow {
  return { id: BigInt(r.id), userId, itemId: r.itemId, type: r.type, value: Number(r.value), occurredAt: new Date(r.occurredAt) };
}

// Every interaction of many users in one statement, oldest first per user:
// the history a model folds in at request time (read-your-writes).
export async function historiesOfUsers(db: Database, userIds: readonly number[]): Promise<InteractionRow[]> {
  if (userIds.length === 0) return [];
  // A prepared statement: on the hot path of every recommendation.
  const rows = await db.sql.query<HistorySqlRow & { userId: number }>(
    `SELECT i.user_id AS "userId", ${HISTORY_COLUMNS}
       FROM interactions i
      WHERE i.user_id = ANY($1::int[])
      ORDER BY i.user_id, i.occurred_at, i.id`,
    [[...userIds]],
    "marquee_histories_of_users",
  );
  return rows.map((r) => historyRow(r.userId, r));
}

export interface CandidateItem {
  item: ItemRow;
  features: ItemFeatureRow[];
}

// Candidate items with what filters, diversity and the answer need (kind,
// year, features, the whole row) in one statement.
export function candidateItems(db: Database, itemIds: readonly number[]): Promise<CandidateItem[]> {
  // A prepared statement: on the hot path of every recommendation.
  return candidatesWhere(db, "i.id = ANY($1::int[])", [...itemIds], "marquee_candidate_items");
}

// The same, by external id (the catalog cache's item lookups).
export function candidateItemsByExternalIds(db: Database, externalIds: readonly string[]): Promise<CandidateItem[]> {
  return candidatesWhere(db, "i.external_id = ANY($1::text[])", [...externalIds], "marquee_candidate_items_by_external_id");
}

async function candidatesWhere(db: Database, where: string, keys: (number | string)[], statementName: string): Promise<CandidateItem[]> {
  if (keys.length === 0) return [];
  const rows = await db.sql.query<
    Omit<ItemRow, "createdAt" | "updatedAt" | "attributes"> & { attributes: unknown; createdAt: Date | string; updatedAt: Date | string; features: ItemFeatureRow[] | null }
  >(
    `SELECT i.id, i.external_id AS "externalId", i.kind::text AS kind, i.title, i.release_year AS "releaseYear",
            i.description, i.attributes, i.created_at AS "createdAt", i.updated_at AS "updatedAt",
            (SELECT json_agg(json_build_object('itemId', f_i.item_id, 'featureId', f.id, 'facet', f.facet, 'value', f.value, 'weight', f_i.weight)
                             ORDER BY f.facet, f.value)
               FROM item_features f_i JOIN features f ON f.id = f_i.feature_id
              WHERE f_i.item_id = i.id) AS features
       FROM items i
      WHERE ${where}`,
    [keys],
    statementName,
  );
  return rows.map((r) => {
    const { features, ...item } = r;
    return {
      item: {
        ...item,
        attributes: (typeof item.attributes === "string" ? JSON.parse(item.attributes) : item.attributes ?? {}) as JsonObject,
        createdAt: new Date(item.createdAt),
        updatedAt: new Date(item.updatedAt),
      },
      features: (typeof features === "string" ? JSON.parse(features) : features ?? []) as ItemFeatureRow[],
    };
  });
}

export interface PopularQuery {
  kinds?: readonly ItemKindName[];
  // Only interactions at or after this time; undefined = all time.
  since?: Date;
  limit: number;
}

// Items by how many distinct users interacted positively (not a DISLIKE or
// SKIP, not a rating below `lowestPositive`, see lowestPositiveRating), most first.
export async function popularItems(db: Database, query: PopularQuery, lowestPositive: number): Promise<{ itemId: number; users: number }[]> {
  const rows = await db.prisma.$queryRawUnsafe<{ itemId: number; users: number | bigint }[]>(
    `SELECT i.item_id AS "itemId", count(DISTINCT i.user_id)::int AS users
       FROM interactions i JOIN items it ON it.id = i.item_id
      WHERE i.type::text NOT IN ('DISLIKE', 'SKIP')
        AND (i.type::text <> 'RATING' OR i.value >= $4::float8)
        AND ($1::text[] IS NULL OR it.kind::text = ANY($1::text[]))
        AND ($2::timestamptz IS NULL OR i.occurred_at >= $2::timestamptz)
      GROUP BY i.item_id
      ORDER BY users DESC, i.item_id ASC
      LIMIT $3::int`,
    query.kinds ? [...query.kinds] : null,
    query.since ? query.since.toISOString() : null,
    query.limit,
    lowestPositive,
  );
  return rows.map((r) => ({ itemId: r.itemId, users: Number(r.users) }));
}
