// Experiments and their arms (experiments, experiment_arms), and the per-arm
// figures of a running experiment read from the impression rollups, whose
// `arm` is "<experiment name>/<arm name>": a read costs one GROUP BY over the
// hours since the start, never a scan of impressions.
import type { Database, SqlDriver } from "./Database";

export type ExperimentStatus = "DRAFT" | "RUNNING" | "STOPPED";
export type ExperimentMetric = "CLICK_THROUGH" | "CONVERSION";

export interface Guardrails {
  maxErrorRate?: number;
  maxLatencyP99Ms?: number;
  minRequests?: number;
}

export interface ExperimentArmRow {
  name: string;
  position: number;
  strategy: string | null;
  // "name@version".
  model: string | null;
  weight: number;
  minPValue: number | null;
  stoppedAt: Date | null;
  stopReason: string | null;
}

export interface ExperimentRow {
  id: number;
  name: string;
  surface: string;
  status: ExperimentStatus;
  metric: ExperimentMetric;
  k: number;
  alpha: number;
  tau: number;
  guardrails: Guardrails;
  createdAt: Date;
  startedAt: Date | null;
  stoppedAt: Date | null;
  stopReason: string | null;
  winnerArm: string | null;
  decidedAt: Date | null;
  // By position: the control first.
  arms: ExperimentArmRow[];
}

export interface NewExperiment {
  name: string;
  surface: string;
  metric: ExperimentMetric;
  k: number;
  alpha: number;
  tau: number;
  guardrails: Guardrails;
  arms: { name: string; strategy: string | null; model: string | null; weight: number }[];
}

type Raw = Record<string, any>;

const date = (v: unknown): Date | null => (v === null || v === undefined ? null : new Date(v as string));

// Experiments with their arms, in one statement (arms as a JSON array).
const SELECT = `SELECT e.*, coalesce((SELECT json_agg(json_build_object(
           'name', a.name, 'position', a.position, 'strategy', a.strategy, 'model', a.model, 'weight', a.weight,
           'minPValue', a.min_p_value, 'stoppedAt', a.stopped_at, 'stopReason', a.stop_reason) ORDER BY a.position)
         FROM experiment_arms a WHERE a.experiment_id = e.id), '[]') AS arms
    FROM experiments e`;

function toRow(r: Raw): ExperimentRow {
  const arms = (typeof r.arms === "string" ? JSON.parse(r.arms) : r.arms) as Raw[];
  return {
    id: Number(r.id),
    name: r.name,
    surface: r.surface,
    status: r.status,
    metric: r.metric,
    k: Number(r.k),
    alpha: Number(r.alpha),
    tau: Number(r.tau),
    guardrails: (typeof r.guardrails === "string" ? JSON.parse(r.guardrails) : r.guardrails) ?? {},
    createdAt: new Date(r.created_at),
    startedAt: date(r.started_at),
    stoppedAt: date(r.stopped_at),
    stopReason: r.stop_reason ?? null,
    winnerArm: r.winner_arm ?? null,
    decidedAt: date(r.decided_at),
    arms: arms.map((a) => ({
      name: a.name,
      position: Number(a.position),
      strategy: a.strategy ?? null,
      model: a.model ?? null,
      weight: Number(a.weight),
      minPValue: a.minPValue === null || a.minPValue === undefined ? null : Number(a.minPValue),
      stoppedAt: date(a.stoppedAt),
      stopReason: a.stopReason ?? null,
    })),
  };
}

// A unique violation of the given constraint (name, or one running per surface).
export function isUniqueViolation(error: unknown, constraint: string): boolean {
  const e = error as { code?: string; constraint?: string; message?: string };
  return e?.code === "23505" && (e.constraint === constraint || (e.message ?? "").includes(constraint));
}

export async function insertExperiment(db: Database, input: NewExperiment, now: Date): Promise<ExperimentRow> {
  const id = await db.sql.transaction(async (tx: SqlDriver) => {
    const [row] = await tx.query<{ id: number }>(
      `INSERT INTO experiments (name, surface, metric, k, alpha, tau, guardrails, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8) RETURNING id`,
      [input.name, input.surface, input.metric, input.k, input.alpha, input.tau, JSON.stringify(input.guardrails), now.toISOString()],
    );
    await tx.query(
      `INSERT INTO experiment_arms (experiment_id, name, position, strategy, model, weight)
       SELECT $1, x.name, x.position - 1, x.strategy, x.model, x.weight
         FROM unnest($2::text[], $3::text[], $4::text[], $5::float8[]) WITH ORDINALITY AS x(name, strategy, model, weight, position)`,
      [row.id, input.arms.map((a) => a.name), input.arms.map((a) => a.strategy), input.arms.map((a) => a.model), input.arms.map((a) => a.weight)],
    );
    return Number(row.id);
  });
  return (await findExperiment(db, id))!;
}

export async function findExperiment(db: Database, id: number): Promise<ExperimentRow | null> {
  const rows = await db.sql.query<Raw>(`${SELECT} WHERE e.id = $1`, [id]);
  return rows.length > 0 ? toRow(rows[0]) : null;
}

export async function findExperimentByName(db: Database, name: string): Promise<ExperimentRow | null> {
  const rows = await db.sql.query<Raw>(`${SELECT} WHERE e.name = $1`, [name]);
  return rows.length > 0 ? toRow(rows[0]) : null;
}

// Newest first; `statuses` null: every experiment.
export async function listExperiments(db: Database, statuses: readonly ExperimentStatus[] | null): Promise<ExperimentRow[]> {
  const rows = await db.sql.query<Raw>(`${SELECT} WHERE ($1::text[] IS NULL OR e.status = ANY($1::text[])) ORDER BY e.id DESC`, [statuses]);
  return rows.map(toRow);
}

// DRAFT -> RUNNING; false when it was not a draft (raced). A running
// experiment on the same surface fails the partial unique index (23505).
export async function markStarted(db: Database, id: number, now: Date): Promise<boolean> {
  const rows = await db.sql.query(`UPDATE experiments SET status = 'RUNNING', started_at = $2 WHERE id = $1 AND status = 'DRAFT' RETURNING id`, [id, now.toISOString()]);
  return rows.length > 0;
}

export async function markStopped(db: Database, id: number, now: Date, reason: string): Promise<boolean> {
  const rows = await db.sql.query(
    `UPDATE experiments SET status = 'STOPPED', stopped_at = $2, stop_reason = $3 WHERE id = $1 AND status <> 'STOPPED' RETURNING id`,
    [id, now.toISOString(), reason],
  );
  return rows.length > 0;
}

// A guardrail stop; false when the arm was stopped already (by another replica).
export async function stopArm(db: Database, id: number, arm: string, now: Date, reason: string): Promise<boolean> {
  const rows = await db.sql.query(
    `UPDATE experiment_arms SET stopped_at = $3, stop_reason = $4 WHERE experiment_id = $1 AND name = $2 AND stopped_at IS NULL RETURNING name`,
    [id, arm, now.toISOString(), reason],
  );
  return rows.length > 0;
}

// The sticky decision: only the first one stands.
export async function recordDecision(db: Database, id: number, winner: string, now: Date): Promise<boolean> {
  const rows = await db.sql.query(`UPDATE experiments SET winner_arm = $2, decided_at = $3 WHERE id = $1 AND decided_at IS NULL RETURNING id`, [id, winner, now.toISOString()]);
  return rows.length > 0;
}

// Keeps each arm's running minimum of the always-valid p-value.
export async function lowerMinPValues(db: Database, id: number, values: readonly { arm: string; pValue: number }[]): Promise<void> {
  if (values.length === 0) return;
  await db.sql.query(
    `UPDATE experiment_arms a SET min_p_value = x.p
       FROM unnest($2::text[], $3::float8[]) AS x(name, p)
      WHERE a.experiment_id = $1 AND a.name = x.name AND (a.min_p_value IS NULL OR x.p < a.min_p_value)`,
    [id, values.map((v) => v.arm), values.map((v) => v.pValue)],
  );
}

export interface ArmFigures {
  // The rollups' label, "<experiment>/<arm>".
  label: string;
  impressions: number;
  shownAtK: number;
  clicksAtK: number;
  purchases: number;
}

// Each arm's figures on `surface` in the hours from the one holding `since`
// (the start) on, in one statement; arms without impressions are absent.
export async function readArmFigures(db: Database, surface: string, labels: readonly string[], since: Date, k: number): Promise<ArmFigures[]> {
  const rows = await db.sql.query<Raw>(
    `WITH h AS (
       SELECT arm, sum(impressions) AS impressions FROM impression_hourly
        WHERE surface = $1 AND arm = ANY($2::text[]) AND hour >= date_trunc('hour', $3::timestamptz AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'
        GROUP BY arm),
     r AS (
       SELECT arm, coalesce(sum(shown) FILTER (WHERE rank BETWEEN 1 AND $4::int), 0) AS shown_k,
              coalesce(sum(view + play) FILTER (WHERE rank BETWEEN 1 AND $4::int), 0) AS clicks_k, sum(purchase) AS purchases
         FROM impression_rank_hourly
        WHERE surface = $1 AND arm = ANY($2::text[]) AND hour >= date_trunc('hour', $3::timestamptz AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'
        GROUP BY arm)
     SELECT h.arm, h.impressions, coalesce(r.shown_k, 0) AS shown_k, coalesce(r.clicks_k, 0) AS clicks_k, coalesce(r.purchases, 0) AS purchases
       FROM h LEFT JOIN r USING (arm)`,
    [surface, labels, since.toISOString(), k],
  );
  return rows.map((r) => ({ label: r.arm, impressions: Number(r.impressions), shownAtK: Number(r.shown_k), clicksAtK: Number(r.clicks_k), purchases: Number(r.purchases) }));
}
