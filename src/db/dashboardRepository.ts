// Read-only aggregates for the dashboard's catalog overview and user picker.
// Plain SQL that runs the same on PostgreSQL and PGlite; time buckets are
// computed in UTC (not the session's time zone) and returned as text, so
// both drivers give the same labels.
import type { Database } from "./Database";
import type { InteractionTypeName, ItemKindName } from "../importers/CatalogData";

export interface KindSummaryRow {
  kind: ItemKindName;
  items: number;
  interactions: number;
  // The kind's most interacted item (by distinct users), for a concrete example.
  topTitle: string | null;
  topExternalId: string | null;
}

// Items and interactions per kind, with each kind's most interacted item.
export async function itemsByKind(db: Database): Promise<KindSummaryRow[]> {
  const rows = await db.sql.query<{ kind: ItemKindName; items: number | string; interactions: number | string; top_title: string | null; top_external_id: string | null }>(
    `WITH per_item AS (
       SELECT item_id, count(*) AS n, count(DISTINCT user_id) AS users FROM interactions GROUP BY item_id
     )
     SELECT it.kind::text AS kind,
            count(*)::int AS items,
            coalesce(sum(p.n), 0)::int AS interactions,
            (array_agg(it.title ORDER BY p.users DESC NULLS LAST, it.id))[1] AS top_title,
            (array_agg(it.external_id ORDER BY p.users DESC NULLS LAST, it.id))[1] AS top_external_id
       FROM items it LEFT JOIN per_item p ON p.item_id = it.id
      GROUP BY it.kind
      ORDER BY count(*) DESC, it.kind::text`,
  );
  return rows.map((r) => ({
    kind: r.kind,
    items: Number(r.items),
    interactions: Number(r.interactions),
    topTitle: r.top_title,
    topExternalId: r.top_external_id,
  }));
}

export interface TopFeatureRow {
  facet: string;
  value: string;
  items: number;
  interactions: number;
}

// The features carried by the most items (ties: by interactions with those items).
export async function topFeatures(db: Database, limit: number): Promise<TopFeatureRow[]> {
  const rows = await db.sql.query<{ facet: string; value: string; items: number | string; interactions: number | string }>(
    `WITH per_item AS (SELECT item_id, count(*) AS n FROM interactions GROUP BY item_id)
     SELECT f.facet, f.value, count(*)::int AS items, coalesce(sum(p.n), 0)::int AS interactions
       FROM item_features x
       JOIN features f ON f.id = x.feature_id
       LEFT JOIN per_item p ON p.item_id = x.item_id
      GROUP BY f.id, f.facet, f.value
      ORDER BY items DESC, interactions DESC, f.facet, f.value
      LIMIT $1::int`,
    [limit],
  );
  return rows.map((r) => ({ facet: r.facet, value: r.value, items: Number(r.items), interactions: Number(r.interactions) }));
}

export type TimeBucket = "day" | "week";

export interface InteractionsPerPeriodRow {
  // The first day of the period (UTC), YYYY-MM-DD.
  period: string;
  interactions: number;
  users: number;
}

// Interactions per UTC day or ISO week (weeks start on Monday), oldest first;
// periods without interactions are absent.
export async function interactionsOverTime(db: Database, bucket: TimeBucket): Promise<InteractionsPerPeriodRow[]> {
  const rows = await db.sql.query<{ period: string; interactions: number | string; users: number | string }>(
    `SELECT to_char(date_trunc($1::text, occurred_at AT TIME ZONE 'UTC'), 'YYYY-MM-DD') AS period,
            count(*)::int AS interactions,
            count(DISTINCT user_id)::int AS users
       FROM interactions
      GROUP BY 1
      ORDER BY 1`,
    [bucket],
  );
  return rows.map((r) => ({ period: r.period, interactions: Number(r.interactions), users: Number(r.users) }));
}

export interface ActiveUserRow {
  externalId: string;
  interactions: number;
  lastAt: Date | null;
}

// The users with the most interactions (then the lowest external id), for the explorer's picker.
export async function mostActiveUsers(db: Database, limit: number): Promise<ActiveUserRow[]> {
  const rows = await db.sql.query<{ external_id: string; interactions: number | string; last_at: Date | string | null }>(
    `SELECT u.external_id, count(i.id)::int AS interactions, max(i.occurred_at) AS last_at
       FROM users u LEFT JOIN interactions i ON i.user_id = u.id
      GROUP BY u.id, u.external_id
      ORDER BY count(i.id) DESC, u.external_id
      LIMIT $1::int`,
    [limit],
  );
  return rows.map((r) => ({ externalId: r.external_id, interactions: Number(r.interactions), lastAt: r.last_at === null ? null : new Date(r.last_at) }));
}

export interface UserItemInteractionRow {
  itemId: number;
  type: InteractionTypeName;
  value: number;
}

// A user's interactions with some items (the items a recommendation's reasons
// name), newest first, in one statement.
export async function interactionsWithItems(db: Database, userId: number, itemIds: readonly number[]): Promise<UserItemInteractionRow[]> {
  if (itemIds.length === 0) return [];
  const rows = await db.sql.query<{ item_id: number; type: InteractionTypeName; value: number | string }>(
    `SELECT item_id, type::text AS type, value
       FROM interactions
      WHERE user_id = $1::int AND item_id = ANY($2::int[])
      ORDER BY occurred_at DESC, id DESC`,
    [userId, [...itemIds]],
  );
  return rows.map((r) => ({ itemId: Number(r.item_id), type: r.type, value: Number(r.value) }));
}

export interface BlendRow {
  modelVersionId: number;
  // The blend's weight of each component, in the order of `components` (their algorithms).
  weights: number[];
  components: string[];
}

// The blend weights a hybrid version was trained with (stored with its
// serialized parts; see engine/algorithms/hybrid.ts), for every version that has them.
export async function blendWeights(db: Database): Promise<BlendRow[]> {
  const rows = await db.sql.query<{ id: number; weights: unknown; components: unknown }>(
    `SELECT id, params->'meta'->'weights' AS weights, params->'meta'->'components' AS components
       FROM model_versions
      WHERE jsonb_typeof(params->'meta'->'weights') = 'array'
      ORDER BY id`,
  );
  return rows.flatMap((r) => {
    const weights = Array.isArray(r.weights) ? r.weights.map(Number) : [];
    const components = Array.isArray(r.components) ? r.components.map((c) => String((c as { algorithm?: unknown })?.algorithm ?? "?")) : [];
    return weights.length > 0 && weights.length === components.length && weights.every(Number.isFinite)
      ? [{ modelVersionId: Number(r.id), weights, components }]
      : [];
  });
}
