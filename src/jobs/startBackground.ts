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
}

export interface Background {
  watcher: ActiveVersionWatcher;
  worker: JobWorker | undefined;
  stop(): Promise<void>;
}

export function createJobWorker(db: Database, logger: Logger, settings: Omit<BackgroundSettings, "worker" | "watchIntervalMs">, onActivated?: () => Promise<void>): JobWorker {
  return new JobWorker(db, { [TRAIN_JOB]: trainJobHandler(db, { ratingScale: settings.ratingScale, ...(settings.implicitRatings ? { implicitRatings: settings.implicitRatings } : {}), ...(settings.trainMemoryBytes ? { memoryBudgetBytes: settings.trainMemoryBytes } : {}), ...(settings.trainThreads ? { threads: settings.trainThreads } : {}), ...(onActivated ? { onActivated } : {}) }) }, {
    logger,
    pollIntervalMs: settings.jobPollIntervalMs ?? JOB_WORKER_DEFAULTS.pollIntervalMs,
    staleAfterSeconds: settings.jobStaleAfterSeconds ?? JOB_WORKER_DEFAULTS.staleAfterSeconds,
    ...(settings.workerId ? { workerId: settings.workerId } : {}),
  });
}

export function startBackground(db: Database, logger: Logger, settings: BackgroundSettings): Background {
  // Each tick also refreshes the running experiments and checks their guardrails.
  const watcher = new ActiveVersionWatcher(db, modelStoreOf(db), { intervalMs: settings.watchIntervalMs ?? DEFAULT_WATCH_INTERVAL_MS, logger, onTick: () => experimentsTick(db, logger) });
  watcher.start();
  const worker = settings.worker ? createJobWorker(db, logger, settings, () => activeVersionsChanged(db)) : undefined;
  worker?.start();
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
    async stop() {
      clearInterval(refresh);
      await worker?.stop();
      await watcher.stop();
    },
  };
}
