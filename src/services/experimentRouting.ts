// A request of an experiment's surface without an explicit strategy follows
// the user's arm: its strategy, or exactly its model version. The arm comes
// from hashing (experiment id, user id) over the running experiments this
// process holds in memory: no SQL statement and no write per request.
// Anonymous requests (no known user) are outside experiments; so is a
// request that names its strategy. A user of an arm a guardrail stopped, or
// whose model version could not be loaded, is served (and logged) as the
// control. Each routed call is timed and counted for the guardrails.
import type { UserRow } from "../db/rows";
import type { ServedModel } from "../serving/ServedModel";
import type { StrategyName } from "../serving/servingAlgorithms";
import type { ArmGuard } from "../serving/armGuard";
import type { Database } from "../db/Database";
import { assignArm } from "../engine/experiments/assignArm";
import { experimentRegistryOf, type RunningArm } from "../serving/experimentRegistry";
import { modelStoreOf } from "../serving/ModelStore";
import { strategyOfModel } from "./strategyFallback";
import type { ExperimentSurface } from "./experimentInput";

export interface ArmRoute {
  strategy: StrategyName;
  // The arm's model version (an arm with a model).
  pinned: ServedModel | undefined;
  experiment: string;
  arm: string;
  guard: ArmGuard;
}

export function routeToArm(db: Database, surface: ExperimentSurface, user: UserRow | null): ArmRoute | undefined {
  if (!user) return undefined;
  const registry = experimentRegistryOf(db);
  const experiment = registry.running(surface);
  if (!experiment) return undefined;
  const store = modelStoreOf(db);
  const servedBy = (arm: RunningArm) => (arm.model ? store.version(arm.model.name, arm.model.version) : undefined);
  const servable = (arm: RunningArm) => !arm.stopped && (!arm.model || servedBy(arm) !== undefined);
  let arm = experiment.arms[assignArm(experiment.id, user.externalId, experiment.weights)];
  if (!servable(arm)) arm = experiment.arms[0];
  // Not even the control can serve (its version failed to load): outside the experiment.
  if (!servable(arm)) return undefined;
  return {
    strategy: arm.strategy ?? strategyOfModel(arm.model!.name),
    pinned: servedBy(arm),
    experiment: experiment.name,
    arm: arm.name,
    guard: registry.guard(arm.label),
  };
}

// Runs the arm's recommend call, counting its latency and whether it failed.
export async function observed<T>(route: ArmRoute | undefined, call: () => Promise<T>): Promise<T> {
  if (!route) return call();
  const started = performance.now();
  let failed = true;
  try {
    const result = await call();
    failed = false;
    return result;
  } finally {
    route.guard.observe(performance.now() - started, failed);
  }
}
