// Which model serves a strategy, and the Fallback reason when it is not the
// strategy's own: STRATEGY_MODELS lists, best first, the models that may
// serve each strategy (HYBRID: hybrid, then item-knn, content, popular). A
// model of another strategy standing in, or popularity, is a fallback, and
// every answer served that way says so (a Fallback reason on each item, the
// marquee_recommendation_fallbacks_total counter): it used to be silent.
// Falling back depends on the models this process serves, not on the user;
// a user the model cannot personalise for is a ColdStart, a separate reason.
import type { ModelStore } from "../serving/ModelStore";
import type { ServedModel } from "../serving/ServedModel";
import { findServingAlgorithm, STRATEGY_MODELS, STRATEGY_OWN_MODELS, type StrategyName } from "../serving/servingAlgorithms";
import { processMetrics } from "../observability/metrics";
import type { ReasonValue } from "./recommendationReasons";

export type FallbackReason = Extract<ReasonValue, { __typename: "Fallback" }>;

// Where an answer was asked for, as the metric's `surface` label.
export type FallbackSurface = "recommendations" | "upNext" | "similarItems" | "page" | "dashboard";

export function strategyOfModel(name: string): StrategyName {
  return findServingAlgorithm(name)?.strategy ?? "POPULAR";
}

export interface StrategyModel {
  // The model that serves; undefined: none is trained, and popularity is
  // counted in the database (still the POPULAR strategy).
  served: ServedModel | undefined;
  strategy: StrategyName;
  fallback: FallbackReason | undefined;
}

export function modelForStrategy(store: ModelStore, requested: StrategyName): StrategyModel {
  const chain = STRATEGY_MODELS[requested];
  for (let k = 0; k < chain.length; k++) {
    const served = store.get(chain[k]);
    if (!served) continue;
    const strategy = strategyOfModel(chain[k]);
    const own = STRATEGY_OWN_MODELS[requested];
    if (strategy === requested && own && !own.includes(chain[k])) {
      return { served, strategy, fallback: { __typename: "Fallback", requested, served: strategy, why: missingModelsWhy(store, own) } };
    }
    return { served, strategy, fallback: strategy === requested ? undefined : fallbackReason(store, requested, strategy, chain.slice(0, k)) };
  }
  return { served: undefined, strategy: "POPULAR", fallback: requested === "POPULAR" ? undefined : fallbackReason(store, requested, "POPULAR", chain) };
}

// `skipped`: the models tried before the one that served (only those of
// another strategy than the served one are named).
export function fallbackReason(store: ModelStore, requested: StrategyName, served: StrategyName, skipped: readonly string[]): FallbackReason {
  return { __typename: "Fallback", requested, served, why: missingModelsWhy(store, skipped.filter((name) => strategyOfModel(name) !== served)) };
}

// Why these models are not served, in their order: "hybrid is not trained",
// "hybrid and item-knn are not trained", "hybrid's active version 3 failed
// to load" (the error is in the server's log), joined by "; ". A model that is served but lacks the
// capability asked for (similar items) is named as such.
export function missingModelsWhy(store: ModelStore, names: readonly string[], lacking = "cannot serve this"): string {
  const clauses: string[] = [];
  let notTrained: string[] = [];
  const flush = () => {
    if (notTrained.length > 0) clauses.push(`${listed(notTrained)} ${notTrained.length === 1 ? "is" : "are"} not trained`);
    notTrained = [];
  };
  for (const name of names) {
    const failure = store.failure(name);
    if (store.get(name)) {
      flush();
      clauses.push(`${name} ${lacking}`);
    } else if (failure) {
      flush();
      // The error itself is the operator's (logged by the watcher), not the client's.
      clauses.push(`${name}'s active version ${failure.version} failed to load`);
    } else {
      notTrained.push(name);
    }
  }
  flush();
  return clauses.join("; ");
}

function listed(names: readonly string[]): string {
  return names.length === 1 ? names[0] : `${names.slice(0, -1).join(", ")} and ${names[names.length - 1]}`;
}

// Once per answer that fell back.
export function countFallback(fallback: FallbackReason | undefined, surface: FallbackSurface): void {
  if (fallback) processMetrics().countFallback(fallback.requested, fallback.served, surface);
}
