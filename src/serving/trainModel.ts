// Trains one model on everything in the database and saves it as a new
// (inactive) version. The CLI calls it today; the job queue of the next slice
// (a trainModel mutation and a worker) calls the same function.
import type { Database } from "../db/Database";
import { saveModelVersion, type ModelVersionRow } from "../db/modelRepository";
import { idsOf, readTrainingData, type TrainingData } from "../db/trainingDataRepository";
import { buildItemFeatures } from "../engine/data/buildItemFeatures";
import { buildTrainingSet } from "../engine/data/buildTrainingSet";
import { fitCostOf } from "../engine/fitCost";
import { evaluateOnHoldout } from "./holdoutEvaluation";
import { findServingAlgorithm, SERVING_ALGORITHMS } from "./servingAlgorithms";

export interface TrainOptions {
  seed: number;
  ratingScale: { min: number; max: number };
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

export class TrainError extends Error {
  override name = "TrainError";
}

export function trainableModels(): string[] {
  return SERVING_ALGORITHMS.map((a) => a.name);
}

export async function trainModel(db: Database, name: string, options: TrainOptions): Promise<TrainResult> {
  const entry = findServingAlgorithm(name);
  if (!entry) throw new TrainError(`unknown model ${JSON.stringify(name)}; known: ${trainableModels().join(", ")}`);
  const data = options.data ?? (await readTrainingData(db));
  if (data.users.size === 0 || data.items.size === 0) throw new TrainError("the database has no users or no items to train on");
  if (entry.name === "content" && data.itemFeatures.length === 0) throw new TrainError("content needs item features; the catalog has none");
  const itemFeatures = buildItemFeatures(data.items.size, data.features.size, data.itemFeatures);
  const set = buildTrainingSet(data.interactions, {
    nUsers: data.users.size,
    nItems: data.items.size,
    explicit: entry.explicit,
    ratingScale: options.ratingScale,
    itemFeatures,
  });
  const evaluate = options.evaluate ?? true;
  const params = { ...entry.params, ...options.params };
  const cost = fitCostOf(entry.algorithm, set, params);
  const limit = options.maxFitMultiplyAdds ?? MAX_FIT_MULTIPLY_ADDS;
  if (cost && cost.multiplyAdds > limit) {
    throw new TrainError(
      `${name} would need about ${cost.multiplyAdds.toExponential(1)} multiply-adds to fit ${set.nUsers.toLocaleString("en-US")} users × ${set.nItems.toLocaleString("en-US")} items ` +
        `(its cost grows with users × items; ${Math.round(cost.bytes / 2 ** 20).toLocaleString("en-US")} MiB), over the limit of ${limit.toExponential(1)}; ` +
        `train a model whose cost grows with the interactions instead (ials, bpr, item-knn)`,
    );
  }
  const started = performance.now();
  const onProgress = options.onProgress;
  const model = entry.algorithm.fit(set, params, {
    seed: options.seed,
    ...(onProgress ? { onProgress: (f: number) => onProgress(evaluate ? f / 2 : f) } : {}),
  });
  const fitSeconds = (performance.now() - started) / 1000;
  if (!model.serialize) throw new TrainError(`${name} cannot be serialized yet`);
  const evaluationStarted = performance.now();
  const holdout = evaluate ? evaluateOnHoldout(entry.algorithm, set, params, entry.explicit, { seed: options.seed, ratingScale: options.ratingScale }) : {};
  const evaluationSeconds = evaluate ? (performance.now() - evaluationStarted) / 1000 : undefined;
  const dataStats = {
    users: data.users.size,
    items: data.items.size,
    features: data.features.size,
    interactions: data.interactions.length,
    nonZero: set.ratings.indices.length,
  };
  const version = await saveModelVersion(db, {
    name,
    serialized: model.serialize(),
    // A history-only model keeps no trace of who it was trained on.
    index: { users: entry.historyOnly ? new Int32Array(0) : idsOf(data.users), items: idsOf(data.items), features: idsOf(data.features) },
    metrics: {
      fitSeconds,
      seed: options.seed,
      ...holdout,
      ...(evaluate ? { evaluationSeconds, evaluation: "per-user 80/20 holdout of the training data; top 10 without training items" } : {}),
    },
    dataStats: { ...dataStats, training: { explicit: entry.explicit, ratingScale: options.ratingScale } },
  });
  options.onProgress?.(1);
  return { version, fitSeconds, dataStats };
}
