// The job queue in PostgreSQL itself, in plain SQL so it behaves the same on a
// real server and on PGlite (pg-boss needs a server connection of its own).
// Any replica or a separate worker process claims the oldest QUEUED job with
// UPDATE ... WHERE id = (SELECT ... FOR UPDATE SKIP LOCKED LIMIT 1): a row
// another transaction is claiming is skipped, not waited for, and a row
// claimed and committed meanwhile fails the re-checked WHERE, so no two
// workers ever take one job. Every write by a worker is guarded by
// `locked_by = <worker>` and status RUNNING: a worker presumed dead whose
// job was requeued and taken by another cannot overwrite the new run.
// Times come from the database clock (now()), the one clock all replicas share.
import type { Database } from "./Database";

export const JOB_STATUSES = ["QUEUED", "RUNNING", "SUCCEEDED", "FAILED", "CANCELLED"] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

export interface JobRow {
  id: number;
  kind: string;
  payload: Record<string, unknown>;
  status: JobStatus;
  progress: number;
  result: Record<string, unknown> | null;
  error: string | null;
  attempts: number;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  lockedBy: string | null;
  heartbeatAt: Date | null;
}

interface RawJob {
  id: number;
  kind: string;
  payload: Record<string, unknown>;
  status: JobStatus;
  progress: number;
  result: Record<string, unknown> | null;
  error: string | null;
  attempts: number;
  created_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
  locked_by: string | null;
  heartbeat_at: Date | null;
}

const COLUMNS = `id, kind, payload, status, progress, result, error, attempts, created_at, started_at, finished_at, locked_by, heartbeat_at`;

function toJob(r: RawJob): JobRow {
  return {
    id: Number(r.id),
    kind: r.kind,
    payload: r.payload ?? {},
    status: r.status,
    progress: Number(r.progress),
    result: r.result ?? null,
    error: r.error,
    attempts: Number(r.attempts),
    createdAt: r.created_at,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    lockedBy: r.locked_by,
    heartbeatAt: r.heartbeat_at,
  };
}

export async function enqueueJob(db: Database, kind: string, payload: Record<string, unknown>): Promise<JobRow> {
  const rows = await db.sql.query<RawJob>(`INSERT INTO jobs (kind, payload) VALUES ($1, $2::jsonb) RETURNING ${COLUMNS}`, [kind, JSON.stringify(payload)]);
  return toJob(rows[0]);
}

export async function findJob(db: Database, id: number): Promise<JobRow | null> {
  const rows = await db.sql.query<RawJob>(`SELECT ${COLUMNS} FROM jobs WHERE id = $1`, [id]);
  return rows.length > 0 ? toJob(rows[0]) : null;
}

// Takes the oldest QUEUED job of one of `kinds` for `workerId`; null when there is none.
// A job whose payload names something (a training's model) waits while a job
// of the same kind and name runs: two fits of one model never overlap. Two
// claims of such jobs in the same instant both pass that check; the unique
// index jobs_one_running_per_name lets one commit, and the other comes back
// empty (its worker claims again at its next poll).
export async function claimJob(db: Database, workerId: string, kinds: readonly string[]): Promise<JobRow | null> {
  try {
    const rows = await db.sql.query<RawJob>(
      `UPDATE jobs
          SET status = 'RUNNING', locked_by = $1, attempts = attempts + 1,
              started_at = now(), heartbeat_at = now(), finished_at = NULL, error = NULL
        WHERE id = (SELECT j.id FROM jobs j
                     WHERE j.status = 'QUEUED' AND j.kind = ANY($2::text[])
                       AND NOT (j.payload ? 'name' AND EXISTS (
                             SELECT 1 FROM jobs r
                              WHERE r.status = 'RUNNING' AND r.kind = j.kind AND r.payload ? 'name'
                                AND r.payload->>'name' = j.payload->>'name'))
                     ORDER BY j.id
                     FOR UPDATE SKIP LOCKED
                     LIMIT 1)
        RETURNING ${COLUMNS}`,
      [workerId, [...kinds]],
    );
    return rows.length > 0 ? toJob(rows[0]) : null;
  } catch (error) {
    if (isOneRunningPerNameConflict(error)) return null;
    throw error;
  }
}

function isOneRunningPerNameConflict(error: unknown): boolean {
  const e = error as { code?: string; constraint?: string; message?: string } | null;
  return e?.code === "23505" && (e.constraint === "jobs_one_running_per_name" || /jobs_one_running_per_name/.test(e.message ?? ""));
}

// "Still alive", optionally with progress (never moves backwards). False when
// the job is no longer this worker's (requeued after a stale heartbeat, cancelled).
export async function heartbeatJob(db: Database, id: number, workerId: string, progress?: number): Promise<boolean> {
  const rows = await db.sql.query(
    `UPDATE jobs SET heartbeat_at = now(), progress = GREATEST(progress, LEAST(1, COALESCE($3::real, progress)))
      WHERE id = $1 AND locked_by = $2 AND status = 'RUNNING'
      RETURNING id`,
    [id, workerId, progress ?? null],
  );
  return rows.length > 0;
}

// Whether this worker still holds the job (it may have been requeued to
// another after missed heartbeats): checked before acting on the result.
export async function ownsJob(db: Database, id: number, workerId: string): Promise<boolean> {
  const rows = await db.sql.query(`SELECT id FROM jobs WHERE id = $1 AND locked_by = $2 AND status = 'RUNNING'`, [id, workerId]);
  return rows.length > 0;
}

export async function completeJob(db: Database, id: number, workerId: string, result: Record<string, unknown>): Promise<JobRow | null> {
  const rows = await db.sql.query<RawJob>(
    `UPDATE jobs SET status = 'SUCCEEDED', progress = 1, result = $3::jsonb, finished_at = now(), heartbeat_at = now()
      WHERE id = $1 AND locked_by = $2 AND status = 'RUNNING'
      RETURNING ${COLUMNS}`,
    [id, workerId, JSON.stringify(result)],
  );
  return rows.length > 0 ? toJob(rows[0]) : null;
}

export async function failJob(db: Database, id: number, workerId: string, error: string): Promise<JobRow | null> {
  const rows = await db.sql.query<RawJob>(
    `UPDATE jobs SET status = 'FAILED', error = $3, finished_at = now(), heartbeat_at = now()
      WHERE id = $1 AND locked_by = $2 AND status = 'RUNNING'
      RETURNING ${COLUMNS}`,
    [id, workerId, error],
  );
  return rows.length > 0 ? toJob(rows[0]) : null;
}

// A QUEUED job can be cancelled; one already running or finished cannot (null).
export async function cancelJob(db: Database, id: number): Promise<JobRow | null> {
  const rows = await db.sql.query<RawJob>(
    `UPDATE jobs SET status = 'CANCELLED', finished_at = now() WHERE id = $1 AND status = 'QUEUED' RETURNING ${COLUMNS}`,
    [id],
  );
  return rows.length > 0 ? toJob(rows[0]) : null;
}

export interface StaleJobs {
  requeued: number[];
  // Out of attempts: a job that kills its worker every time must not loop forever.
  failed: number[];
}

// Crash recovery: RUNNING jobs whose heartbeat is older than staleAfterSeconds
// go back to QUEUED (or to FAILED once they have used maxAttempts claims).
export async function requeueStaleJobs(db: Database, staleAfterSeconds: number, maxAttempts: number): Promise<StaleJobs> {
  const rows = await db.sql.query<{ id: number; status: JobStatus }>(
    `UPDATE jobs
        SET status = CASE WHEN attempts >= $2::int THEN 'FAILED' ELSE 'QUEUED' END,
            error = 'worker ' || COALESCE(locked_by, '?') || ' stopped sending heartbeats'
                    || CASE WHEN attempts >= $2::int THEN ' (attempt ' || attempts || ' of ' || $2::int || ')' ELSE '' END,
            finished_at = CASE WHEN attempts >= $2::int THEN now() ELSE NULL END,
            locked_by = NULL
      WHERE status = 'RUNNING' AND (heartbeat_at IS NULL OR heartbeat_at < now() - make_interval(secs => $1::double precision))
      RETURNING id, status`,
    [staleAfterSeconds, maxAttempts],
  );
  return {
    requeued: rows.filter((r) => r.status === "QUEUED").map((r) => Number(r.id)),
    failed: rows.filter((r) => r.status === "FAILED").map((r) => Number(r.id)),
  };
}
