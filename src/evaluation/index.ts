/**
 * Offline evaluation of the engine's algorithms on MovieLens, reproducing
 * three published protocols so our figures sit beside theirs, plus the
 * next-item protocol of sequential recommenders (leave-last-out).
 *
 * Data
 *   loadDataset(dir?)            ml-100k or ml-latest-small, detected by its files
 *                                (default DEFAULT_DATASET_DIR = /work/shared/datasets/ml-100k)
 *   buildTrainingSet(table, rows) rows of a split -> engine TrainingSet (dataset-wide indices)
 *
 * Splitters (each returns Fold { train, test }: row indices into the table)
 *   surpriseKFold(n, { seed })           Surprise KFold(5, shuffle): bit-exact numpy permutation
 *   msrStratifiedSplit(table, { filterBy, seed })  Recommenders python_stratified_split (0.75, seed 42)
 *   gorseKFold(n, { seed })              Gorse NewKFoldSplitter(5) shape
 *   leaveLastOut(table, { target })       last item per user held out (validation: the second-to-last)
 *   PROTOCOLS["surprise-5fold" | "msr-stratified" | "gorse-5fold" | "leave-last-out"].folds(table, seed)
 *
 * Metrics (per user; average them over users yourself, or use the runner)
 *   rmse, mae, precisionAtK, recallAtK, averagePrecisionAtK (MAP), ndcgAtK,
 *   reciprocalRankAtK (MRR), catalogCoverage, novelty, intraListDiversity, topK
 *
 * Runner
 *   evaluateAlgorithm(table, algorithm, protocolName, { seed, params })
 *     -> { metrics: { rmse, mae, "precision@10", ... }, fitSeconds, predictSeconds }
 *
 * Quick use while tuning a model:
 *   const table = loadDataset();
 *   const result = evaluateAlgorithm(table, myAlgorithm, "msr-stratified", { params: { factors: 64 } });
 *   console.log(result.metrics);
 */
export { DEFAULT_DATASET_DIR, DatasetNotFoundError, detectDataset, loadDataset, parseCsvLine, readMovieLens100k, readMovieLensLatestSmall } from "./datasets";
export type { DatasetKind, RatingTable } from "./datasets";
export { buildTrainingSet } from "./trainingSet";
export type { Fold } from "./splits/Fold";
export { NumpyRandomState } from "./splits/NumpyRandomState";
export { cutFolds, surpriseKFold } from "./splits/surpriseKFold";
export { gorseKFold } from "./splits/gorseKFold";
export { msrStratifiedSplit } from "./splits/msrStratifiedSplit";
export { leaveLastOut } from "./splits/leaveLastOut";
export { rankNextItems } from "./nextItemRanking";
export { PROTOCOLS, PROTOCOL_NAMES } from "./protocols";
export type { Protocol, ProtocolName } from "./protocols";
export { rmse } from "./metrics/rmse";
export { mae } from "./metrics/mae";
export { precisionAtK } from "./metrics/precisionAtK";
export { recallAtK } from "./metrics/recallAtK";
export { averagePrecisionAtK } from "./metrics/averagePrecisionAtK";
export { ndcgAtK } from "./metrics/ndcgAtK";
export { reciprocalRankAtK } from "./metrics/reciprocalRankAtK";
export { catalogCoverage } from "./metrics/catalogCoverage";
export { novelty } from "./metrics/novelty";
export { cosine, intraListDiversity } from "./metrics/intraListDiversity";
export { topK } from "./topK";
export { evaluateAlgorithm } from "./runner";
export type { EvaluationOptions, EvaluationResult, MetricName, Metrics } from "./runner";
