// The periodic experiment check of each server process (on the
// active-version watch tick): refresh the running experiments, then stop
// any treatment arm whose error rate or latency p99, as this process
// measured it over at least minRequests requests, breaks its guardrail.
// The control is not stopped: it is what the surface serves without the
// experiment, and what a stopped arm's users are served from then on. Each
// replica judges its own traffic; the first to see a breach stops the arm
// for all (they follow on their next tick).
import type { Database } from "../db/Database";
import type { Logger } from "../logger";
import { stopArm } from "../db/experimentRepository";
import { experimentRegistryOf, type RunningExperiment } from "../serving/experimentRegistry";
import type { ArmGuard } from "../serving/armGuard";
import { DEFAULT_MIN_REQUESTS } from "./experimentView";

const count = (n: number) => n.toLocaleString("en-US");
const ms = (v: number) => (Number.isFinite(v) ? `${Math.round(v * 10) / 10}` : "over 60,000");

// Why the arm breaks a guardrail, or null.
export function guardrailBreach(guardrails: RunningExperiment["guardrails"], guard: ArmGuard): string | null {
  const minRequests = guardrails.minRequests ?? DEFAULT_MIN_REQUESTS;
  if (guard.requests < minRequests) return null;
  const breaches: string[] = [];
  if (guardrails.maxErrorRate !== undefined && guard.errorRate > guardrails.maxErrorRate) {
    breaches.push(`error rate ${(100 * guard.errorRate).toFixed(2)}% > ${(100 * guardrails.maxErrorRate).toFixed(2)}%`);
  }
  const p99 = guard.quantileMs(0.99);
  if (guardrails.maxLatencyP99Ms !== undefined && p99 !== null && p99 > guardrails.maxLatencyP99Ms) {
    breaches.push(`latency p99 ${ms(p99)} ms > ${guardrails.maxLatencyP99Ms} ms`);
  }
  return breaches.length > 0 ? `${breaches.join(" and ")} over ${count(guard.requests)} requests` : null;
}

export async function checkGuardrails(db: Database, logger: Logger, now: Date = new Date()): Promise<number> {
  const registry = experimentRegistryOf(db);
  let stopped = 0;
  for (const experiment of registry.all()) {
    for (const arm of experiment.arms.slice(1)) {
      const guard = registry.peekGuard(arm.label);
      if (arm.stopped || !guard) continue;
      const reason = guardrailBreach(experiment.guardrails, guard);
      if (reason === null) continue;
      if (await stopArm(db, experiment.id, arm.name, now, reason)) {
        stopped++;
        logger.warn("a guardrail stopped an experiment arm; its users are served as the control", { experiment: experiment.name, arm: arm.name, reason });
      }
    }
  }
  if (stopped > 0) await registry.refreshSerially();
  return stopped;
}

// The watch tick's part for experiments.
export async function experimentsTick(db: Database, logger: Logger): Promise<void> {
  await experimentRegistryOf(db).refreshSerially();
  await checkGuardrails(db, logger);
}
