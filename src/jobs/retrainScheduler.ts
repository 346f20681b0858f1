// Continuous training (MARQUEE_RETRAIN_EVERY): wherever a job worker runs,
// this loop checks every pollIntervalMs — one small statement — whether a
// round is due: `everyMs` since the last round started, or `everyInteractions`
// recorded since. A due round is claimed in the database (retrainRepository:
// one worker wins however many check at once) and queues, in the same
// transaction, a challenger training job for every trainable model with an
// active version: the champion's recipe (its given parameters and seed) on
// the data as it is now. The challenger gate (challengerGate.ts) decides
// whether each new version is served. A model whose training is already
// queued or running is skipped for that round.
import type { Database } from "../db/Database";
import { claimRetrainRound, retrainState, type ActiveVersionRecipe, type PlannedJob, type RetrainRoundRow, type RetrainState } from "../db/retrainRepository";
import type { Logger } from "../logger";
import { findServingAlgorithm } from "../serving/servingAlgorithms";
import { checkParams, effectiveParams, ParamError } from "../serving/trainingParams";
import { wakeWorkers } from "./jobSignals";
import { DEFAULT_TRAIN_SEED } from "./modelAdmin";
import { TRAIN_JOB, type TrainJobPayload } from "./trainJob";

export interface RetrainSchedule {
  everyMs: number | undefined;
  everyInteractions: number | undefined;
  pollIntervalMs: number;
}

export function retrainEnabled(schedule: Pick<RetrainSchedule, "everyMs" | "everyInteractions">): boolean {
  return schedule.everyMs !== undefined || schedule.everyInteractions !== undefined;
}

// "6h", "90m", "45s", "1500ms": the largest unit that divides it.
export function formatInterval(ms: number): string {
  for (const [unit, size] of [["d", 86_400_000], ["h", 3_600_000], ["m", 60_000], ["s", 1000]] as const) {
    if (ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}

// Why a round is due now, or null; `state.last` is the round before.
export function dueTrigger(schedule: Pick<RetrainSchedule, "everyMs" | "everyInteractions">, state: RetrainState): string | null {
  const last = state.last;
  if (!last) return null;
  if (schedule.everyInteractions !== undefined && state.newInteractions >= schedule.everyInteractions) {
    return `${state.newInteractions} new interactions since round ${last.round} (every ${schedule.everyInteractions})`;
  }
  if (schedule.everyMs !== undefined && state.now.getTime() - last.startedAt.getTime() >= schedule.everyMs) {
    return `${formatInterval(schedule.everyMs)} since round ${last.round}`;
  }
  return null;
}

// The jobs of a round: one challenger per trainable active model not already training.
export function planChallengers(active: readonly ActiveVersionRecipe[], round: number, logger?: Logger): PlannedJob[] {
  return active.flatMap((v) => {
    const entry = findServingAlgorithm(v.name);
    if (!entry || v.busy) return [];
    let params = v.givenParams;
    try {
      effectiveParams(entry, checkParams(entry, params));
    } catch (error) {
      if (!(error instanceof ParamError)) throw error;
      // Parameters this code no longer accepts: retrain with the defaults rather than not at all.
      logger?.warn("the champion's training parameters are no longer valid; the challenger uses the defaults", { model: v.name, version: v.version, error: error.message });
      params = {};
    }
    const payload: TrainJobPayload = { name: v.name, activate: true, seed: v.seed ?? DEFAULT_TRAIN_SEED, params, challenge: true, round };
    return [{ kind: TRAIN_JOB, payload: { ...payload } }];
  });
}

export class RetrainScheduler {
  private timer: NodeJS.Timeout | undefined;
  private checking: Promise<unknown> | undefined;
  private running = false;
  private readonly logger: Logger;
  private readonly claimedBy: string;

  constructor(
    private readonly db: Database,
    private readonly schedule: RetrainSchedule,
    options: { logger: Logger; claimedBy: string },
  ) {
    this.logger = options.logger;
    this.claimedBy = options.claimedBy;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.plan(0);
  }

  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.checking;
  }

  // One check: starts the schedule (round 0) if it has none, or claims and
  // queues a due round; returns the round this worker claimed, if any.
  async check(): Promise<RetrainRoundRow | null> {
    const state = await retrainState(this.db, this.schedule.everyInteractions ?? 0);
    if (!state.last) {
      const started = await claimRetrainRound(this.db, 0, "schedule started", this.claimedBy, () => []);
      if (started) this.logger.info("retraining schedule started", { every: this.describe(), worker: this.claimedBy });
      return started;
    }
    const trigger = dueTrigger(this.schedule, state);
    if (!trigger) return null;
    const round = state.last.round + 1;
    const claimed = await claimRetrainRound(this.db, round, trigger, this.claimedBy, (active) => planChallengers(active, round, this.logger));
    if (!claimed) {
      this.logger.debug("another worker claimed the retraining round", { round });
      return null;
    }
    this.logger.info("retraining round queued challengers", { round, trigger, jobs: claimed.jobIds, worker: this.claimedBy });
    if (claimed.jobIds.length > 0) wakeWorkers(this.db);
    return claimed;
  }

  private describe(): string {
    return [this.schedule.everyMs !== undefined ? formatInterval(this.schedule.everyMs) : null, this.schedule.everyInteractions !== undefined ? `${this.schedule.everyInteractions} interactions` : null]
      .filter((x) => x !== null)
      .join(", ");
  }

  private plan(ms: number): void {
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.checking = this.check()
        .catch((error) => this.logger.warn("could not check the retraining schedule", { error: (error as Error)?.message ?? String(error) }))
        .finally(() => {
          this.checking = undefined;
          if (this.running) this.plan(this.schedule.pollIntervalMs);
        });
    }, ms);
    this.timer.unref?.();
  }
}
