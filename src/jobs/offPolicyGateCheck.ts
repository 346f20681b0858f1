// The challenger gate's off-policy check (jobs/challengerGate.ts): where the
// `recommendations` surface explores (setExploration), the logged exploring
// traffic of the last OFF_POLICY_WINDOW_MS estimates the CTR@10 that the
// champion and the challenger would each have had (doubly robust,
// services/offPolicyService.ts), and the challenger must not be worse there
// by more than the margin either. Too little traffic (fewer than
// OFF_POLICY_MIN_IMPRESSIONS usable impressions) is no estimate: the
// held-out figures decide alone; so does an estimate whose support is under
// OFF_POLICY_MIN_SUPPORT (the logging policy could not have shown enough of
// the version's slots: the doubly robust estimate there is the click model's
// extrapolation, not the logs').
import type { Config } from "../config";
import type { Database } from "../db/Database";
import { createLoaders } from "../loaders/createLoaders";
import { offPolicyEstimatesOf } from "../services/offPolicyService";
import type { OffPolicyCheck } from "./challengerGate";

export const OFF_POLICY_WINDOW_MS = 7 * 86_400_000;
export const OFF_POLICY_MIN_IMPRESSIONS = 500;
export const OFF_POLICY_MIN_SUPPORT = 0.8;
const K = 10;

export interface OffPolicyGateOptions {
  minImpressions?: number;
  now?: () => Date;
}

export function offPolicyGateCheck(
  db: Database,
  config: Pick<Config, "ratingScale" | "implicitRatings" | "maxInteractionBatch" | "maxUpsertBatch" | "impressions">,
  options: OffPolicyGateOptions = {},
): OffPolicyCheck {
  const minImpressions = options.minImpressions ?? OFF_POLICY_MIN_IMPRESSIONS;
  return async ({ name, champion, challenger }) => {
    const to = options.now?.() ?? new Date();
    const from = new Date(to.getTime() - OFF_POLICY_WINDOW_MS);
    const ctx = { db, loaders: createLoaders(db), config };
    // Both versions on the same logged traffic, read once.
    const [championEstimate, challengerEstimate] = await offPolicyEstimatesOf(ctx, { model: name, versions: [champion.version, challenger.version], surface: "recommendations", from, to, k: K });
    const usable = (e: typeof championEstimate) => e.impressions >= minImpressions && e.doublyRobust.value !== null && (e.support ?? 0) >= OFF_POLICY_MIN_SUPPORT;
    if (!usable(championEstimate) || !usable(challengerEstimate)) return null;
    return {
      metric: `ctr@${championEstimate.k} (doubly robust, ${championEstimate.impressions} impressions)`,
      champion: championEstimate.doublyRobust.value!,
      challenger: challengerEstimate.doublyRobust.value!,
      higherIsBetter: true,
    };
  };
}
