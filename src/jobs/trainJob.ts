// The "train" job: train one model on everything in the database (the same
// trainModel the CLI runs), then activate the new version when asked, or,
// for a challenger, let the challenger gate decide (challengerGate.ts).
import type { ImplicitRatingRule } from "../engine/data/implicitRatings";
import type { Database } from "../db/Database";
import { activateModelVersion } from "../db/modelRepository";
import { trainModel } from "../serving/trainModel";
import type { Logger } from "../logger";
import { challengeChampion, type OffPolicyCheck } from "./challengerGate";
import type { JobHandler } from "./JobWorker";

export const TRAIN_JOB = "train";

export interface TrainJobPayload {
  name: string;
  activate: boolean;
  seed: number;
  // The caller's training parameters, checked when the job was queued
  // (trainModel checks them again); absent in jobs queued before they existed.
  params?: Record<string, unknown>;
  // A challenger: activated only if the gate finds it not worse than the
  // champion by more than the margin (then `activate` is not used).
  challenge?: boolean;
  // The scheduled retraining round that queued it (retrainScheduler.ts).
  round?: number;
}

export interface TrainJobOptions {
  ratingScale: { min: number; max: number };
  implicitRatings?: ImplicitRatingRule;
  memoryBudgetBytes?: number;
  threads?: number;
  // Called after this worker activated a version: the server's own replica
  // reloads at once instead of at its watcher's next tick.
  onActivated?: () => Promise<void>;
  // The challenger gate's margin (MARQUEE_CHALLENGER_MARGIN; default 0.02).
  challengerMargin?: number;
  // The gate's extension point for an off-policy estimate (challengerGate.ts).
  offPolicyCheck?: OffPolicyCheck;
  logger?: Logger;
}

export const DEFAULT_CHALLENGER_MARGIN = 0.02;

export function trainJobHandler(db: Database, options: TrainJobOptions): JobHandler {
  return async (payload, ctx) => {
    const { name, activate, seed, params, challenge } = payload as unknown as TrainJobPayload;
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
    if ((activate || challenge) && !(await ctx.stillOwned())) throw new Error(`job ${ctx.job.id} was taken over by another worker; version ${trained.version.version} saved but not activated`);
    const decided = challenge
      ? await challengeChampion(db, trained.version, {
          margin: options.challengerMargin ?? DEFAULT_CHALLENGER_MARGIN,
          ...(options.logger ? { logger: options.logger } : {}),
          ...(options.offPolicyCheck ? { offPolicyCheck: options.offPolicyCheck } : {}),
        })
      : null;
    const activated = decided ? (decided.isActive ? decided : null) : activate ? await activateModelVersion(db, name, trained.version.version) : null;
    if (activated) await options.onActivated?.();
    return {
      model: name,
      version: trained.version.version,
      algorithm: trained.version.algorithm,
      activated: activated !== null,
      params: trained.version.params,
      metrics: trained.version.metrics,
      dataStats: trained.dataStats,
      ...(decided?.challenge ? { challenge: { outcome: decided.challenge.outcome, reason: decided.challenge.reason, championVersion: decided.challenge.championVersion } } : {}),
    };
  };
}
