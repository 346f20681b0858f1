// The three published protocols: how each splits the data and which
// conventions its evaluator follows. Every convention below was read from the
// reference source; see the splitter and metric files for the line-by-line
// correspondence.
import type { RatingTable } from "./datasets";
import type { Fold } from "./splits/Fold";
import { gorseKFold } from "./splits/gorseKFold";
import { leaveLastOut, type LeaveLastOutTarget } from "./splits/leaveLastOut";
import { msrStratifiedSplit } from "./splits/msrStratifiedSplit";
import { surpriseKFold } from "./splits/surpriseKFold";

export type ProtocolName = "surprise-5fold" | "msr-stratified" | "gorse-5fold" | "leave-last-out";
// What `--protocol all` runs: the three published rating/top-N protocols
// (leave-last-out, about the next item, is asked for by name).
export const PROTOCOL_NAMES: readonly ProtocolName[] = ["surprise-5fold", "msr-stratified", "gorse-5fold"];

export interface RankingConventions {
  // Which test users are scored: those the model saw in training (Recommenders
  // averages over users common to the test set and the recommendations, and
  // recommends only to training users) or every user with a test item (Gorse
  // `EvaluateRank` loops over all test users).
  readonly users: "inTraining" | "allTest";
  // Candidate items before removing the user's own training items: items with
  // a training interaction (Recommenders' models recommend from the training
  // item set, remove_seen=True) or every item in train + test (Gorse
  // `core.Items(testSet, excludeSet)`).
  readonly candidates: "trainingItems" | "allRated";
  readonly precisionDivideBy: "k" | "list";
  readonly mapDivideBy: "relevant" | "min(relevant,k)";
  readonly idealCutoff: "k" | "list";
}

export interface Protocol {
  readonly name: ProtocolName;
  readonly title: string;
  // The seed the published figures were produced with.
  readonly defaultSeed: number;
  // Rating metrics (RMSE, MAE) for models with predict().
  readonly rating: boolean;
  // Ranking metrics @k for every model; undefined for a rating-only protocol.
  readonly ranking?: RankingConventions;
  // A protocol that is only about rating prediction skips models without predict().
  readonly requiresPredict: boolean;
  // Next-item protocol: one held-out item per user in `test`, scored by
  // nextItemRanking.ts (HR, NDCG, MRR @k) instead of the ranking conventions.
  readonly nextItem?: boolean;
  // Train on every rating as an interaction of value 1 (no rating scale).
  readonly implicit?: boolean;
  folds(table: RatingTable, seed: number, options?: ProtocolOptions): Fold[];
}

export interface ProtocolOptions {
  // msr-stratified: the column stratified on (the benchmark used "item").
  msrFilterBy?: "user" | "item";
  // leave-last-out: score the test targets (last item) or the validation targets (second-to-last).
  target?: LeaveLastOutTarget;
}

export const PROTOCOLS: Readonly<Record<ProtocolName, Protocol>> = {
  // Surprise's benchmark (benchmark.py): KFold(random_state=0), 5 folds,
  // cross_validate(algo, data, ["rmse", "mae"], kf), mean over folds.
  // Predictions are clipped to the rating scale; an impossible prediction
  // falls back to the training mean (Surprise `default_prediction`).
  "surprise-5fold": {
    name: "surprise-5fold",
    title: "Surprise KFold(5, random_state=0), RMSE/MAE",
    defaultSeed: 0,
    rating: true,
    requiresPredict: true,
    folds: (table, seed) => surpriseKFold(table.users.length, { seed, nSplits: 5 }),
  },
  // Recommenders' examples/06_benchmarks/movielens.ipynb:
  // python_stratified_split(df, ratio=0.75, min_rating=1, filter_by="item"),
  // seed 42, then rating metrics for explicit models and map / ndcg_at_k /
  // precision_at_k / recall_at_k with k=10, top_k relevancy, binary nDCG.
  "msr-stratified": {
    name: "msr-stratified",
    title: "Recommenders python_stratified_split(0.75, seed=42), @10",
    defaultSeed: 42,
    rating: true,
    requiresPredict: false,
    ranking: {
      users: "inTraining",
      candidates: "trainingItems",
      precisionDivideBy: "k",
      mapDivideBy: "relevant",
      idealCutoff: "k",
    },
    folds: (table, seed, options) => [
      msrStratifiedSplit(table, { ratio: 0.75, minRating: 1, filterBy: options?.msrFilterBy ?? "item", seed }),
    ],
  },
  // Gorse's benchmark (cmd/benchmark): core.CrossValidate(m, data,
  // core.NewKFoldSplitter(5), 0, core.NewRankEvaluator(10, Precision, Recall,
  // MAP, NDCG, MRR)), every rating an implicit positive, mean over folds.
  "gorse-5fold": {
    name: "gorse-5fold",
    title: "Gorse NewKFoldSplitter(5), top-10 over all items",
    defaultSeed: 0,
    rating: false,
    requiresPredict: false,
    ranking: {
      users: "allTest",
      candidates: "allRated",
      precisionDivideBy: "list",
      mapDivideBy: "relevant",
      idealCutoff: "list",
    },
    folds: (table, seed) => gorseKFold(table.users.length, { seed, k: 5 }),
  },
  // Next-item prediction as sequential recommenders are evaluated (SASRec,
  // Kang & McAuley 2018, sec. IV-A): every rating an implicit interaction,
  // users with 5 or more, the last item held out, all items ranked (no
  // sampled negatives), items already in the sequence left out. No seed:
  // the split is deterministic.
  "leave-last-out": {
    name: "leave-last-out",
    title: "Leave-last-out next item, all items ranked, @10",
    defaultSeed: 0,
    rating: false,
    requiresPredict: false,
    nextItem: true,
    implicit: true,
    folds: (table, _seed, options) => [leaveLastOut(table, { target: options?.target ?? "test" })],
  },
};
