// The "train" job: train one model on everything in the database (the same
// trainModel the CLI runs), then activate the new version when asked.
import type { ImplicitRatingRule } from "../engine/data/implicitRatings";
import type { Database } from "../db/Database";
import { activateModelVersion } from "../db/modelRepository";
import { trainModel } from "../serving/trainModel";
import type { JobHandler } from "./JobWorker";

export const TRAIN_JOB = "train";

export interface TrainJobPayload {
  name: string;
  activate: boolean;
  seed: number;
  // The caller's training parameters, checked when the job was queued
  // (trainModel checks them again); absent in jobs queued before they existed.
  params?: Record<string, unknown>;
}

export interface TrainJobOptions {
  ratingScale: { min: number; max: number };
  implicitRatings?: ImplicitRatingRule;
  memoryBudgetBytes?: number;
  threads?: number;
  // Called after this worker activated a version: the server's own replica
  // reloads at once instead of at its watcher's next tick.
  onActivated?: () => Promise<void>;
}

export function trainJobHandler(db: Database, options: TrainJobOptions): JobHandler {
  return async (payload, ctx) => {
    const { name, activate, seed, params } = payload as unknown as TrainJobPayload;
    const trained = await trainModel(db, name, {
      seed,
      ratingScale: options.ratingScale,
      ...(options.implicitRatings ? { implicitRatings: options.implicitRatings } : {}),
      onProgress: ctx.reportProgress,
      ...(options.memoryBudgetBytes ? { memoryBudgetBytes: options.memoryBudgetBytes } : {}),
      ...(options.threads ? { threads: options.threads } : {}),
      ...(params ? { params } : {}),
    });
    // A worker whose job was requeued (it missed heartbeats while fitting)
    // keeps its trained version but must not activate it: the job's new
    // owner decides.
    if (activate && !(await ctx.stillOwned())) throw new Error(`job ${ctx.job.id} was taken over by another worker; version ${trained.version.version} saved but not activated`);
    const activated = activate ? await activateModelVersion(db, name, trained.version.version) : null;
    if (activated) await options.onActivated?.();
    return {
      model: name,
      version: trained.version.version,
      algorithm: trained.version.algorithm,
      activated: activated !== null,
      params: trained.version.params,
      metrics: trained.version.metrics,
      dataStats: trained.dataStats,
    };
  };
}
