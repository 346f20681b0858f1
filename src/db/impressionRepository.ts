// Impressions (what a recommendation answer showed, one row per answer with
// its items in arrays) and attributions (which impression an interaction
// came from). Writes are set-based: one statement per batch of
// impressions, one per batch of interactions.
import type { Database } from "./Database";
import type { Tx } from "./catalogWriter";
import type { ImpressionRecord } from "../serving/impressionLog";
import { rollupGroupOf, type ReachGroup } from "../serving/reachRollup";

// The hour an impression counts in, in UTC whatever the session's time zone.
const HOUR = (at: string) => `date_trunc('hour', ${at} AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'`;

// The rollups' arm: "<experiment>/<arm>" ('' outside experiments), so an
// experiment's figures per arm are read from the rollups alone.
const ARM = (experiment: string, arm: string) => `coalesce(${experiment} || '/' || ${arm}, '')`;

// A batch of impressions in ONE statement, with the hourly rollups
// (impression_hourly, impression_rank_hourly) adding what it wrote, so the
// counts of answers and of items shown per rank are exact and in step with
// the rows. The rollups' additions are counted here, per hour and group,
// and go as a few short arrays: counting them in SQL from the inserted rows
// (grouping the batch's ten thousand ranks) took a third of the statement's
// database time, 35 against 25 ms per 1,000 answers. (Users reached and
// items shown per item are added apart, a minute's worth at a time:
// serving/reachRollup.ts, addReach below.) Each answer's items, ranks,
// scores and rails go as one array literal of text ("{1,2,3}"), cast per
// row: measured on a batch of 500 answers of 10 items, half the database
// time of slicing flat arrays per answer, and the statement is prepared
// once per connection (its planning took 15 ms a batch). Impressions of a
// user deleted since they were served are left out of the rows but stay
// counted, as the impressions of a user deleted after the write do. The
// rows' user ids have no foreign key (its check ran a trigger and locked the
// user's row per answer: a fifth of the database time of a batch); the
// batch holds IMPRESSIONS_USERS_LOCK shared instead, so it waits for a
// deleteUser under way and, its INSERT's snapshot taken after, sees the user
// gone, and a deleteUser waits for the batches being written, then deletes
// what they wrote. Shown times go as epoch milliseconds: PostgreSQL reads
// numbers in a tenth of the time it parses ISO timestamps.
export async function insertImpressions(db: Database, batch: readonly ImpressionRecord[]): Promise<void> {
  // A score as PostgreSQL's real takes it: it refuses values that underflow
  // (a float32 denormal such as 1e-40, 22003) or overflow, and NaN says nothing.
  // Written with 9 significant digits, which a float32 reads back exactly:
  // a fifth of the time of a double's shortest form (about 1 against 5 µs
  // for an answer's ten scores), the costliest part of building a batch.
  const real = (v: number) => (!Number.isFinite(v) || Math.abs(v) < 1e-30 ? 0 : Math.max(-3e38, Math.min(3e38, v))).toPrecision(9);
  // The numeric columns go as one array literal each, built here: their
  // elements hold only digits, signs, dots, exponents, commas and braces, so
  // quoting needs no escaping, where the driver would escape every element
  // of a JavaScript array. Free text (surface, strategy, model, experiment,
  // arm) goes as arrays for the driver to escape.
  const literal = (f: (r: ImpressionRecord) => string) => {
    let out = "{";
    for (let k = 0; k < batch.length; k++) out += (k > 0 ? ',"' : '"') + f(batch[k]) + '"';
    return out + "}";
  };
  const params: unknown[] = [
    batch.map((r) => r.id).join(","),
    batch.map((r) => (r.userId === null ? "" : String(r.userId))).join(","),
    batch.map((r) => r.surface),
    batch.map((r) => r.strategy),
    batch.map((r) => r.model),
    batch.map((r) => r.shownAt.getTime()).join(","),
    literal((r) => `{${r.itemIds.join(",")}}`),
    literal((r) => `{${r.ranks.join(",")}}`),
    literal((r) => `{${r.scores.map(real).join(",")}}`),
    literal((r) => (r.rails ? `{${r.rails.join(",")}}` : "{}")),
    literal((r) => (r.propensities ? `{${r.propensities.map(real).join(",")}}` : "{}")),
    literal((r) => (r.pool ? `{${r.pool.join(",")}}` : "{}")),
    batch.map((r) => r.experiment ?? null),
    batch.map((r) => r.arm ?? null),
  ];
  // The rollups' additions: answers per group, items shown per group and rank.
  const groups = new Map<string, { n: number; hour: string; surface: string; strategy: string; model: string; arm: string; answers: number; ranks: Map<number, number> }>();
  for (const r of batch) {
    const { key, hour, strategy, model, arm } = rollupGroupOf(r);
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { n: groups.size + 1, hour: new Date(hour).toISOString(), surface: r.surface, strategy, model, arm, answers: 0, ranks: new Map() }));
    g.answers++;
    for (const rank of r.ranks) g.ranks.set(rank, (g.ranks.get(rank) ?? 0) + 1);
  }
  const rankGroup: number[] = [];
  const rankOf: number[] = [];
  const shown: number[] = [];
  for (const g of groups.values()) {
    for (const [rank, n] of g.ranks) {
      rankGroup.push(g.n);
      rankOf.push(rank);
      shown.push(n);
    }
  }
  const all = [...groups.values()];
  params.push(
    all.map((g) => g.hour),
    all.map((g) => g.surface),
    all.map((g) => g.strategy),
    all.map((g) => g.model),
    all.map((g) => g.arm),
    all.map((g) => g.answers),
    rankGroup,
    rankOf,
    shown,
  );
  const sql = `WITH x AS (
       SELECT * FROM unnest(string_to_array($1, ',')::uuid[], string_to_array($2, ',', '')::int[], $3::text[], $4::text[], $5::text[],
                            string_to_array($6, ',')::float8[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[],
                            $13::text[], $14::text[])
              AS x(id, user_id, surface, strategy, model, shown_ms, items, ranks, scores, rails, propensities, pool, experiment, arm)),
     imp AS (
       INSERT INTO impressions (id, user_id, surface, strategy, model, experiment, arm, shown_at, item_ids, ranks, scores, rails, propensities, pool_item_ids)
       SELECT x.id, x.user_id, x.surface, x.strategy, x.model, x.experiment, x.arm, to_timestamp(x.shown_ms / 1000), x.items::int[], x.ranks::int[], x.scores::real[], x.rails::int[],
              x.propensities::real[], x.pool::int[]
         FROM x
        WHERE x.user_id IS NULL OR EXISTS (SELECT 1 FROM users u WHERE u.id = x.user_id)),
     g AS (
       SELECT * FROM unnest($15::timestamptz[], $16::text[], $17::text[], $18::text[], $19::text[], $20::bigint[])
              WITH ORDINALITY AS g(hour, surface, strategy, model, arm, answers, n)),
     hourly AS (
       INSERT INTO impression_hourly (hour, surface, strategy, model, arm, impressions)
       SELECT hour, surface, strategy, model, arm, answers FROM g ORDER BY 1, 2, 3, 4, 5
       ON CONFLICT (hour, surface, strategy, model, arm) DO UPDATE SET impressions = impression_hourly.impressions + EXCLUDED.impressions)
     INSERT INTO impression_rank_hourly (hour, surface, strategy, model, arm, rank, shown)
     SELECT g.hour, g.surface, g.strategy, g.model, g.arm, r.rank, r.shown
       FROM unnest($21::int[], $22::int[], $23::bigint[]) AS r(n, rank, shown) JOIN g ON g.n = r.n
      ORDER BY 1, 2, 3, 4, 5, 6
     ON CONFLICT (hour, surface, strategy, model, arm, rank) DO UPDATE SET shown = impression_rank_hourly.shown + EXCLUDED.shown`;
  await db.sql.transaction(async (tx) => {
    await tx.query(`SELECT 1 AS locked FROM pg_advisory_xact_lock_shared(${IMPRESSIONS_USERS_LOCK})`, [], "marquee_impressions_lock");
    await tx.query(sql, params, "marquee_insert_impressions");
  });
}

// The advisory lock (two-key form, apart from the one-key locks of
// migrate.ts and modelRepository.ts) between writing impressions (shared)
// and deleting a user (exclusive, lockImpressionUsers).
export const IMPRESSIONS_USERS_LOCK = "72707369, 1";

// Taken by deleteUser's transaction before it reads the user: waits for the
// batches being written and holds new ones until it commits.
export async function lockImpressionUsers(tx: Pick<Tx, "$queryRawUnsafe">): Promise<void> {
  await tx.$queryRawUnsafe(`SELECT 1 AS locked FROM pg_advisory_xact_lock(${IMPRESSIONS_USERS_LOCK})`);
}

// The reach rollups gathered by serving/reachRollup.ts, in ONE statement:
// items shown are added to, a user register is raised only when its rank grows.
export async function addReach(db: Database, groups: readonly ReachGroup[]): Promise<void> {
  const itemGroup: number[] = [];
  const itemIds: number[] = [];
  const shown: number[] = [];
  const registerGroup: number[] = [];
  const registers: number[] = [];
  const rhos: number[] = [];
  groups.forEach((g, n) => {
    for (const [item, count] of g.items) {
      itemGroup.push(n + 1);
      itemIds.push(item);
      shown.push(count);
    }
    for (const [register, rho] of g.registers) {
      registerGroup.push(n + 1);
      registers.push(register);
      rhos.push(rho);
    }
  });
  await db.sql.query(
    `WITH g AS (
       SELECT * FROM unnest($1::timestamptz[], $2::text[], $3::text[], $4::text[], $5::text[]) WITH ORDINALITY AS g(hour, surface, strategy, model, arm, n)),
     items AS (
       INSERT INTO impression_item_hourly (hour, surface, strategy, model, arm, item_id, shown)
       SELECT g.hour, g.surface, g.strategy, g.model, g.arm, i.item_id, i.shown
         FROM unnest($6::int[], $7::int[], $8::bigint[]) AS i(n, item_id, shown) JOIN g ON g.n = i.n
        ORDER BY 1, 2, 3, 4, 5, 6
       ON CONFLICT (hour, surface, strategy, model, arm, item_id) DO UPDATE SET shown = impression_item_hourly.shown + EXCLUDED.shown)
     INSERT INTO impression_user_hourly (hour, surface, strategy, model, arm, register, rho)
     SELECT g.hour, g.surface, g.strategy, g.model, g.arm, r.register, r.rho
       FROM unnest($9::int[], $10::smallint[], $11::smallint[]) AS r(n, register, rho) JOIN g ON g.n = r.n
      ORDER BY 1, 2, 3, 4, 5, 6
     ON CONFLICT (hour, surface, strategy, model, arm, register) DO UPDATE SET rho = EXCLUDED.rho
      WHERE impression_user_hourly.rho < EXCLUDED.rho`,
    [
      groups.map((g) => g.hour.toISOString()),
      groups.map((g) => g.surface),
      groups.map((g) => g.strategy),
      groups.map((g) => g.model),
      groups.map((g) => g.arm),
      itemGroup,
      itemIds,
      shown,
      registerGroup,
      registers,
      rhos,
    ],
  );
}

export interface ImpressionOwner {
  id: string;
  // The external id of the user it was shown to; null for an anonymous answer.
  userExternalId: string | null;
}

// Who each of these impressions was shown to; unknown ids are absent.
export async function findImpressionOwners(tx: Pick<Tx, "$queryRawUnsafe">, ids: readonly string[]): Promise<Map<string, ImpressionOwner>> {
  if (ids.length === 0) return new Map();
  const rows = await tx.$queryRawUnsafe<{ id: string; external_id: string | null }[]>(
    `SELECT im.id::text AS id, u.external_id
       FROM impressions im LEFT JOIN users u ON u.id = im.user_id
      WHERE im.id = ANY($1::uuid[])`,
    [...new Set(ids)],
  );
  return new Map(rows.map((r) => [r.id, { id: r.id, userExternalId: r.external_id }]));
}

export interface AttributionInput {
  userId: number;
  itemId: number;
  type: string;
  occurredAt: Date;
  // Named by the client; null: the user's latest impression showing the item within the window.
  impressionId: string | null;
  position: number | null;
}

export interface AttributionCount {
  surface: string;
  type: string;
  inferred: boolean;
  n: number;
}

// Attributes a batch of just-written interactions in ONE statement: each is
// found by its natural key, its impression is the one named or else the
// user's latest that showed the item at most `windowMs` before it (the
// user's answers in the window, newest first, through impressions'
// (user_id, shown_at DESC) index), and its rank is the item's in that
// impression. Re-sending an event keeps an inferred attribution and lets a
// named one replace it. A new attribution is added to
// impression_rank_hourly in the same statement (a replaced one stays
// counted under its first impression). Returns the interactions newly
// attributed (as the rollup counts them: a re-sent event or a replaced
// attribution is not counted again), by the impression's surface, the
// interaction's type and how.
export async function writeAttributions(tx: Tx, inputs: readonly AttributionInput[], windowMs: number): Promise<AttributionCount[]> {
  // The same event twice in one batch is one interaction (the last one wins,
  // as in writeInteractions); ON CONFLICT may touch a row only once.
  const byKey = new Map<string, AttributionInput>();
  for (const a of inputs) byKey.set(`${a.userId}|${a.itemId}|${a.type}|${a.occurredAt.getTime()}`, a);
  const rows = [...byKey.values()];
  if (rows.length === 0) return [];
  return tx.$queryRawUnsafe<AttributionCount[]>(
    `WITH written AS (
       INSERT INTO interaction_attributions (interaction_id, impression_id, position, rank, inferred)
       SELECT i.id, a.id, x.position, a.ranks[array_position(a.item_ids, x.item_id)], x.given IS NULL
         FROM unnest($1::int[], $2::int[], $3::text[], $4::timestamptz[], $5::uuid[], $6::int[])
              AS x(user_id, item_id, type, occurred_at, given, position)
         JOIN interactions i
           ON i.user_id = x.user_id AND i.item_id = x.item_id AND i.type = x.type::"InteractionType" AND i.occurred_at = x.occurred_at
         CROSS JOIN LATERAL (
           SELECT im.id, im.item_ids, im.ranks FROM impressions im WHERE im.id = x.given
           UNION ALL
           (SELECT im.id, im.item_ids, im.ranks FROM impressions im
             WHERE x.given IS NULL AND $7::bigint > 0 AND im.user_id = x.user_id
               AND im.shown_at <= x.occurred_at AND im.shown_at > x.occurred_at - $7::bigint * interval '1 millisecond'
               AND x.item_id = ANY(im.item_ids)
             ORDER BY im.shown_at DESC LIMIT 1)) a
       ON CONFLICT (interaction_id) DO UPDATE
          SET impression_id = EXCLUDED.impression_id, position = EXCLUDED.position, rank = EXCLUDED.rank, inferred = false
        WHERE NOT EXCLUDED.inferred
       RETURNING interaction_id, impression_id, rank, inferred, (xmax = 0) AS inserted),
     rolled AS (
       INSERT INTO impression_rank_hourly (hour, surface, strategy, model, arm, rank, rating, view, play, "like", dislike, purchase, skip)
       SELECT ${HOUR("im.shown_at")}, im.surface, coalesce(im.strategy, ''), coalesce(im.model, ''), ${ARM("im.experiment", "im.arm")}, coalesce(w.rank, 0),
              count(*) FILTER (WHERE i.type = 'RATING'), count(*) FILTER (WHERE i.type = 'VIEW'), count(*) FILTER (WHERE i.type = 'PLAY'),
              count(*) FILTER (WHERE i.type = 'LIKE'), count(*) FILTER (WHERE i.type = 'DISLIKE'), count(*) FILTER (WHERE i.type = 'PURCHASE'),
              count(*) FILTER (WHERE i.type = 'SKIP')
         FROM written w JOIN impressions im ON im.id = w.impression_id JOIN interactions i ON i.id = w.interaction_id
        WHERE w.inserted
        GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 1, 2, 3, 4, 5, 6
       ON CONFLICT (hour, surface, strategy, model, arm, rank) DO UPDATE SET
         rating = impression_rank_hourly.rating + EXCLUDED.rating, view = impression_rank_hourly.view + EXCLUDED.view,
         play = impression_rank_hourly.play + EXCLUDED.play, "like" = impression_rank_hourly."like" + EXCLUDED."like",
         dislike = impression_rank_hourly.dislike + EXCLUDED.dislike, purchase = impression_rank_hourly.purchase + EXCLUDED.purchase,
         skip = impression_rank_hourly.skip + EXCLUDED.skip)
     SELECT im.surface, i.type::text AS type, w.inferred, count(*)::int AS n
       FROM written w JOIN interactions i ON i.id = w.interaction_id JOIN impressions im ON im.id = w.impression_id
      WHERE w.inserted
      GROUP BY im.surface, i.type, w.inferred`,
    rows.map((a) => a.userId),
    rows.map((a) => a.itemId),
    rows.map((a) => a.type),
    rows.map((a) => a.occurredAt.toISOString()),
    rows.map((a) => a.impressionId),
    rows.map((a) => a.position),
    windowMs,
  );
}

export interface ExportedImpression {
  id: string;
  surface: string;
  strategy: string | null;
  model: string | null;
  shownAt: Date;
  // propensity: the item's probability under the serving policy (an exploring answer's); null otherwise.
  items: { itemId: string; rank: number; rail: number | null; score: number; propensity: number | null }[];
}

// The user's impressions with their items, oldest first (an export is whole).
export async function impressionsForExport(db: Database, userId: number): Promise<ExportedImpression[]> {
  const rows = await db.sql.query<{ id: string; surface: string; strategy: string | null; model: string | null; shown_at: Date; item_id: string | null; rank: number | null; rail: number | null; score: number | null; propensity: number | null }>(
    `SELECT im.id::text AS id, im.surface, im.strategy, im.model, im.shown_at, it.external_id AS item_id, im.ranks[s.k] AS rank, im.rails[s.k] AS rail, im.scores[s.k] AS score,
            im.propensities[s.k] AS propensity
       FROM impressions im
       LEFT JOIN LATERAL unnest(im.item_ids) WITH ORDINALITY AS s(item_id, k) ON true
       LEFT JOIN items it ON it.id = s.item_id
      WHERE im.user_id = $1
      ORDER BY im.shown_at, im.id, s.k`,
    [userId],
  );
  const out: ExportedImpression[] = [];
  for (const r of rows) {
    let last = out[out.length - 1];
    if (last?.id !== r.id) out.push((last = { id: r.id, surface: r.surface, strategy: r.strategy, model: r.model, shownAt: new Date(r.shown_at), items: [] }));
    if (r.item_id !== null) last.items.push({ itemId: r.item_id, rank: Number(r.rank), rail: r.rail === null ? null : Number(r.rail), score: Number(r.score), propensity: r.propensity === null ? null : Number(r.propensity) });
  }
  return out;
}

export interface ExportedAttribution {
  itemId: string;
  type: string;
  occurredAt: Date;
  impressionId: string;
  position: number | null;
  rank: number | null;
  inferred: boolean;
}

// Which impression each of the user's interactions was attributed to.
export async function attributionsForExport(db: Database, userId: number): Promise<ExportedAttribution[]> {
  const rows = await db.sql.query<{ item_id: string; type: string; occurred_at: Date; impression_id: string; position: number | null; rank: number | null; inferred: boolean }>(
    `SELECT it.external_id AS item_id, i.type::text AS type, i.occurred_at, a.impression_id::text AS impression_id, a.position, a.rank, a.inferred
       FROM interaction_attributions a
       JOIN interactions i ON i.id = a.interaction_id
       JOIN items it ON it.id = i.item_id
      WHERE i.user_id = $1
      ORDER BY i.occurred_at, it.external_id, i.type`,
    [userId],
  );
  return rows.map((r) => ({
    itemId: r.item_id,
    type: r.type,
    occurredAt: new Date(r.occurred_at),
    impressionId: r.impression_id,
    position: r.position === null ? null : Number(r.position),
    rank: r.rank === null ? null : Number(r.rank),
    inferred: r.inferred,
  }));
}

// deleteUser: the user's impressions (the attributions to them go with
// them); the user's own attributions go with their interactions.
export async function deleteUserImpressions(tx: Tx, userId: number): Promise<number> {
  return tx.$executeRawUnsafe(`DELETE FROM impressions WHERE user_id = $1`, userId);
}

// Retention: deletes up to `limit` impressions shown before `before` (the
// attributions to them go with them, by their foreign key) and returns how
// many. Impression ids are UUIDv7 (services/impressionService.ts), time
// first, so the oldest are found through the primary key's index from its
// left edge, with no index on shown_at for every answer to write; shown_at
// is checked too. SKIP LOCKED: two workers pruning at once take different rows.
export async function deleteImpressionsBefore(db: Database, before: Date, limit: number): Promise<number> {
  const time = before.getTime().toString(16).padStart(12, "0");
  const boundary = `${time.slice(0, 8)}-${time.slice(8, 12)}-0000-0000-000000000000`;
  const rows = await db.sql.query<{ n: number }>(
    `WITH gone AS (
       DELETE FROM impressions WHERE id IN (
         SELECT id FROM impressions WHERE id < $1::uuid AND shown_at < $2::timestamptz ORDER BY id LIMIT $3::int FOR UPDATE SKIP LOCKED)
       RETURNING 1)
     SELECT count(*)::int AS n FROM gone`,
    [boundary, before.toISOString(), limit],
  );
  return Number(rows[0].n);
}
