// Reads the hourly rollups for onlineMetrics in one statement: a GROUP BY
// per rollup over the hours of the range (impression_hourly,
// impression_rank_hourly, impression_item_hourly, impression_user_hourly),
// joined by group. Novelty reads the popularity of the items shown (their
// distinct users, through interactions' item index) and the users and items
// counts; nothing reads the impressions themselves.
import type { Database } from "./Database";

export type MetricsGroupColumn = "surface" | "strategy" | "model" | "arm";

export interface OnlineMetricsRow {
  group: Partial<Record<MetricsGroupColumn, string>>;
  impressions: number;
  itemsShown: number;
  shownAtK: number;
  clicksAtK: number;
  attributed: Record<"RATING" | "VIEW" | "PLAY" | "LIKE" | "DISLIKE" | "PURCHASE" | "SKIP", number>;
  // Distinct items shown, and how many of them are still in the catalog.
  itemsDistinct: number;
  itemsInCatalog: number;
  // Items in the catalog now.
  catalogItems: number;
  // The merged HyperLogLog sketch of the users shown to: registers set, and
  // the sum of 2^-rank over them (engine/sketch/hyperLogLog.ts estimates from these).
  userRegisters: number;
  userInverseSum: number;
  // Sum over the items shown (each time shown, itemShows times in all) of
  // -log2 p(i), p(i) the fraction of users who ever interacted with item i
  // (counted as one user when none did).
  itemShows: number;
  selfInformation: number;
}

export interface OnlineMetricsQuery {
  from: Date;
  to: Date;
  surface: string | null;
  // Whitelisted column names (the service maps the enum).
  groupBy: readonly MetricsGroupColumn[];
  k: number;
}

type Raw = Record<string, string | number | null>;

export async function readOnlineMetrics(db: Database, q: OnlineMetricsQuery): Promise<OnlineMetricsRow[]> {
  // With no grouping, one row: a constant key.
  const keys = q.groupBy.length > 0 ? q.groupBy.join(", ") : "''::text AS g";
  const using = q.groupBy.length > 0 ? q.groupBy.join(", ") : "g";
  const order = q.groupBy.length > 0 ? q.groupBy.map((c) => `h.${c}`).join(", ") : "1";
  const where = `hour >= $1::timestamptz AND hour < $2::timestamptz AND ($3::text IS NULL OR surface = $3::text)`;
  const rows = await db.sql.query<Raw>(
    `WITH h AS (
       SELECT ${keys}, sum(impressions) AS impressions FROM impression_hourly WHERE ${where} GROUP BY ${using}),
     r AS (
       SELECT ${keys}, sum(shown) AS shown,
              coalesce(sum(shown) FILTER (WHERE rank BETWEEN 1 AND $4::int), 0) AS shown_k,
              coalesce(sum(view + play) FILTER (WHERE rank BETWEEN 1 AND $4::int), 0) AS clicks_k,
              sum(rating) AS rating, sum(view) AS view, sum(play) AS play, sum("like") AS "like",
              sum(dislike) AS dislike, sum(purchase) AS purchase, sum(skip) AS skip
         FROM impression_rank_hourly WHERE ${where} GROUP BY ${using}),
     shown AS (
       SELECT ${keys}, item_id, sum(shown) AS shown FROM impression_item_hourly WHERE ${where} GROUP BY ${using}, item_id),
     pop AS (
       SELECT item_id, count(DISTINCT user_id) AS users FROM interactions
        WHERE item_id IN (SELECT DISTINCT item_id FROM shown) GROUP BY item_id),
     everyone AS (SELECT greatest(count(*), 1)::float8 AS users FROM users),
     i AS (
       SELECT ${keys}, count(*) AS distinct_items, count(it.id) AS in_catalog, sum(s.shown) AS item_shows,
              sum(s.shown::float8 * -ln(greatest(coalesce(pop.users, 0), 1) / everyone.users) / ln(2)) AS self_information
         FROM shown s CROSS JOIN everyone LEFT JOIN pop ON pop.item_id = s.item_id LEFT JOIN items it ON it.id = s.item_id
        GROUP BY ${using}),
     u AS (
       SELECT ${keys}, count(*) AS registers, sum(power(2::float8, -rho)) AS inverse_sum
         FROM (SELECT ${keys}, register, max(rho) AS rho FROM impression_user_hourly WHERE ${where} GROUP BY ${using}, register) m
        GROUP BY ${using})
     SELECT ${q.groupBy.map((c) => `h.${c}`).concat(["h.impressions"]).join(", ")},
            coalesce(r.shown, 0) AS shown, coalesce(r.shown_k, 0) AS shown_k, coalesce(r.clicks_k, 0) AS clicks_k,
            coalesce(r.rating, 0) AS rating, coalesce(r.view, 0) AS view, coalesce(r.play, 0) AS play, coalesce(r."like", 0) AS "like",
            coalesce(r.dislike, 0) AS dislike, coalesce(r.purchase, 0) AS purchase, coalesce(r.skip, 0) AS skip,
            coalesce(i.distinct_items, 0) AS distinct_items, coalesce(i.in_catalog, 0) AS in_catalog,
            coalesce(i.item_shows, 0) AS item_shows, coalesce(i.self_information, 0)::float8 AS self_information,
            (SELECT count(*) FROM items) AS catalog_items,
            coalesce(u.registers, 0) AS registers, coalesce(u.inverse_sum, 0) AS inverse_sum
       FROM h LEFT JOIN r USING (${using}) LEFT JOIN i USING (${using}) LEFT JOIN u USING (${using})
      ORDER BY ${order}`,
    [q.from.toISOString(), q.to.toISOString(), q.surface, q.k],
  );
  return rows.map((r) => ({
    group: Object.fromEntries(q.groupBy.map((c) => [c, String(r[c])])),
    impressions: Number(r.impressions),
    itemsShown: Number(r.shown),
    shownAtK: Number(r.shown_k),
    clicksAtK: Number(r.clicks_k),
    attributed: {
      RATING: Number(r.rating),
      VIEW: Number(r.view),
      PLAY: Number(r.play),
      LIKE: Number(r.like),
      DISLIKE: Number(r.dislike),
      PURCHASE: Number(r.purchase),
      SKIP: Number(r.skip),
    },
    itemsDistinct: Number(r.distinct_items),
    itemsInCatalog: Number(r.in_catalog),
    catalogItems: Number(r.catalog_items),
    userRegisters: Number(r.registers),
    userInverseSum: Number(r.inverse_sum),
    itemShows: Number(r.item_shows),
    selfInformation: Number(r.self_information),
  }));
}

export interface HourlyFigures {
  hour: Date;
  impressions: number;
  shownAtK: number;
  clicksAtK: number;
}

// Every surface together, hour by hour (the dashboard's charts): one statement.
export async function readHourlyOnlineFigures(db: Database, from: Date, to: Date, k: number): Promise<HourlyFigures[]> {
  const rows = await db.sql.query<{ hour: Date | string; impressions: string | number; shown_k: string | number; clicks_k: string | number }>(
    `WITH h AS (SELECT hour, sum(impressions) AS impressions FROM impression_hourly WHERE hour >= $1::timestamptz AND hour < $2::timestamptz GROUP BY hour),
          r AS (SELECT hour, coalesce(sum(shown) FILTER (WHERE rank BETWEEN 1 AND $3::int), 0) AS shown_k,
                       coalesce(sum(view + play) FILTER (WHERE rank BETWEEN 1 AND $3::int), 0) AS clicks_k
                  FROM impression_rank_hourly WHERE hour >= $1::timestamptz AND hour < $2::timestamptz GROUP BY hour)
     SELECT h.hour, h.impressions, coalesce(r.shown_k, 0) AS shown_k, coalesce(r.clicks_k, 0) AS clicks_k
       FROM h LEFT JOIN r USING (hour) ORDER BY h.hour`,
    [from.toISOString(), to.toISOString(), k],
  );
  return rows.map((r) => ({ hour: new Date(r.hour), impressions: Number(r.impressions), shownAtK: Number(r.shown_k), clicksAtK: Number(r.clicks_k) }));
}
