// The worker loop: claim a job, run its handler with a heartbeat and
// throttled progress, record the outcome, repeat until the queue is empty,
// then sleep pollIntervalMs (or until wake()). Each tick also requeues jobs
// whose worker stopped sending heartbeats (crash recovery), so any live
// worker recovers the jobs of a dead one.
//
// Training runs synchronously (fit() is CPU-bound), so heartbeats and
// progress writes queued during a fit reach the database only when it
// yields: staleAfterSeconds must exceed the longest single fit.
import crypto from "node:crypto";
import os from "node:os";
import type { Database } from "../db/Database";
import { claimJob, completeJob, failJob, heartbeatJob, ownsJob, requeueStaleJobs, type JobRow } from "../db/jobRepository";
import type { Logger } from "../logger";
import { onWake } from "./jobSignals";

export interface JobContext {
  readonly job: JobRow;
  // Fraction done, 0..1; written to the database at most every progressIntervalMs.
  reportProgress(fraction: number): void;
  // False once the job was taken from this worker (requeued after missed
  // heartbeats): a handler checks it before a side effect such as activation.
  stillOwned(): Promise<boolean>;
}

export type JobHandler = (payload: Record<string, unknown>, ctx: JobContext) => Promise<Record<string, unknown>>;

export interface JobWorkerOptions {
  logger: Logger;
  // Unique per process (locked_by); defaults to host:pid:random.
  workerId?: string;
  pollIntervalMs?: number;
  heartbeatIntervalMs?: number;
  staleAfterSeconds?: number;
  maxAttempts?: number;
  progressIntervalMs?: number;
}

export const JOB_WORKER_DEFAULTS = {
  pollIntervalMs: 1000,
  heartbeatIntervalMs: 5000,
  staleAfterSeconds: 300,
  maxAttempts: 3,
  progressIntervalMs: 500,
};

export function newWorkerId(): string {
  return `${os.hostname()}:${process.pid}:${crypto.randomBytes(3).toString("hex")}`;
}

export class JobWorker {
  readonly workerId: string;
  private readonly settings: typeof JOB_WORKER_DEFAULTS;
  private readonly logger: Logger;
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<void> | undefined;
  private wakeAsked = false;
  private running = false;
  private unsubscribe: (() => void) | undefined;

  constructor(
    private readonly db: Database,
    private readonly handlers: Readonly<Record<string, JobHandler>>,
    options: JobWorkerOptions,
  ) {
    this.logger = options.logger;
    this.workerId = options.workerId ?? newWorkerId();
    this.settings = {
      pollIntervalMs: options.pollIntervalMs ?? JOB_WORKER_DEFAULTS.pollIntervalMs,
      heartbeatIntervalMs: options.heartbeatIntervalMs ?? JOB_WORKER_DEFAULTS.heartbeatIntervalMs,
      staleAfterSeconds: options.staleAfterSeconds ?? JOB_WORKER_DEFAULTS.staleAfterSeconds,
      maxAttempts: options.maxAttempts ?? JOB_WORKER_DEFAULTS.maxAttempts,
      progressIntervalMs: options.progressIntervalMs ?? JOB_WORKER_DEFAULTS.progressIntervalMs,
    };
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    // A job enqueued by this process starts now, not at the next poll.
    this.unsubscribe = onWake(this.db, () => this.wake());
    this.schedule(0);
  }

  wake(): void {
    if (!this.running) return;
    if (this.ticking) this.wakeAsked = true;
    else this.schedule(0);
  }

  // Stops polling and waits for the job in hand to finish; leaves no timer.
  async stop(): Promise<void> {
    this.running = false;
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.ticking;
  }

  // Requeues stale jobs, then runs queued jobs until none is left (or stop()).
  tick(): Promise<void> {
    this.ticking ??= this.drain().finally(() => {
      this.ticking = undefined;
      if (this.running) this.schedule(this.wakeAsked ? 0 : this.settings.pollIntervalMs);
      this.wakeAsked = false;
    });
    return this.ticking;
  }

  // Claims and runs one job; false when the queue had none for this worker.
  async runOnce(): Promise<boolean> {
    const job = await claimJob(this.db, this.workerId, Object.keys(this.handlers));
    if (!job) return false;
    await this.run(job);
    return true;
  }

  private schedule(ms: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.tick();
    }, ms);
  }

  private async drain(): Promise<void> {
    try {
      const stale = await requeueStaleJobs(this.db, this.settings.staleAfterSeconds, this.settings.maxAttempts);
      if (stale.requeued.length > 0 || stale.failed.length > 0) this.logger.warn("recovered jobs of a dead worker", { ...stale });
      while (this.running && (await this.runOnce()));
    } catch (error) {
      // The database being away must not kill the loop: try again next poll.
      this.logger.error("job worker tick failed", { error: (error as Error)?.message ?? String(error) });
    }
  }

  private async run(job: JobRow): Promise<void> {
    const handler = this.handlers[job.kind];
    const started = performance.now();
    this.logger.info("job started", { job: job.id, kind: job.kind, attempt: job.attempts, worker: this.workerId });
    // Writes to the job row, one at a time and in order.
    let writes: Promise<unknown> = Promise.resolve();
    const write = (fn: () => Promise<unknown>) => {
      writes = writes.then(fn).catch((error) => this.logger.warn("job heartbeat failed", { job: job.id, error: (error as Error)?.message }));
    };
    let lastProgressAt = -Infinity;
    const heartbeat = setInterval(() => write(() => heartbeatJob(this.db, job.id, this.workerId)), this.settings.heartbeatIntervalMs);
    const ctx: JobContext = {
      job,
      reportProgress: (fraction) => {
        const now = performance.now();
        if (fraction < 1 && now - lastProgressAt < this.settings.progressIntervalMs) return;
        lastProgressAt = now;
        const clamped = Math.max(0, Math.min(1, fraction));
        write(() => heartbeatJob(this.db, job.id, this.workerId, clamped));
      },
      stillOwned: async () => {
        await writes;
        return ownsJob(this.db, job.id, this.workerId);
      },
    };
    try {
      const result = await handler(job.payload, ctx);
      clearInterval(heartbeat);
      await writes;
      const done = await completeJob(this.db, job.id, this.workerId, result);
      if (done) this.logger.info("job succeeded", { job: job.id, kind: job.kind, seconds: Number(((performance.now() - started) / 1000).toFixed(3)) });
      else this.logger.warn("job finished after it was taken from this worker; result dropped", { job: job.id, worker: this.workerId });
    } catch (error) {
      clearInterval(heartbeat);
      await writes;
      const message = (error as Error)?.message ?? String(error);
      this.logger.warn("job failed", { job: job.id, kind: job.kind, error: message });
      await failJob(this.db, job.id, this.workerId, message);
    }
  }
}
