// The retraining schedule as `retrainSchedule` shows it: what is configured,
// the last round, how many interactions arrived since (counted up to the
// threshold) and when the interval makes the next round due. One statement.
import type { RetrainConfig } from "../config";
import type { Database } from "../db/Database";
import { retrainState, type RetrainRoundRow } from "../db/retrainRepository";
import { formatInterval, retrainEnabled } from "./retrainScheduler";

export interface RetrainScheduleView {
  enabled: boolean;
  every: string | null;
  intervalSeconds: number | null;
  interactions: number | null;
  margin: number;
  lastRound: RetrainRoundRow | null;
  newInteractions: number | null;
  nextDueAt: Date | null;
}

export async function retrainScheduleView(db: Database, config: RetrainConfig): Promise<RetrainScheduleView> {
  const enabled = retrainEnabled(config);
  const state = await retrainState(db, config.everyInteractions ?? 0);
  const last = state.last;
  const every = [config.everyMs !== undefined ? formatInterval(config.everyMs) : null, config.everyInteractions !== undefined ? `${config.everyInteractions} interactions` : null].filter((x) => x !== null).join(", ");
  return {
    enabled,
    every: enabled ? every : null,
    intervalSeconds: config.everyMs !== undefined ? config.everyMs / 1000 : null,
    interactions: config.everyInteractions ?? null,
    margin: config.margin,
    lastRound: last,
    newInteractions: config.everyInteractions !== undefined && last ? state.newInteractions : null,
    nextDueAt: enabled && config.everyMs !== undefined && last ? new Date(last.startedAt.getTime() + config.everyMs) : null,
  };
}
