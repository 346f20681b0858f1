// Trains one model on everything in the database and saves it as a new
// (inactive) version, with the parameters it was trained with. The CLI, the
// demo start and the job behind the trainModel mutation all call it.
import type { Database } from "../db/Database";
import { saveModelVersion, type ModelVersionRow } from "../db/modelRepository";
import { idsOf, readTrainingData, type TrainingData } from "../db/trainingDataRepository";
import { buildItemFeatures } from "../engine/data/buildItemFeatures";
import { buildTrainingSet } from "../engine/data/buildTrainingSet";
import { hasUserState, userStateKeys } from "../engine/userState";
import { DEFAULT_IMPLICIT_RATING_RULE, formatImplicitRatingRule, type ImplicitRatingRule } from "../engine/data/implicitRatings";
import { fitCostOf, servingIndexBytesOf } from "../engine/fitCost";
import { defaultTrainMemoryMb } from "../config";
import { evaluateOnHoldout } from "./holdoutEvaluation";
import { findServingAlgorithm, SERVING_ALGORITHMS, type ServingAlgorithm } from "./servingAlgorithms";
import { checkParams, effectiveParams } from "./trainingParams";
import type { TrainingSet } from "../engine/types";

export interface TrainOptions {
  seed: number;
  ratingScale: { min: number; max: number };
  // How ratings read as implicit feedback (MARQUEE_IMPLICIT_RATINGS); default graded.
  implicitRatings?: ImplicitRatingRule;
  // The caller's training parameters, checked against the model's known ones
  // (trainingParams.ts; a bad one throws ParamError before anything is read)
  // and stored with the version beside the effective ones.
  params?: Record<string, unknown>;
  onProgress?: (fraction: number) => void;
  // Read once and pass to train several models on the same snapshot.
  data?: TrainingData;
  // Also fit on a per-user 80/20 holdout of the same data and store the
  // held-out figures with the version (holdoutEvaluation.ts); default true.
  // About doubles the training time.
  evaluate?: boolean;
  // Refuse a fit whose estimated cost (fitCost.ts) is above this many
  // multiply-adds; default MAX_FIT_MULTIPLY_ADDS.
  maxFitMultiplyAdds?: number;
  // Refuse a fit whose estimated peak memory (fitCost.ts; twice that with
  // `evaluate`, which fits again while the model is held) is above this
  // many bytes; default MARQUEE_TRAIN_MEMORY_MB's default, half the machine.
  memoryBudgetBytes?: number;
  // Threads a fit may train on (MARQUEE_TRAIN_THREADS; default 1 here, the
  // machine's cores from the CLI, the worker and the server). iALS, and the
  // hybrid's iALS, use them on large training sets; the result is the same.
  threads?: number;
}

// About half an hour of one core at the 1-2e9 multiply-adds a second the
// engine's float32 loops reach here (Mult-DAE on ML-100K: 6e10, under a
// minute). Algorithms that do not declare a cost are not limited here.
export const MAX_FIT_MULTIPLY_ADDS = 2e12;

export interface TrainResult {
  version: ModelVersionRow;
  fitSeconds: number;
  dataStats: { users: number; items: number; features: number; interactions: number; nonZero: number };
}

function mib(bytes: number): string {
  return Math.ceil(bytes / 2 ** 20).toLocaleString("en-US");
}

export class TrainError extends Error {
  override name = "TrainError";
}

export function trainableModels(): string[] {
  return SERVING_ALGORITHMS.map((a) => a.name);
}

// The training set a served model is fitted on (also what the served check
// refits to compare a model's own lists with what the API answers).
export function servingTrainingSet(data: TrainingData, entry: ServingAlgorithm, options: Pick<TrainOptions, "ratingScale" | "implicitRatings">): TrainingSet {
  return buildTrainingSet(data.interactions, {
    nUsers: data.users.size,
    nItems: data.items.size,
    explicit: entry.explicit,
    ratingScale: options.ratingScale,
    implicitRatings: options.implicitRatings ?? DEFAULT_IMPLICIT_RATING_RULE,
    itemFeatures: buildItemFeatures(data.items.size, data.features.size, data.itemFeatures),
  });
}

export async function trainModel(db: Database, name: string, options: TrainOptions): Promise<TrainResult> {
  const entry = findServingAlgorithm(name);
  if (!entry) throw new TrainError(`unknown model ${JSON.stringify(name)}; known: ${trainableModels().join(", ")}`);
  const given = checkParams(entry, options.params);
  const params = effectiveParams(entry, given);
  const data = options.data ?? (await readTrainingData(db));
  if (data.users.size === 0 || data.items.size === 0) throw new TrainError("the database has no users or no items to train on");
  if (entry.name === "content" && data.itemFeatures.length === 0) throw new TrainError("content needs item features; the catalog has none");
  const implicitRatings = options.implicitRatings ?? DEFAULT_IMPLICIT_RATING_RULE;
  const set = servingTrainingSet(data, entry, { ...options, implicitRatings });
  const evaluate = options.evaluate ?? true;
  const cost = fitCostOf(entry.algorithm, set, params);
  const limit = options.maxFitMultiplyAdds ?? MAX_FIT_MULTIPLY_ADDS;
  const budget = options.memoryBudgetBytes ?? defaultTrainMemoryMb() * 2 ** 20;
  const fitPeak = cost ? cost.bytes * (evaluate ? 2 : 1) : 0;
  // The index of a large catalog is built after the fits, the model held.
  const indexPeak = servingIndexBytesOf(entry.algorithm, set, params);
  const peak = Math.max(fitPeak, indexPeak);
  if (cost && peak > budget) {
    const why = indexPeak > fitPeak ? " (the fitted model held while the index of its items is built)" : evaluate ? " (twice the fit's own, to also fit the held-out check)" : "";
    throw new TrainError(
      `${name} would need about ${mib(peak)} MiB of memory to fit ${set.nUsers.toLocaleString("en-US")} users × ${set.nItems.toLocaleString("en-US")} items` +
        `${why}, over the training budget of ${mib(budget)} MiB (MARQUEE_TRAIN_MEMORY_MB); ` +
        `raise the budget${evaluate ? ", train without the held-out check (--no-evaluate)" : ""} or train a model that grows with the interactions (ials, bpr, or hybrid with its default parts)`,
    );
  }
  if (cost && cost.multiplyAdds > limit) {
    throw new TrainError(
      `${name} would need about ${cost.multiplyAdds.toExponential(1)} multiply-adds to fit ${set.nUsers.toLocaleString("en-US")} users × ${set.nItems.toLocaleString("en-US")} items ` +
        `(its cost grows with users × items; ${mib(cost.bytes)} MiB), over the limit of ${limit.toExponential(1)}; ` +
        `train a model whose cost grows with the interactions instead (ials, bpr, item-knn)`,
    );
  }
  const started = performance.now();
  const onProgress = options.onProgress;
  const model = entry.algorithm.fit(set, params, {
    seed: options.seed,
    ...(options.threads !== undefined ? { threads: options.threads } : {}),
    ...(onProgress ? { onProgress: (f: number) => onProgress(evaluate ? f / 2 : f) } : {}),
  });
  const fitSeconds = (performance.now() - started) / 1000;
  if (!model.serialize) throw new TrainError(`${name} cannot be serialized yet`);
  const evaluationStarted = performance.now();
  const holdout = evaluate ? evaluateOnHoldout(entry.algorithm, set, params, entry.explicit, { seed: options.seed, ratingScale: options.ratingScale, ...(options.threads !== undefined ? { threads: options.threads } : {}) }) : {};
  const evaluationSeconds = evaluate ? (performance.now() - evaluationStarted) / 1000 : undefined;
  const dataStats = {
    users: data.users.size,
    items: data.items.size,
    features: data.features.size,
    interactions: data.interactions.length,
    nonZero: set.ratings.indices.length,
  };
  // A large catalog's ANN index is built here, once, and stored with the
  // version (ials: the HNSW graph over its item factors); replicas read it.
  const fitted = model.serialize();
  const indexStarted = performance.now();
  const serialized = entry.algorithm.withServingIndex ? entry.algorithm.withServingIndex(fitted) : fitted;
  const indexSeconds = serialized === fitted ? undefined : (performance.now() - indexStarted) / 1000;
  // Per-user state is what export and deletion must find (engine/userState.ts):
  // the list of training users is stored only with it, so a model that keeps
  // nothing per user keeps no trace of who it was trained on either.
  const keepsUsers = hasUserState(serialized.userState);
  if (keepsUsers && entry.historyOnly) throw new Error(`${name} is served from histories but stores per-user state (${userStateKeys(serialized.userState).join(", ")})`);
  const version = await saveModelVersion(db, {
    name,
    serialized,
    index: { users: keepsUsers ? idsOf(data.users) : new Int32Array(0), items: idsOf(data.items), features: idsOf(data.features) },
    metrics: {
      fitSeconds,
      ...(indexSeconds !== undefined ? { indexSeconds } : {}),
      seed: options.seed,
      ...holdout,
      ...(evaluate ? { evaluationSeconds, evaluation: "per-user 80/20 holdout of the training data; top 10 without training items" } : {}),
    },
    // How histories must be read to be folded in as this version was trained (ServedModel.trainingModeOf).
    dataStats: { ...dataStats, training: { explicit: entry.explicit, ratingScale: options.ratingScale, implicitRatings: formatImplicitRatingRule(implicitRatings) } },
    training: { params, given },
  });
  options.onProgress?.(1);
  return { version, fitSeconds, dataStats };
}
