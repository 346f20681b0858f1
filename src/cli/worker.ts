// `npm run worker`: runs only the job worker (no API), against DATABASE_URL
// (or the embedded database). Start as many as you like, on any machine: they
// share the queue in PostgreSQL and never take the same job. A server started
// with MARQUEE_WORKER=false leaves all jobs to them. Stops on SIGINT/SIGTERM
// after the job in hand finishes.
import { loadConfig, ConfigError, type Config } from "../config";
import { openDatabase } from "../app";
import { createLogger } from "../logger";
import { createJobWorker, startImpressionPruner, startRetrainScheduler } from "../jobs/startBackground";
import { retrainEnabled } from "../jobs/retrainScheduler";
import { offPolicyGateCheck } from "../jobs/offPolicyGateCheck";

// The job settings config.ts carries (optional until they land there).
type JobConfig = Config & { jobPollIntervalMs?: number; jobStaleAfterSeconds?: number };

async function main(): Promise<void> {
  const config = loadConfig() as JobConfig;
  const logger = createLogger(config.logLevel);
  const db = await openDatabase(config, logger);
  // Started by a server (jobs/workerProcess.ts): tell it when a version was activated.
  const onActivated = process.send ? async () => void process.send!({ type: "activated" }) : undefined;
  const worker = createJobWorker(db, logger, {
    ratingScale: config.ratingScale,
    implicitRatings: config.implicitRatings,
    trainMemoryBytes: config.trainMemoryMb * 2 ** 20,
    trainThreads: config.trainThreads,
    challengerMargin: config.retrain.margin,
    offPolicyCheck: offPolicyGateCheck(db, config),
    ...(config.jobPollIntervalMs !== undefined ? { jobPollIntervalMs: config.jobPollIntervalMs } : {}),
    ...(config.jobStaleAfterSeconds !== undefined ? { jobStaleAfterSeconds: config.jobStaleAfterSeconds } : {}),
  }, onActivated);
  worker.start();
  // Impression retention runs where the jobs run.
  const pruner = startImpressionPruner(db, logger, config.impressions.retentionMs);
  // Scheduled retraining runs where the worker runs (MARQUEE_RETRAIN_EVERY).
  const scheduler = retrainEnabled(config.retrain) ? startRetrainScheduler(db, logger, config.retrain, worker.workerId) : undefined;
  process.stdout.write(`Marquee worker ${worker.workerId} is taking jobs from ${db.description}\n`);
  // A child of a server stops with it, even if the server was killed.
  process.on("disconnect", () => void stop("disconnect"));
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info("stopping the worker", { signal });
    await pruner?.stop();
    await scheduler?.stop();
    await worker.stop();
    await db.close();
    process.exit(0);
  };
  process.on("SIGINT", () => void stop("SIGINT"));
  process.on("SIGTERM", () => void stop("SIGTERM"));
}

if (require.main === module) {
  main().catch((error) => {
    const known = error instanceof ConfigError;
    process.stderr.write(`worker failed: ${known ? error.message : (error as Error)?.stack ?? String(error)}\n`);
    process.exit(known ? 2 : 1);
  });
}
