// What `experiment(id)` shows: the experiment, each arm's metric (from the
// impression rollups) and what this process observed of it, and the result
// of the always-valid test of every treatment against the control
// (engine/experiments/mixtureSprt.ts). Reading is also when the decision is
// taken: the first read where the evidence holds stores the winner, and it
// sticks; each arm's always-valid p-value is kept as its running minimum.
import type { Database } from "../db/Database";
import { lowerMinPValues, readArmFigures, recordDecision, findExperiment, type ArmFigures, type ExperimentRow } from "../db/experimentRepository";
import { mixtureSprt } from "../engine/experiments/mixtureSprt";
import { decideWinner } from "../engine/experiments/decideWinner";
import { armLabel, experimentRegistryOf } from "../serving/experimentRegistry";
import type { StrategyName } from "../serving/servingAlgorithms";
import { wilsonInterval, type Proportion } from "./wilsonInterval";

// No decision, and no p-value kept, before every arm has this many trials:
// the normal approximation behind the test is poor on fewer.
export const MIN_TRIALS_PER_ARM = 100;
// Guardrails count from this many requests when the experiment names no minimum.
export const DEFAULT_MIN_REQUESTS = 100;
// A latency past the histogram's last bucket is shown as this.
const LATENCY_CAP_MS = 60_000;

export interface ArmView {
  name: string;
  strategy: StrategyName | null;
  model: string | null;
  weight: number;
  impressions: number;
  metric: Proportion;
  requests: number;
  errors: number;
  latencyP99Ms: number | null;
  stoppedAt: Date | null;
  stoppedReason: string | null;
}

export interface ComparisonView {
  arm: string;
  difference: number | null;
  low: number | null;
  high: number | null;
  pValue: number | null;
  significant: boolean;
}

export interface ResultView {
  decided: boolean;
  winner: string | null;
  decidedAt: Date | null;
  summary: string;
  comparisons: ComparisonView[];
}

export interface ExperimentView {
  id: string;
  name: string;
  surface: string;
  status: ExperimentRow["status"];
  metric: ExperimentRow["metric"];
  k: number;
  alpha: number;
  tau: number;
  guardrails: { maxErrorRate: number | null; maxLatencyP99Ms: number | null; minRequests: number };
  isAA: boolean;
  createdAt: Date;
  startedAt: Date | null;
  stoppedAt: Date | null;
  stopReason: string | null;
  // Computed once, when `arms` or `result` is selected.
  evaluation: () => Promise<{ arms: ArmView[]; result: ResultView }>;
}

export function experimentView(db: Database, row: ExperimentRow, now: Date): ExperimentView {
  let evaluated: Promise<{ arms: ArmView[]; result: ResultView }> | undefined;
  const first = row.arms[0];
  return {
    id: String(row.id),
    name: row.name,
    surface: row.surface,
    status: row.status,
    metric: row.metric,
    k: row.k,
    alpha: row.alpha,
    tau: row.tau,
    guardrails: { maxErrorRate: row.guardrails.maxErrorRate ?? null, maxLatencyP99Ms: row.guardrails.maxLatencyP99Ms ?? null, minRequests: row.guardrails.minRequests ?? DEFAULT_MIN_REQUESTS },
    isAA: row.arms.every((a) => a.strategy === first.strategy && a.model === first.model),
    createdAt: row.createdAt,
    startedAt: row.startedAt,
    stoppedAt: row.stoppedAt,
    stopReason: row.stopReason,
    evaluation: () => (evaluated ??= evaluate(db, row, now)),
  };
}

function metricOf(row: ExperimentRow, f: ArmFigures | undefined): Proportion {
  if (!f) return wilsonInterval(0, 0);
  return row.metric === "CLICK_THROUGH" ? wilsonInterval(f.clicksAtK, f.shownAtK) : wilsonInterval(f.purchases, f.impressions);
}

const percent = (v: number | null) => (v === null ? "n/a" : `${(100 * v).toFixed(2)}%`);
const METRIC_NAMES = { CLICK_THROUGH: "click-through", CONVERSION: "conversion" } as const;

async function evaluate(db: Database, row: ExperimentRow, now: Date): Promise<{ arms: ArmView[]; result: ResultView }> {
  const labels = row.arms.map((a) => armLabel(row.name, a.name));
  const figures = row.startedAt ? await readArmFigures(db, row.surface, labels, row.startedAt, row.k) : [];
  const byLabel = new Map(figures.map((f) => [f.label, f]));
  const registry = experimentRegistryOf(db);
  const arms: ArmView[] = row.arms.map((a, i) => {
    const f = byLabel.get(labels[i]);
    const guard = registry.peekGuard(labels[i]);
    const p99 = guard?.quantileMs(0.99) ?? null;
    return {
      name: a.name,
      strategy: a.strategy as StrategyName | null,
      model: a.model,
      weight: a.weight,
      impressions: f?.impressions ?? 0,
      metric: metricOf(row, f),
      requests: guard?.requests ?? 0,
      errors: guard?.errors ?? 0,
      latencyP99Ms: p99 === null ? null : Math.round(Math.min(p99, LATENCY_CAP_MS) * 100) / 100,
      stoppedAt: a.stoppedAt,
      stoppedReason: a.stopReason,
    };
  });

  // Each treatment against the control, at alpha split over the treatments.
  const level = row.alpha / (row.arms.length - 1);
  const control = arms[0].metric;
  const lowered: { arm: string; pValue: number }[] = [];
  const tests = arms.slice(1).map((arm, j) => {
    const stored = row.arms[j + 1].minPValue;
    const t = arm.metric;
    if (!(t.trials > 0 && control.trials > 0)) {
      return { view: { arm: arm.name, difference: null, low: null, high: null, pValue: stored, significant: stored !== null && stored <= level }, trials: t.trials, stopped: arm.stoppedAt !== null };
    }
    const test = mixtureSprt(t, control, row.tau, level);
    const enough = t.trials >= MIN_TRIALS_PER_ARM && control.trials >= MIN_TRIALS_PER_ARM;
    let pValue = stored;
    if (enough && (stored === null || test.pValue < stored)) {
      pValue = test.pValue;
      lowered.push({ arm: arm.name, pValue });
    }
    return {
      view: { arm: arm.name, difference: test.difference, low: test.low, high: test.high, pValue: pValue ?? test.pValue, significant: pValue !== null && pValue <= level },
      trials: t.trials,
      stopped: arm.stoppedAt !== null,
    };
  });
  if (lowered.length > 0 && row.status === "RUNNING") await lowerMinPValues(db, row.id, lowered);

  let winner = row.winnerArm;
  let decidedAt = row.decidedAt;
  let why: string | null = null;
  if (!row.startedAt) why = "the experiment has not started";
  else if (winner === null) {
    const decision = decideWinner(
      { arm: arms[0].name, trials: control.trials },
      tests.map((t) => ({ arm: t.view.arm, difference: t.view.difference ?? 0, trials: t.trials, significant: t.view.significant, stopped: t.stopped })),
      MIN_TRIALS_PER_ARM,
    );
    why = decision.why;
    if (decision.winner !== null && row.status === "RUNNING") {
      if (await recordDecision(db, row.id, decision.winner, now)) {
        winner = decision.winner;
        decidedAt = now;
      } else {
        // Another read decided first: its decision stands.
        const stored = await findExperiment(db, row.id);
        winner = stored?.winnerArm ?? decision.winner;
        decidedAt = stored?.decidedAt ?? now;
      }
    }
  }
  const metricName = METRIC_NAMES[row.metric];
  const summary =
    winner !== null
      ? winner === arms[0].name
        ? `${winner} (the control) wins: every treatment's ${metricName} is significantly lower (control ${percent(control.value)})`
        : `${winner} wins: ${metricName} ${percent(arms.find((a) => a.name === winner)!.metric.value)} against ${percent(control.value)} for the control ${arms[0].name}`
      : `no winner yet: ${why ?? "the evidence does not hold"}`;
  return { arms, result: { decided: winner !== null, winner, decidedAt, summary, comparisons: tests.map((t) => t.view) } };
}
