// The challenger gate as the training job runs it: a version trained with
// `challenge` (trainModel's argument; every scheduled round) is compared with
// the champion, the version active when it finished training, by the rule in
// serving/challengeDecision.ts; the decision is stored on the version (and
// shown by `models`, the dashboard and the logs), and a PROMOTED challenger
// is activated in the same transaction.
import type { Database } from "../db/Database";
import { activeModelVersion, recordChallengeDecision, type ModelVersionRow } from "../db/modelRepository";
import type { Logger } from "../logger";
import { decideChallenge, type OffPolicyFigures } from "../serving/challengeDecision";
import { findServingAlgorithm } from "../serving/servingAlgorithms";

// EXTENSION POINT: an off-policy estimate of champion and challenger (e.g.
// the CTR each would get, estimated from logged impressions by IPS / SNIPS /
// doubly robust). Given to the job worker (BackgroundSettings.offPolicyCheck,
// createJobWorker), it is called once per challenge that has a champion.
// Return null when there is no estimate (too little logged traffic, a
// surface without exploration): the held-out figures alone decide. When it
// returns figures, the challenger must also be within the margin there. A
// check that throws is logged and counts as no estimate; the stored reason
// says so.
export type OffPolicyCheck = (versions: { name: string; champion: ModelVersionRow; challenger: ModelVersionRow }) => Promise<OffPolicyFigures | null>;

export interface ChallengeOptions {
  // MARQUEE_CHALLENGER_MARGIN.
  margin: number;
  logger?: Logger;
  offPolicyCheck?: OffPolicyCheck;
}

// Decides on `challenger`, stores the decision, activates it when PROMOTED;
// returns the version as stored after that.
export async function challengeChampion(db: Database, challenger: ModelVersionRow, options: ChallengeOptions): Promise<ModelVersionRow> {
  const { name, version } = challenger;
  const explicit = findServingAlgorithm(name)?.explicit ?? false;
  const champion = await activeModelVersion(db, name);
  let offPolicy: OffPolicyFigures | null = null;
  let offPolicyFailure: string | undefined;
  if (champion && options.offPolicyCheck) {
    try {
      offPolicy = await options.offPolicyCheck({ name, champion, challenger });
    } catch (error) {
      offPolicyFailure = (error as Error)?.message ?? String(error);
      options.logger?.warn("the off-policy check failed; the held-out figures decide alone", { model: name, version, error: offPolicyFailure });
    }
  }
  const decided = decideChallenge({
    explicit,
    margin: options.margin,
    challengerMetrics: challenger.metrics,
    champion: champion ? { version: champion.version, metrics: champion.metrics } : null,
    offPolicy,
  });
  const decision = offPolicyFailure === undefined ? decided : { ...decided, reason: `${decided.reason}; off-policy check failed: ${offPolicyFailure}` };
  const stored = await recordChallengeDecision(db, name, version, decision);
  if (!stored) throw new Error(`challenger ${name} v${version} disappeared before the gate decided`);
  const fields = { model: name, version, outcome: decision.outcome, reason: decision.reason, champion: decision.championVersion };
  if (decision.outcome === "PROMOTED") options.logger?.info("challenger promoted", fields);
  else options.logger?.warn("challenger refused; the champion keeps serving", fields);
  return stored;
}
