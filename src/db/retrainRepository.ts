// Scheduled retraining rounds (retrain_rounds). Round 0 starts the schedule;
// round n+1 is claimed by inserting it: of two workers that find a round due
// at the same moment, the primary key lets exactly one insert (the other's
// INSERT ... ON CONFLICT DO NOTHING waits for it to commit, then inserts
// nothing), and the winner queues that round's jobs in the same transaction,
// so a round is never claimed without its jobs nor queued twice.
// Times come from the database clock, the one all replicas share.
import type { Database, SqlDriver } from "./Database";

export interface RetrainRoundRow {
  round: number;
  startedAt: Date;
  // The highest interaction id when the round started.
  lastInteractionId: number;
  trigger: string;
  jobIds: number[];
  claimedBy: string;
}

export interface RetrainState {
  last: RetrainRoundRow | null;
  now: Date;
  // Interactions recorded since the last round, counted up to the limit asked.
  newInteractions: number;
}

// An active version the schedule may retrain.
export interface ActiveVersionRecipe {
  name: string;
  version: number;
  givenParams: Record<string, unknown>;
  seed: number | null;
  // A training job of this name is queued or running: the round skips it.
  busy: boolean;
}

export interface PlannedJob {
  kind: string;
  payload: Record<string, unknown>;
}

interface RawRound {
  round: number | null;
  started_at: Date | null;
  last_interaction_id: string | null;
  trigger: string | null;
  job_ids: number[] | null;
  claimed_by: string | null;
}

const ROUND_COLUMNS = `round, started_at, last_interaction_id::text AS last_interaction_id, trigger, job_ids, claimed_by`;

function toRound(r: RawRound): RetrainRoundRow | null {
  if (r.round === null) return null;
  return {
    round: Number(r.round),
    startedAt: r.started_at!,
    lastInteractionId: Number(r.last_interaction_id),
    trigger: r.trigger!,
    jobIds: (r.job_ids ?? []).map(Number),
    claimedBy: r.claimed_by!,
  };
}

// One statement: the last round, the clock, and the interactions newer than
// its mark, counted only up to `countUpTo` (a range scan of the primary key
// that stops there; 0 skips it), so a poll stays cheap however many arrived.
export async function retrainState(db: Database, countUpTo: number): Promise<RetrainState> {
  const rows = await db.sql.query<RawRound & { now: Date; new_interactions: number }>(
    `WITH last AS (SELECT ${ROUND_COLUMNS} FROM retrain_rounds ORDER BY round DESC LIMIT 1)
     SELECT l.*, now() AS now,
            (SELECT count(*)::int FROM (SELECT 1 FROM interactions i
               WHERE i.id > COALESCE((SELECT last_interaction_id::bigint FROM last), 0) LIMIT $1) n) AS new_interactions
       FROM (SELECT 1) one LEFT JOIN last l ON true`,
    [countUpTo],
    "retrain_state",
  );
  const r = rows[0];
  return { last: toRound(r), now: r.now, newInteractions: Number(r.new_interactions) };
}

// Claims round `round` and queues the jobs `plan` returns for the active
// versions, in one transaction; null when another worker claimed it first.
export async function claimRetrainRound(
  db: Database,
  round: number,
  trigger: string,
  claimedBy: string,
  plan: (active: ActiveVersionRecipe[]) => PlannedJob[],
): Promise<RetrainRoundRow | null> {
  return db.sql.transaction(async (tx) => {
    const claimed = await tx.query<RawRound>(
      `INSERT INTO retrain_rounds (round, last_interaction_id, trigger, claimed_by)
       VALUES ($1, (SELECT COALESCE(max(id), 0) FROM interactions), $2, $3)
       ON CONFLICT (round) DO NOTHING
       RETURNING ${ROUND_COLUMNS}`,
      [round, trigger, claimedBy],
    );
    if (claimed.length === 0) return null;
    const jobs = plan(await activeRecipes(tx));
    const ids: number[] = [];
    for (const job of jobs) {
      const inserted = await tx.query<{ id: number }>(`INSERT INTO jobs (kind, payload) VALUES ($1, $2::jsonb) RETURNING id`, [job.kind, JSON.stringify(job.payload)]);
      ids.push(Number(inserted[0].id));
    }
    if (ids.length === 0) return toRound(claimed[0]);
    const updated = await tx.query<RawRound>(`UPDATE retrain_rounds SET job_ids = $2::int[] WHERE round = $1 RETURNING ${ROUND_COLUMNS}`, [round, ids]);
    return toRound(updated[0]);
  });
}

async function activeRecipes(tx: SqlDriver): Promise<ActiveVersionRecipe[]> {
  const rows = await tx.query<{ name: string; version: number; given: Record<string, unknown> | null; seed: unknown; busy: boolean }>(
    `SELECT v.name, v.version, v.params->'training'->'given' AS given, v.metrics->'seed' AS seed,
            EXISTS (SELECT 1 FROM jobs j WHERE j.kind = 'train' AND j.status IN ('QUEUED', 'RUNNING') AND j.payload->>'name' = v.name) AS busy
       FROM model_versions v WHERE v.is_active ORDER BY v.name`,
  );
  return rows.map((r) => ({
    name: r.name,
    version: Number(r.version),
    givenParams: r.given ?? {},
    seed: typeof r.seed === "number" && Number.isSafeInteger(r.seed) ? r.seed : null,
    busy: r.busy,
  }));
}

// The rounds newest first, at most `limit`.
export async function recentRetrainRounds(db: Database, limit: number): Promise<RetrainRoundRow[]> {
  const rows = await db.sql.query<RawRound>(`SELECT ${ROUND_COLUMNS} FROM retrain_rounds ORDER BY round DESC LIMIT $1`, [limit]);
  return rows.map((r) => toRound(r)!);
}
