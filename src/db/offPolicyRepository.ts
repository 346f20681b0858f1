// What an off-policy estimate reads: the logged impressions with
// propensities of a surface in a time range, and the clicks attributed to
// them. One statement each, whatever the number of impressions.
import type { Database } from "./Database";

export interface LoggedImpression {
  id: string;
  userId: number | null;
  shownAt: Date;
  itemIds: number[];
  ranks: number[];
  propensities: number[];
  pool: number[];
}

// The smallest UUIDv7 of a millisecond (impression ids are UUIDv7, the time
// first): the range's bounds on the key's index, so a range of a large
// table is read without scanning it.
function uuidAt(ms: number): string {
  const t = Math.max(0, Math.min(ms, 0xffffffffffff)).toString(16).padStart(12, "0");
  return `${t.slice(0, 8)}-${t.slice(8, 12)}-0000-0000-000000000000`;
}

export async function loggedImpressions(db: Database, surface: string, from: Date, to: Date, limit: number): Promise<LoggedImpression[]> {
  const rows = await db.sql.query<{ id: string; user_id: number | null; shown_at: Date | string; item_ids: number[]; ranks: number[]; propensities: number[]; pool_item_ids: number[] }>(
    `SELECT id::text AS id, user_id, shown_at, item_ids, ranks, propensities, pool_item_ids
       FROM impressions
      WHERE id >= $1::uuid AND id < $2::uuid
        AND shown_at >= $3::timestamptz AND shown_at < $4::timestamptz
        AND surface = $5 AND cardinality(propensities) > 0
      ORDER BY id
      LIMIT $6::int`,
    [uuidAt(from.getTime()), uuidAt(to.getTime()), from.toISOString(), to.toISOString(), surface, limit],
  );
  return rows.map((r) => ({
    id: r.id,
    userId: r.user_id === null ? null : Number(r.user_id),
    shownAt: new Date(r.shown_at),
    itemIds: r.item_ids.map(Number),
    ranks: r.ranks.map(Number),
    propensities: r.propensities.map(Number),
    pool: r.pool_item_ids.map(Number),
  }));
}

// The ranks at which each impression got an attributed VIEW or PLAY (a click).
export async function clickedRanks(db: Database, impressionIds: readonly string[]): Promise<Map<string, Set<number>>> {
  const out = new Map<string, Set<number>>();
  if (impressionIds.length === 0) return out;
  const rows = await db.sql.query<{ impression_id: string; rank: number }>(
    `SELECT DISTINCT a.impression_id::text AS impression_id, a.rank
       FROM interaction_attributions a JOIN interactions i ON i.id = a.interaction_id
      WHERE a.impression_id = ANY($1::uuid[]) AND a.rank IS NOT NULL AND i.type IN ('VIEW', 'PLAY')`,
    [[...impressionIds]],
  );
  for (const r of rows) {
    let ranks = out.get(r.impression_id);
    if (!ranks) out.set(r.impression_id, (ranks = new Set()));
    ranks.add(Number(r.rank));
  }
  return out;
}
