// A synthetic catalog generated inside PostgreSQL (no rows cross the wire):
// users with latent tastes (one of `tastes` clusters each), items in those
// clusters with power-law popularity inside each cluster, and a power-law
// number of interactions per user (mean `perUser`), 80% of them drawn from
// the user's own cluster. Deterministic for a seed (setseed on the one
// connection of a transaction). For scale runs: `npm run synthetic`.
import type { Database } from "./Database";

export interface SyntheticSpec {
  users: number;
  items: number;
  perUser: number;
  tastes: number;
  seed: number;
}

export async function generateUsers(db: Database, spec: SyntheticSpec, from: number, to: number): Promise<void> {
  await db.sql.query(
    `INSERT INTO users (external_id, attributes, updated_at)
     SELECT 'syn-user-' || g, jsonb_build_object('taste', (g::bigint * 7919) % $3), now() FROM generate_series($1::int, $2::int) g
     ON CONFLICT (external_id) DO NOTHING`,
    [from, to, spec.tastes],
  );
}

export async function generateItems(db: Database, spec: SyntheticSpec): Promise<void> {
  await db.sql.transaction(async (tx) => {
    await tx.query(
      `INSERT INTO items (external_id, kind, title, release_year, attributes, updated_at)
       SELECT 'syn-item-' || g, (ARRAY['MOVIE','SHOW','MUSIC','GAME']::"ItemKind"[])[1 + g % 4], 'Synthetic item ' || g, 1950 + g % 75, '{}'::jsonb, now()
         FROM generate_series(0, $1::int - 1) g
       ON CONFLICT (external_id) DO NOTHING`,
      [spec.items],
    );
    await tx.query(
      `INSERT INTO features (facet, value) SELECT 'genre', 'taste-' || g FROM generate_series(0, $1::int - 1) g ON CONFLICT (facet, value) DO NOTHING`,
      [spec.tastes],
    );
    // Each item's cluster is its position modulo the number of tastes.
    await tx.query(
      `INSERT INTO item_features (item_id, feature_id, weight)
       SELECT i.id, f.id, 1 FROM items i JOIN features f ON f.facet = 'genre' AND f.value = 'taste-' || (substring(i.external_id FROM 10)::int % $1)
        WHERE i.external_id LIKE 'syn-item-%'
       ON CONFLICT DO NOTHING`,
      [spec.tastes],
    );
  });
}

// Interactions of the synthetic users whose number is in [from, to].
export async function generateInteractions(db: Database, spec: SyntheticSpec, from: number, to: number): Promise<number> {
  return db.sql.transaction(async (tx) => {
    await tx.query(`SELECT setseed($1)`, [((spec.seed * 1_000_003 + from) % 2_000_000) / 1_000_000 - 1]);
    const rows = await tx.query<{ n: number }>(
      `WITH ids AS (
         SELECT array_agg(id ORDER BY substring(external_id FROM 10)::int) AS item FROM items WHERE external_id LIKE 'syn-item-%'
       ), batch AS (
         SELECT u.id AS user_id, (g::bigint * 7919) % $3 AS taste,
                LEAST(2000, GREATEST(1, round($4 * 0.25 / power(random(), 0.75))))::int AS n
           FROM generate_series($1::int, $2::int) g JOIN users u ON u.external_id = 'syn-user-' || g
       ), draws AS (
         SELECT b.user_id, b.taste,
                CASE WHEN random() < 0.8 THEN b.taste ELSE floor(random() * $3)::int END AS cluster,
                floor(($6::float8 / $3) * power(random(), 3))::int AS rank,
                random() AS kind_draw, random() AS value_draw, random() AS time_draw
           FROM batch b, generate_series(1, b.n)
       ), inserted AS (
         INSERT INTO interactions (user_id, item_id, type, value, occurred_at)
         SELECT d.user_id, ids.item[1 + ((d.rank * $3 + d.cluster) % $5::int)],
                (CASE WHEN d.kind_draw < 0.4 THEN 'VIEW' WHEN d.kind_draw < 0.6 THEN 'PLAY' WHEN d.kind_draw < 0.75 THEN 'LIKE'
                      WHEN d.kind_draw < 0.95 THEN 'RATING' ELSE 'SKIP' END)::"InteractionType",
                CASE WHEN d.kind_draw >= 0.75 AND d.kind_draw < 0.95
                     THEN CASE WHEN d.cluster = d.taste THEN 3.5 + round(d.value_draw * 3) / 2 ELSE 1 + round(d.value_draw * 6) / 2 END
                     WHEN d.kind_draw >= 0.4 AND d.kind_draw < 0.6 THEN round(d.value_draw * 600)
                     ELSE 1 END,
                timestamptz '2026-11-01 00:00:00+00' - (d.time_draw * interval '365 days')
           FROM draws d, ids
         ON CONFLICT DO NOTHING
         RETURNING 1
       )
       SELECT count(*)::int AS n FROM inserted`,
      [from, to, spec.tastes, spec.perUser, spec.items, spec.items],
    );
    return rows[0].n;
  });
}
