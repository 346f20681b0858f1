// The job queue itself, on every target database: claiming (concurrently,
// from two connections pools on PostgreSQL: two replicas), progress,
// failure, cancellation and crash recovery by stale heartbeat.
import type { Database } from "../../src/db/Database";
import { createDatabase } from "../../src/db/createDatabase";
import { cancelJob, claimJob, completeJob, enqueueJob, findJob, heartbeatJob, requeueStaleJobs } from "../../src/db/jobRepository";
import { JobWorker, type JobHandler } from "../../src/jobs/JobWorker";
import { wakeWorkers } from "../../src/jobs/jobSignals";
import { databaseTargets, openTestDatabase, type TestDatabase } from "../support/testDatabase";
import { memoryLogger, type LoggedLine } from "../support/testServer";
import { pollUntil } from "../support/pollUntil";

// Each file's own default timeout and polling interval.
const waitFor = <T,>(what: string, fn: () => Promise<T | undefined | null | false> | T | undefined | null | false, timeoutMs = 20_000) =>
  pollUntil(what, fn, { timeoutMs, intervalMs: 20 });

describe.each(databaseTargets())("job queue on %s", (target) => {
  let t: TestDatabase;
  let db: Database;
  // A second replica: its own connection pool on PostgreSQL; PGlite is one
  // connection in one process, so there the "replica" shares the handle.
  let other: Database;
  const logs: LoggedLine[] = [];
  const logger = memoryLogger(logs);

  beforeAll(async () => {
    t = await openTestDatabase(target);
    db = t.db;
    other = t.url ? await createDatabase({ databaseUrl: t.url, poolSize: 5 }) : db;
  }, 120_000);
  afterAll(async () => {
    if (other && other !== db) await other.close();
    await t?.dispose();
  });

  // Leaves nothing queued for the next test.
  afterEach(async () => {
    await db.sql.query(`UPDATE jobs SET status = 'CANCELLED' WHERE status IN ('QUEUED', 'RUNNING')`);
  });

  it("stores a job with its defaults (the Job model through the generated client)", async () => {
    const created = await db.prisma.job.create({ data: { kind: "schema-test" } });
    expect(created).toEqual({
      id: expect.any(Number),
      kind: "schema-test",
      payload: {},
      status: "QUEUED",
      progress: 0,
      result: null,
      error: null,
      attempts: 0,
      createdAt: expect.any(Date),
      startedAt: null,
      finishedAt: null,
      lockedBy: null,
      heartbeatAt: null,
    });
    const at = new Date("2026-11-28T14:00:00.123Z");
    const updated = await db.prisma.job.update({
      where: { id: created.id },
      data: { status: "SUCCEEDED", progress: 0.25, result: { version: 3 }, error: "e", attempts: 2, startedAt: at, finishedAt: at, lockedBy: "w", heartbeatAt: at },
    });
    expect(await db.prisma.job.findUnique({ where: { id: created.id } })).toEqual(updated);
    expect(updated).toMatchObject({ progress: 0.25, result: { version: 3 }, startedAt: at, lockedBy: "w", heartbeatAt: at });
    await expect(db.prisma.job.update({ where: { id: created.id }, data: { status: "DONE" } })).rejects.toThrow(/jobs_status_check|check constraint/i);
    await expect(db.prisma.job.update({ where: { id: created.id }, data: { progress: 1.5 } })).rejects.toThrow(/jobs_progress_check|check constraint/i);
    await db.prisma.job.delete({ where: { id: created.id } });
  });

  it("never gives one job to two workers claiming at the same time", async () => {
    const jobs: { id: number }[] = [];
    for (let k = 0; k < 12; k++) jobs.push(await enqueueJob(db, "claim-test", { k }));
    // 24 claims at once, from two replicas; half of them must come back empty.
    const claims = await Promise.all(
      Array.from({ length: 24 }, (_, k) => claimJob(k % 2 === 0 ? db : other, `worker-${k}`, ["claim-test"])),
    );
    const taken = claims.filter((c) => c !== null);
    expect(taken).toHaveLength(12);
    expect(taken.map((c) => c!.id).sort((a, b) => a - b)).toEqual(jobs.map((j) => j.id));
    for (const c of taken) expect(c).toMatchObject({ status: "RUNNING", attempts: 1, progress: 0, lockedBy: expect.stringMatching(/^worker-/) });
    // Claiming only kinds it knows: a worker for other kinds gets nothing.
    await enqueueJob(db, "claim-test", {});
    expect(await claimJob(db, "w", ["other-kind"])).toBeNull();
  });

  it("never runs two jobs of one kind and name at once, even claimed in the same instant", async () => {
    const a1 = await enqueueJob(db, "name-test", { name: "ials" });
    const a2 = await enqueueJob(db, "name-test", { name: "ials" });
    const b = await enqueueJob(db, "name-test", { name: "ease" });
    // Six claims at once from two replicas: one ials job and the ease job run.
    const claims = await Promise.all(Array.from({ length: 6 }, (_, k) => claimJob(k % 2 === 0 ? db : other, `w-${k}`, ["name-test"])));
    const taken = claims.filter((c) => c !== null).map((c) => c!.id).sort((x, y) => x - y);
    expect(taken).toEqual([a1.id, b.id]);
    // a2 waits while a1 runs, the SQL says so too (the unique index holds one RUNNING per name).
    expect(await claimJob(db, "w", ["name-test"])).toBeNull();
    await expect(db.sql.query(`UPDATE jobs SET status = 'RUNNING' WHERE id = $1`, [a2.id])).rejects.toThrow(/jobs_one_running_per_name/);
    // Once a1 is done, a2 is next.
    await db.sql.query(`UPDATE jobs SET status = 'SUCCEEDED' WHERE id = $1`, [a1.id]);
    expect((await claimJob(db, "w", ["name-test"]))?.id).toBe(a2.id);
  });

  it("two running workers share the queue and run every job exactly once", async () => {
    const ran: [string, number][] = [];
    const handler =
      (worker: string): JobHandler =>
      async (payload) => {
        ran.push([worker, payload.k as number]);
        await new Promise((r) => setImmediate(r));
        return { k: payload.k };
      };
    const a = new JobWorker(db, { "share-test": handler("a") }, { logger, workerId: "a", pollIntervalMs: 20 });
    const b = new JobWorker(other, { "share-test": handler("b") }, { logger, workerId: "b", pollIntervalMs: 20 });
    const ids: number[] = [];
    for (let k = 0; k < 10; k++) ids.push((await enqueueJob(db, "share-test", { k })).id);
    a.start();
    b.start();
    try {
      const done = await waitFor("every job to finish", async () => {
        const rows = await Promise.all(ids.map((id) => findJob(db, id)));
        return rows.every((r) => r?.status === "SUCCEEDED") && rows;
      });
      expect(done.map((r) => r!.result)).toEqual(ids.map((_, k) => ({ k })));
      expect(done.every((r) => r!.progress === 1 && r!.attempts === 1 && r!.finishedAt instanceof Date)).toBe(true);
      expect(ran.map(([, k]) => k).sort((x, y) => x - y)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
  });

  it("records progress while a job runs, and the error of a job that fails", async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const worker = new JobWorker(
      db,
      {
        "progress-test": async (_payload, ctx) => {
          ctx.reportProgress(0.5);
          await gate;
          return { ok: true };
        },
        "fail-test": async () => {
          throw new Error("the catalog has no items");
        },
      },
      { logger, workerId: "p", pollIntervalMs: 20, progressIntervalMs: 0 },
    );
    const job = await enqueueJob(db, "progress-test", {});
    worker.start();
    try {
      const halfway = await waitFor("progress 0.5", async () => {
        const row = await findJob(db, job.id);
        return row?.progress === 0.5 && row;
      });
      expect(halfway).toMatchObject({ status: "RUNNING", lockedBy: "p", finishedAt: null });
      release();
      expect(await waitFor("success", async () => (await findJob(db, job.id))?.status === "SUCCEEDED" && findJob(db, job.id))).toMatchObject({
        progress: 1,
        result: { ok: true },
        error: null,
      });

      const failing = await enqueueJob(db, "fail-test", {});
      wakeWorkers(db);
      const failed = await waitFor("failure", async () => {
        const row = await findJob(db, failing.id);
        return row?.status === "FAILED" && row;
      });
      expect(failed).toMatchObject({ error: "the catalog has no items", attempts: 1, result: null, finishedAt: expect.any(Date) });
    } finally {
      release();
      await worker.stop();
    }
  });

  it("cancels a queued job, which no worker then takes", async () => {
    const job = await enqueueJob(db, "cancel-test", {});
    expect(await cancelJob(db, job.id)).toMatchObject({ status: "CANCELLED", finishedAt: expect.any(Date) });
    expect(await cancelJob(db, job.id)).toBeNull();
    expect(await claimJob(db, "w", ["cancel-test"])).toBeNull();
  });

  it("requeues a job whose worker stopped sending heartbeats, and fails it after too many attempts", async () => {
    const job = await enqueueJob(db, "crash-test", { n: 1 });
    const claimed = await claimJob(db, "dead-worker", ["crash-test"]);
    expect(claimed?.id).toBe(job.id);
    // Alive and fresh: not touched.
    expect(await requeueStaleJobs(db, 60, 3)).toEqual({ requeued: [], failed: [] });
    // The worker died an hour ago.
    await db.sql.query(`UPDATE jobs SET heartbeat_at = now() - interval '1 hour' WHERE id = $1`, [job.id]);
    expect(await requeueStaleJobs(db, 60, 3)).toEqual({ requeued: [job.id], failed: [] });
    expect(await findJob(db, job.id)).toMatchObject({ status: "QUEUED", lockedBy: null, attempts: 1, error: "worker dead-worker stopped sending heartbeats" });

    // A live worker takes it; the dead one, coming back, can change nothing.
    const worker = new JobWorker(db, { "crash-test": async (p) => ({ again: p.n }) }, { logger, workerId: "live" });
    expect(await worker.runOnce()).toBe(true);
    expect(await heartbeatJob(db, job.id, "dead-worker", 0.9)).toBe(false);
    expect(await completeJob(db, job.id, "dead-worker", { stale: true })).toBeNull();
    expect(await findJob(db, job.id)).toMatchObject({ status: "SUCCEEDED", attempts: 2, result: { again: 1 }, lockedBy: "live", error: null });

    // A job that kills its worker every time ends FAILED, not in a loop.
    const doomed = await enqueueJob(db, "crash-test", {});
    for (let attempt = 1; attempt <= 3; attempt++) {
      expect((await claimJob(db, `dead-${attempt}`, ["crash-test"]))?.id).toBe(doomed.id);
      await db.sql.query(`UPDATE jobs SET heartbeat_at = now() - interval '1 hour' WHERE id = $1`, [doomed.id]);
      expect(await requeueStaleJobs(db, 60, 3)).toEqual(attempt < 3 ? { requeued: [doomed.id], failed: [] } : { requeued: [], failed: [doomed.id] });
    }
    expect(await findJob(db, doomed.id)).toMatchObject({ status: "FAILED", attempts: 3, error: "worker dead-3 stopped sending heartbeats (attempt 3 of 3)" });

    // The worker loop does the recovery itself at each tick.
    const orphan = await enqueueJob(db, "crash-test", { n: 2 });
    await claimJob(db, "dead-again", ["crash-test"]);
    await db.sql.query(`UPDATE jobs SET heartbeat_at = now() - interval '1 hour' WHERE id = $1`, [orphan.id]);
    const loop = new JobWorker(db, { "crash-test": async (p) => ({ again: p.n }) }, { logger, workerId: "loop", staleAfterSeconds: 60, pollIntervalMs: 20 });
    loop.start();
    try {
      expect(await waitFor("recovery", async () => (await findJob(db, orphan.id))?.status === "SUCCEEDED" && findJob(db, orphan.id))).toMatchObject({
        attempts: 2,
        lockedBy: "loop",
      });
      expect(logs.some((l) => l.msg === "recovered jobs of a dead worker")).toBe(true);
    } finally {
      await loop.stop();
    }
  });
});
