// What a server process runs beside the API: the active-version watcher
// (always: every replica must follow activations) and, unless the worker
// runs as its own process (`npm run worker`), an in-process job worker.
import type { ImplicitRatingRule } from "../engine/data/implicitRatings";
import type { Database } from "../db/Database";
import type { Logger } from "../logger";
import { ActiveVersionWatcher, activeVersionsChanged, DEFAULT_WATCH_INTERVAL_MS } from "../serving/activeVersionWatcher";
import { modelStoreOf } from "../serving/ModelStore";
import { catalogCacheOf } from "../loaders/catalogCache";
import { JobWorker, JOB_WORKER_DEFAULTS } from "./JobWorker";
import { TRAIN_JOB, trainJobHandler } from "./trainJob";
import { ImpressionPruner } from "./impressionPruner";
import type { OffPolicyCheck } from "./challengerGate";
import { RetrainScheduler, retrainEnabled, type RetrainSchedule } from "./retrainScheduler";
import { experimentsTick } from "../services/experimentGuardrails";

export interface BackgroundSettings {
  // Run a job worker in this process.
  worker: boolean;
  watchIntervalMs?: number;
  jobPollIntervalMs?: number;
  jobStaleAfterSeconds?: number;
  ratingScale: { min: number; max: number };
  implicitRatings?: ImplicitRatingRule;
  // MARQUEE_TRAIN_MEMORY_MB in bytes (trainModel's default when absent).
  trainMemoryBytes?: number;
  trainThreads?: number;
  workerId?: string;
  // MARQUEE_IMPRESSION_RETENTION (ms; 0 or absent: keep impressions for ever);
  // pruned where the job worker runs.
  impressionRetentionMs?: number;
  // The challenger gate (MARQUEE_CHALLENGER_MARGIN) and its off-policy
  // extension point (jobs/challengerGate.ts), used by training jobs.
  challengerMargin?: number;
  offPolicyCheck?: OffPolicyCheck;
  // Scheduled retraining (MARQUEE_RETRAIN_EVERY): runs beside the job worker.
  retrain?: RetrainSchedule;
}

export interface Background {
  watcher: ActiveVersionWatcher;
  worker: JobWorker | undefined;
  pruner: ImpressionPruner | undefined;
  scheduler: RetrainScheduler | undefined;
  stop(): Promise<void>;
}

export function createJobWorker(db: Database, logger: Logger, settings: Omit<BackgroundSettings, "worker" | "watchIntervalMs">, onActivated?: () => Promise<void>): JobWorker {
  const train = trainJobHandler(db, {
    ratingScale: settings.ratingScale,
    logger,
    ...(settings.implicitRatings ? { implicitRatings: settings.implicitRatings } : {}),
    ...(settings.trainMemoryBytes ? { memoryBudgetBytes: settings.trainMemoryBytes } : {}),
    ...(settings.trainThreads ? { threads: settings.trainThreads } : {}),
    ...(onActivated ? { onActivated } : {}),
    ...(settings.challengerMargin !== undefined ? { challengerMargin: settings.challengerMargin } : {}),
    ...(settings.offPolicyCheck ? { offPolicyCheck: settings.offPolicyCheck } : {}),
  });
  return new JobWorker(db, { [TRAIN_JOB]: train }, {
    logger,
    pollIntervalMs: settings.jobPollIntervalMs ?? JOB_WORKER_DEFAULTS.pollIntervalMs,
    staleAfterSeconds: settings.jobStaleAfterSeconds ?? JOB_WORKER_DEFAULTS.staleAfterSeconds,
    ...(settings.workerId ? { workerId: settings.workerId } : {}),
  });
}

// Retention runs beside the job worker (in a server, or `npm run worker`).
export function startImpressionPruner(db: Database, logger: Logger, retentionMs: number | undefined): ImpressionPruner | undefined {
  if (!retentionMs || retentionMs <= 0) return undefined;
  const pruner = new ImpressionPruner(db, { retentionMs, logger });
  pruner.start();
  return pruner;
}

export function startRetrainScheduler(db: Database, logger: Logger, schedule: RetrainSchedule, workerId: string): RetrainScheduler {
  const scheduler = new RetrainScheduler(db, schedule, { logger, claimedBy: workerId });
  scheduler.start();
  return scheduler;
}

export function startBackground(db: Database, logger: Logger, settings: BackgroundSettings): Background {
  // Each tick also refreshes the running experiments and checks their guardrails.
  const watcher = new ActiveVersionWatcher(db, modelStoreOf(db), { intervalMs: settings.watchIntervalMs ?? DEFAULT_WATCH_INTERVAL_MS, logger, onTick: () => experimentsTick(db, logger) });
  watcher.start();
  const worker = settings.worker ? createJobWorker(db, logger, settings, () => activeVersionsChanged(db)) : undefined;
  worker?.start();
  const pruner = worker ? startImpressionPruner(db, logger, settings.impressionRetentionMs) : undefined;
  // The schedule runs where the worker runs: a server without a worker leaves it to `npm run worker`.
  const scheduler = worker && settings.retrain && retrainEnabled(settings.retrain) ? startRetrainScheduler(db, logger, settings.retrain, worker.workerId) : undefined;
  // Other replicas' item upserts reach this one's catalog cache within an interval.
  const cache = catalogCacheOf(db);
  const refresh = cache
    ? setInterval(() => {
        cache.refresh(db).catch((error) => logger.warn("could not check the catalog for changes", { error: (error as Error)?.message }));
      }, settings.watchIntervalMs ?? DEFAULT_WATCH_INTERVAL_MS)
    : undefined;
  refresh?.unref();
  return {
    watcher,
    worker,
    pruner,
    scheduler,
    async stop() {
      clearInterval(refresh);
      await pruner?.stop();
      await scheduler?.stop();
      await worker?.stop();
      await watcher.stop();
    },
  };
}
