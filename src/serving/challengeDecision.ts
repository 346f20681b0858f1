// The challenger gate's rule, pure: whether a newly trained version (the
// challenger) may replace the active one (the champion), from the held-out
// figures both carry (holdoutEvaluation.ts) and, where one exists, an
// off-policy estimate of both. A challenger may be worse than the champion by
// at most `margin`, relative: retraining on fresh data moves held-out figures
// by noise as well as signal, and a gate that demands strict improvement
// would freeze a model whose data keeps changing under it.
//   ranking models: nDCG@10, higher is better: challenger >= champion·(1 − margin);
//   rating models:  RMSE, lower is better:     challenger <= champion·(1 + margin).
// No champion: the challenger is promoted. A challenger without the gate
// metric (too few interactions to hold any out) is refused; a champion
// without it (imported, or trained without the held-out check) cannot
// defend itself, and the challenger is promoted.

export type ChallengeOutcome = "PROMOTED" | "REFUSED";

// Champion and challenger on one figure of an off-policy estimator (e.g. the
// estimated CTR from logged impressions); higherIsBetter defaults to true.
export interface OffPolicyFigures {
  metric: string;
  champion: number;
  challenger: number;
  higherIsBetter?: boolean;
}

export interface ChallengeDecision {
  outcome: ChallengeOutcome;
  // One line with the figures, e.g. "ndcg@10 0.1012 < champion v3's 0.2310 - 2%".
  reason: string;
  // The gate metric and both values; null where there was nothing to compare.
  metric: string;
  challenger: number | null;
  champion: number | null;
  margin: number;
  championVersion: number | null;
  offPolicy: Required<OffPolicyFigures> | null;
}

export interface ChallengeInput {
  // A rating model (served for predicted ratings): gated on RMSE.
  explicit: boolean;
  margin: number;
  challengerMetrics: Readonly<Record<string, unknown>>;
  champion: { version: number; metrics: Readonly<Record<string, unknown>> } | null;
  offPolicy?: OffPolicyFigures | null;
}

export function gateMetricOf(explicit: boolean): { metric: string; higherIsBetter: boolean } {
  return explicit ? { metric: "rmse", higherIsBetter: false } : { metric: "ndcg@10", higherIsBetter: true };
}

// Whether `challenger` is within `margin` of `champion` (or better).
export function withinMargin(challenger: number, champion: number, margin: number, higherIsBetter: boolean): boolean {
  return higherIsBetter ? challenger >= champion * (1 - margin) : challenger <= champion * (1 + margin);
}

export function formatMargin(margin: number): string {
  return `${Number((margin * 100).toFixed(4))}%`;
}

const figure = (x: number) => x.toFixed(4);

function comparison(metric: string, challenger: number, champion: number, margin: number, higherIsBetter: boolean, championName: string): { ok: boolean; text: string } {
  const ok = withinMargin(challenger, champion, margin, higherIsBetter);
  const sign = higherIsBetter ? (ok ? ">=" : "<") : ok ? "<=" : ">";
  return { ok, text: `${metric} ${figure(challenger)} ${sign} ${championName} ${figure(champion)} ${higherIsBetter ? "-" : "+"} ${formatMargin(margin)}` };
}

const numberIn = (metrics: Readonly<Record<string, unknown>>, key: string): number | undefined => {
  const v = metrics[key];
  return typeof v === "number" && Number.isFinite(v) ? v : undefined;
};

export function decideChallenge(input: ChallengeInput): ChallengeDecision {
  const { metric, higherIsBetter } = gateMetricOf(input.explicit);
  const challenger = numberIn(input.challengerMetrics, metric) ?? null;
  const champion = input.champion ? (numberIn(input.champion.metrics, metric) ?? null) : null;
  const base = { metric, challenger, champion, margin: input.margin, championVersion: input.champion?.version ?? null, offPolicy: null };
  if (!input.champion) return { ...base, outcome: "PROMOTED", reason: "no champion: no version was active" };
  const championName = `champion v${input.champion.version}'s`;
  if (challenger === null) return { ...base, outcome: "REFUSED", reason: `the challenger has no held-out ${metric} (too few interactions to hold any out)` };
  if (champion === null) return { ...base, outcome: "PROMOTED", reason: `champion v${input.champion.version} has no held-out ${metric} to compare with` };
  const held = comparison(metric, challenger, champion, input.margin, higherIsBetter, championName);
  const off = input.offPolicy ? { ...input.offPolicy, higherIsBetter: input.offPolicy.higherIsBetter ?? true } : null;
  const estimated = off ? comparison(`off-policy ${off.metric}`, off.challenger, off.champion, input.margin, off.higherIsBetter, "champion's") : null;
  const ok = held.ok && (estimated?.ok ?? true);
  return { ...base, offPolicy: off, outcome: ok ? "PROMOTED" : "REFUSED", reason: estimated ? `${held.text}; ${estimated.text}` : held.text };
}
