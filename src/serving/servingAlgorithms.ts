// The algorithms the serving layer can train, store and load, by the model
// name the CLI and the database use, with the API strategy each one serves.
// A strategy whose models are not trained falls back to POPULAR and says so.
import { baselineOnly } from "../engine/algorithms/baseline";
import { bpr } from "../engine/algorithms/bpr";
import { contentBased } from "../engine/algorithms/content";
import { ease } from "../engine/algorithms/ease";
import { rankingBlend } from "../engine/algorithms/hybrid";
import { ials } from "../engine/algorithms/ials";
import { itemKnn } from "../engine/algorithms/itemKnn";
import { multVae } from "../engine/algorithms/multVae";
import { popularity } from "../engine/algorithms/popularity";
import { svd } from "../engine/algorithms/svd";
import { transitions } from "../engine/algorithms/transitions";
import { sasrec } from "../engine/algorithms/sasrec";
import { gru4rec } from "../engine/algorithms/gru4rec";
import { userKnn } from "../engine/algorithms/userKnn";
import type { Algorithm } from "../engine/types";

export type StrategyName = "HYBRID" | "USER_KNN" | "ITEM_KNN" | "CONTENT" | "MATRIX_FACTORIZATION" | "NEURAL" | "SEQUENTIAL" | "POPULAR";

export interface ServingAlgorithm {
  // Model name in model_versions.name and on the command line.
  readonly name: string;
  readonly algorithm: Algorithm<any>;
  // The strategy whose requests this model serves (none: it serves predictRating only).
  readonly strategy?: StrategyName;
  // Trained on explicit ratings (RATING records only) rather than implicit confidences.
  readonly explicit: boolean;
  // Serving defaults over the algorithm's own (tuned for rating prediction).
  readonly params?: Readonly<Record<string, unknown>>;
  // Scores are sums of evidence, so 0 or less means "nothing to say" and the
  // list is filled from popularity instead. Off for models whose scores are
  // meaningful at any sign (factor models, BPR), the default for new ones.
  readonly evidenceScores?: boolean;
  // Every user, trained on or not, is scored from their current history: the
  // model must keep no per-user state (its serialize() declares userState {};
  // trainModel refuses otherwise), so the version is saved without the list
  // of training users and nothing in it outlives a user's deletion.
  readonly historyOnly?: boolean;
}

// Neighbourhoods for ranking from implicit feedback: Jaccard over who
// interacted, unshrunk. The algorithms' defaults (Pearson, MSD) are tuned for
// RMSE on explicit ratings; on the demo catalog they put 2 Sci-Fi films in
// demo-user-001's top 10 where Jaccard puts 10 (Deshpande & Karypis 2004 rank
// with co-occurrence similarities for the same reason).
const IMPLICIT_KNN = { similarity: "jaccard", shrinkage: 0 } as const;

const algorithms: ServingAlgorithm[] = [
  { name: "popular", algorithm: popularity, strategy: "POPULAR", explicit: false, evidenceScores: true },
  { name: "item-knn", algorithm: itemKnn, strategy: "ITEM_KNN", explicit: false, params: IMPLICIT_KNN, evidenceScores: true },
  { name: "user-knn", algorithm: userKnn, strategy: "USER_KNN", explicit: false, params: IMPLICIT_KNN, evidenceScores: true },
  { name: "content", algorithm: contentBased, strategy: "CONTENT", explicit: false, evidenceScores: true, historyOnly: true },
  { name: "baseline", algorithm: baselineOnly, explicit: true },
  { name: "ials", algorithm: ials, strategy: "MATRIX_FACTORIZATION", explicit: false, historyOnly: true },
  { name: "bpr", algorithm: bpr, strategy: "MATRIX_FACTORIZATION", explicit: false, historyOnly: true },
  // Explicit ratings: serves predictRating, and MATRIX_FACTORIZATION by
  // predicted rating when neither ials nor bpr is trained.
  { name: "svd", algorithm: svd, strategy: "MATRIX_FACTORIZATION", explicit: true, historyOnly: true },
  { name: "ease", algorithm: ease, explicit: false, historyOnly: true },
  { name: "vae", algorithm: multVae, strategy: "NEURAL", explicit: false, historyOnly: true },
  { name: "hybrid", algorithm: rankingBlend, strategy: "HYBRID", explicit: false, historyOnly: true },
  // What followed what: scores are sums of successor weights (0: nothing
  // follows the user's latest items), filled up from popularity.
  { name: "transitions", algorithm: transitions, strategy: "SEQUENTIAL", explicit: false, evidenceScores: true, historyOnly: true },
  { name: "sasrec", algorithm: sasrec, strategy: "SEQUENTIAL", explicit: false, historyOnly: true },
  { name: "gru4rec", algorithm: gru4rec, strategy: "SEQUENTIAL", explicit: false, historyOnly: true },
];

export const SERVING_ALGORITHMS: readonly ServingAlgorithm[] = algorithms;

// The seam for models that land later (or a test's stand-in): adds or
// replaces the entry of that name.
export function registerServingAlgorithm(entry: ServingAlgorithm): void {
  const at = algorithms.findIndex((a) => a.name === entry.name);
  if (at >= 0) algorithms[at] = entry;
  else algorithms.push(entry);
}

export function findServingAlgorithm(name: string): ServingAlgorithm | undefined {
  return SERVING_ALGORITHMS.find((a) => a.name === name);
}

// The model names that can serve a strategy, best first. Without a trained
// hybrid, HYBRID stands for the best available single model.
export const STRATEGY_MODELS: Readonly<Record<StrategyName, readonly string[]>> = {
  HYBRID: ["hybrid", "item-knn", "content", "popular"],
  ITEM_KNN: ["item-knn"],
  USER_KNN: ["user-knn"],
  CONTENT: ["content"],
  MATRIX_FACTORIZATION: ["ials", "svd", "bpr"],
  NEURAL: ["vae"],
  // Ordered by the leave-last-out validation targets of ML-100K and
  // ml-latest-small (never the test targets; BENCHMARKS.md): transitions
  // NDCG@10 0.121 / 0.074, gru4rec 0.094 / 0.019, sasrec 0.091 / 0.019.
  SEQUENTIAL: ["transitions", "gru4rec", "sasrec"],
  POPULAR: ["popular"],
};

// Strategies whose chain goes on, past their own model, to others of the
// same strategy: serving one of those is a fallback, said as such (a
// Fallback reason naming the model that is missing). SEQUENTIAL's own model
// is transitions, the best on validation data; a neural sequence model
// trained without it stands in.
export const STRATEGY_OWN_MODELS: Readonly<Partial<Record<StrategyName, readonly string[]>>> = {
  SEQUENTIAL: ["transitions"],
};

// Algorithm name (SerializedModel.algorithm) -> how to rebuild it.
export function deserializerFor(algorithmName: string): Algorithm<any> | undefined {
  return SERVING_ALGORITHMS.map((a) => a.algorithm).find((a) => a.name === algorithmName && a.deserialize);
}
