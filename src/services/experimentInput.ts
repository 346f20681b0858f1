// Checks createExperiment's input; every problem is BAD_USER_INPUT naming
// the field (`input.arms[1].model`) and the value.
import type { Database } from "../db/Database";
import type { ExperimentMetric, Guardrails, NewExperiment } from "../db/experimentRepository";
import { listModelVersions } from "../db/modelRepository";
import { BadUserInputError } from "../graphql/errors";
import { findServingAlgorithm, STRATEGY_MODELS, type StrategyName } from "../serving/servingAlgorithms";
import { parseModelLabel } from "../serving/experimentRegistry";
import { checkText } from "./validation";

// The surfaces whose requests an experiment can route.
export const EXPERIMENT_SURFACES = ["recommendations", "upNext"] as const;
export type ExperimentSurface = (typeof EXPERIMENT_SURFACES)[number];

const MAX_ARMS = 20;

export interface CreateExperimentInput {
  name: string;
  surface?: string | null;
  metric?: ExperimentMetric | null;
  k?: number | null;
  alpha?: number | null;
  tau?: number | null;
  arms: readonly { name: string; strategy?: StrategyName | null; model?: string | null; weight: number }[];
  guardrails?: { maxErrorRate?: number | null; maxLatencyP99Ms?: number | null; minRequests?: number | null } | null;
}

export async function checkExperimentInput(db: Database, input: CreateExperimentInput): Promise<NewExperiment> {
  const name = checkText("input.name", input.name, 100);
  if (name.includes("/")) throw new BadUserInputError("input.name", name, "must not contain '/' (it separates experiment and arm in the online metrics)");
  const surface = input.surface ?? "recommendations";
  if (!(EXPERIMENT_SURFACES as readonly string[]).includes(surface)) {
    throw new BadUserInputError("input.surface", surface, `must be one of ${EXPERIMENT_SURFACES.join(", ")}`);
  }
  const k = input.k ?? 10;
  if (!(Number.isInteger(k) && k >= 1 && k <= 100)) throw new BadUserInputError("input.k", k, "must be from 1 to 100");
  const alpha = input.alpha ?? 0.05;
  if (!(Number.isFinite(alpha) && alpha > 0 && alpha < 1)) throw new BadUserInputError("input.alpha", alpha, "must be between 0 and 1 (exclusive)");
  const tau = input.tau ?? 0.05;
  if (!(Number.isFinite(tau) && tau > 0 && tau <= 1)) throw new BadUserInputError("input.tau", tau, "must be above 0 and at most 1");

  if (input.arms.length < 2) throw new BadUserInputError("input.arms", `${input.arms.length} arms`, "an experiment needs at least 2 arms (the first is the control)");
  if (input.arms.length > MAX_ARMS) throw new BadUserInputError("input.arms", `${input.arms.length} arms`, `at most ${MAX_ARMS}`);
  const seen = new Set<string>();
  const arms: NewExperiment["arms"] = [];
  for (const [i, arm] of input.arms.entries()) {
    const at = `input.arms[${i}]`;
    const armName = checkText(`${at}.name`, arm.name, 100);
    if (seen.has(armName)) throw new BadUserInputError(`${at}.name`, armName, "is the name of an earlier arm; arm names must be distinct");
    seen.add(armName);
    const hasStrategy = arm.strategy != null;
    const hasModel = arm.model != null;
    if (hasStrategy === hasModel) {
      throw new BadUserInputError(at, { strategy: arm.strategy ?? null, model: arm.model ?? null }, "an arm names exactly one of strategy and model");
    }
    if (hasStrategy && !(arm.strategy! in STRATEGY_MODELS)) throw new BadUserInputError(`${at}.strategy`, arm.strategy, "is not a strategy");
    if (hasModel) await checkModelVersion(db, `${at}.model`, arm.model!);
    if (!(Number.isFinite(arm.weight) && arm.weight >= 0)) throw new BadUserInputError(`${at}.weight`, arm.weight, "must be a nonnegative number");
    arms.push({ name: armName, strategy: arm.strategy ?? null, model: arm.model ?? null, weight: arm.weight });
  }
  const total = arms.reduce((a, b) => a + b.weight, 0);
  if (!(total > 0 && Number.isFinite(total))) throw new BadUserInputError("input.arms", arms.map((a) => a.weight), "the weights must sum to a positive number");

  return { name, surface, metric: input.metric ?? "CLICK_THROUGH", k, alpha, tau, guardrails: checkGuardrails(input.guardrails), arms };
}

// "name@version" of a trained version this build can serve.
async function checkModelVersion(db: Database, field: string, label: string): Promise<void> {
  const parsed = parseModelLabel(checkText(field, label, 120));
  if (!parsed) throw new BadUserInputError(field, label, 'must be "name@version", e.g. "item-knn@3"');
  if (!findServingAlgorithm(parsed.name)) throw new BadUserInputError(field, label, `${JSON.stringify(parsed.name)} is not a model this server can serve`);
  const versions = await listModelVersions(db, parsed.name);
  if (!versions.some((v) => v.version === parsed.version)) {
    const known = versions.map((v) => v.version);
    throw new BadUserInputError(field, label, known.length > 0 ? `${parsed.name} has no version ${parsed.version} (it has ${known.join(", ")})` : `${parsed.name} has no trained version`);
  }
}

function checkGuardrails(input: CreateExperimentInput["guardrails"]): Guardrails {
  const out: Guardrails = {};
  if (input?.maxErrorRate != null) {
    if (!(Number.isFinite(input.maxErrorRate) && input.maxErrorRate >= 0 && input.maxErrorRate <= 1)) {
      throw new BadUserInputError("input.guardrails.maxErrorRate", input.maxErrorRate, "must be from 0 to 1");
    }
    out.maxErrorRate = input.maxErrorRate;
  }
  if (input?.maxLatencyP99Ms != null) {
    if (!(Number.isFinite(input.maxLatencyP99Ms) && input.maxLatencyP99Ms > 0)) {
      throw new BadUserInputError("input.guardrails.maxLatencyP99Ms", input.maxLatencyP99Ms, "must be a positive number of milliseconds");
    }
    out.maxLatencyP99Ms = input.maxLatencyP99Ms;
  }
  if (input?.minRequests != null) {
    if (!(Number.isInteger(input.minRequests) && input.minRequests >= 1)) throw new BadUserInputError("input.guardrails.minRequests", input.minRequests, "must be a positive integer");
    out.minRequests = input.minRequests;
  }
  return out;
}
