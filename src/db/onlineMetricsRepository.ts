// Reads the hourly rollups (impression_hourly, impression_rank_hourly) for
// onlineMetrics: two GROUP BYs over the hours of the range, joined by group.
import type { Database } from "./Database";

export type MetricsGroupColumn = "surface" | "strategy" | "model" | "arm";

export interface OnlineMetricsRow {
  group: Partial<Record<MetricsGroupColumn, string>>;
  impressions: number;
  itemsShown: number;
  shownAtK: number;
  clicksAtK: number;
  attributed: Record<"RATING" | "VIEW" | "PLAY" | "LIKE" | "DISLIKE" | "PURCHASE" | "SKIP", number>;
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
         FROM impression_rank_hourly WHERE ${where} GROUP BY ${using})
     SELECT ${q.groupBy.map((c) => `h.${c}`).concat(["h.impressions"]).join(", ")},
            coalesce(r.shown, 0) AS shown, coalesce(r.shown_k, 0) AS shown_k, coalesce(r.clicks_k, 0) AS clicks_k,
            coalesce(r.rating, 0) AS rating, coalesce(r.view, 0) AS view, coalesce(r.play, 0) AS play, coalesce(r."like", 0) AS "like",
            coalesce(r.dislike, 0) AS dislike, coalesce(r.purchase, 0) AS purchase, coalesce(r.skip, 0) AS skip
       FROM h LEFT JOIN r USING (${using})
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
