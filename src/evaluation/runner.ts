// Runs one algorithm through one protocol: split, fit on each training fold,
// predict the test ratings and rank items for the test users, then average the
// per-fold metrics (Surprise `cross_validate` and Gorse `CrossValidate` both
// report the mean over folds). Times are wall-clock around fit() and around
// predict()/scoreAll()+topK, measured here so the engine stays clock-free.
import { performance } from "node:perf_hooks";
import { transpose, type CsrMatrix } from "../engine/data/CsrMatrix";
import type { Algorithm, Model, TrainingSet } from "../engine/types";
import type { RatingTable } from "./datasets";
import { catalogCoverage } from "./metrics/catalogCoverage";
import { intraListDiversity } from "./metrics/intraListDiversity";
import { idealCutoff, scoreList } from "./listMetrics";
import { mae } from "./metrics/mae";
import { ndcgAtK } from "./metrics/ndcgAtK";
import { rankNextItems } from "./nextItemRanking";
import { novelty } from "./metrics/novelty";
import { rmse } from "./metrics/rmse";
import { PROTOCOLS, type ProtocolName, type ProtocolOptions, type RankingConventions } from "./protocols";
import type { Fold } from "./splits/Fold";
import { topK } from "./topK";
import { buildTrainingSet } from "./trainingSet";

export type MetricName =
  | "rmse"
  | "mae"
  | `precision@${number}`
  | `recall@${number}`
  | `map@${number}`
  | `ndcg@${number}`
  | `mrr@${number}`
  | `hr@${number}`
  | "coverage"
  | "novelty"
  | "diversity";
export type Metrics = Partial<Record<MetricName, number>>;

export interface ProgressEvent {
  stage: "fit" | "predict";
  fold: number; // 0-based
  folds: number;
  fraction: number; // within the stage of this fold
}

export interface EvaluationOptions {
  // Overrides the protocol's reference seed (splits and model fitting).
  seed?: number;
  params?: Record<string, unknown>;
  // Name recorded in the result (the registry name); the algorithm's own otherwise.
  name?: string;
  k?: number; // 10
  curveMaxK?: number; // nDCG@K is also reported for K = 1..curveMaxK (20)
  protocolOptions?: ProtocolOptions;
  onProgress?: (event: ProgressEvent) => void;
  now?: () => number; // milliseconds; performance.now by default
  // Splits already made (tests, or reuse across models); the protocol's otherwise.
  folds?: Fold[];
}

export interface EvaluationResult {
  model: string;
  protocol: ProtocolName;
  dataset: string;
  seed: number;
  folds: number;
  metrics: Metrics;
  // Mean over folds of nDCG@K for K = 1..curveMaxK (ranking protocols).
  ndcgCurve?: number[];
  // Mean per fold.
  fitSeconds: number;
  predictSeconds: number;
  // Why the protocol did not apply (e.g. a rating protocol and no predict()).
  skipped?: string;
  // Whether the fitted model has predict(), so a caller can skip rating
  // protocols for it without fitting again.
  hasPredict?: boolean;
  // Test ratings predict() could not score (non-finite): the training mean was used.
  fallbackPredictions?: number;
  diversityBasis?: "genres" | "co-occurrence";
}

export function evaluateAlgorithm(
  table: RatingTable,
  algorithm: Algorithm<any>,
  protocolName: ProtocolName,
  options: EvaluationOptions = {},
): EvaluationResult {
  const protocol = PROTOCOLS[protocolName];
  if (!protocol) throw new Error(`Unknown protocol "${protocolName}"; expected one of ${Object.keys(PROTOCOLS).join(", ")}`);
  const seed = options.seed ?? protocol.defaultSeed;
  const k = options.k ?? 10;
  const curveMaxK = Math.max(options.curveMaxK ?? 20, k);
  const now = options.now ?? (() => performance.now());
  const folds = options.folds ?? protocol.folds(table, seed, options.protocolOptions);
  const result: EvaluationResult = {
    model: options.name ?? algorithm.name,
    protocol: protocolName,
    dataset: table.name,
    seed,
    folds: folds.length,
    metrics: {},
    fitSeconds: 0,
    predictSeconds: 0,
  };

  const perFold: Metrics[] = [];
  const curves: number[][] = [];
  let fitMs = 0;
  let predictMs = 0;
  let fallbacks = 0;
  for (let f = 0; f < folds.length; f++) {
    const fold = folds[f];
    const train = buildTrainingSet(table, fold.train, { implicit: protocol.implicit });
    const t0 = now();
    const model = algorithm.fit(train, (options.params ?? {}) as any, {
      seed,
      onProgress: (fraction) => options.onProgress?.({ stage: "fit", fold: f, folds: folds.length, fraction }),
    });
    fitMs += now() - t0;
    result.hasPredict = model.predict !== undefined;
    if (protocol.requiresPredict && !model.predict) {
      return { ...result, skipped: `${result.model} has no predict(); ${protocolName} measures rating prediction only` };
    }
    const metrics: Metrics = {};
    const report = (fraction: number) =>
      options.onProgress?.({ stage: "predict", fold: f, folds: folds.length, fraction });

    if (protocol.rating && model.predict) {
      const rated = predictRatings(table, train, model, fold.test, now);
      predictMs += rated.ms;
      fallbacks += rated.fallbacks;
      metrics.rmse = rmse(rated.actual, rated.predicted);
      metrics.mae = mae(rated.actual, rated.predicted);
    }
    if (protocol.nextItem) {
      const ranked = rankNextItems(table, train, model, fold.test, k, now, report);
      predictMs += ranked.ms;
      Object.assign(metrics, ranked.metrics);
    }
    if (protocol.ranking) {
      const ranked = rankForUsers(table, train, model, fold, protocol.ranking, k, curveMaxK, now, report);
      predictMs += ranked.ms;
      Object.assign(metrics, ranked.metrics);
      curves.push(ranked.curve);
      result.diversityBasis = ranked.diversityBasis;
    }
    report(1);
    perFold.push(metrics);
  }

  for (const name of Object.keys(perFold[0] ?? {}) as MetricName[]) {
    result.metrics[name] = mean(perFold.map((m) => m[name] as number));
  }
  if (curves.length > 0) {
    result.ndcgCurve = curves[0].map((_, i) => mean(curves.map((c) => c[i])));
  }
  result.fitSeconds = fitMs / 1000 / folds.length;
  result.predictSeconds = predictMs / 1000 / folds.length;
  if (protocol.rating && fallbacks > 0) result.fallbackPredictions = fallbacks;
  return result;
}

function predictRatings(
  table: RatingTable,
  train: TrainingSet,
  model: Model,
  test: Int32Array,
  now: () => number,
): { actual: Float64Array; predicted: Float64Array; fallbacks: number; ms: number } {
  const values = train.ratings.values;
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i];
  const globalMean = values.length > 0 ? sum / values.length : 0;
  const { min, max } = table.ratingScale;
  const actual = new Float64Array(test.length);
  const predicted = new Float64Array(test.length);
  let fallbacks = 0;
  const t0 = now();
  for (let j = 0; j < test.length; j++) {
    const row = test[j];
    actual[j] = table.ratings[row];
    let p = model.predict!(table.users[row], table.items[row]);
    if (!Number.isFinite(p)) {
      // Surprise's default_prediction(): the training mean, flagged as impossible.
      p = globalMean;
      fallbacks++;
    }
    predicted[j] = Math.min(max, Math.max(min, p));
  }
  return { actual, predicted, fallbacks, ms: now() - t0 };
}

function rankForUsers(
  table: RatingTable,
  train: TrainingSet,
  model: Model,
  fold: Fold,
  conventions: RankingConventions,
  k: number,
  curveMaxK: number,
  now: () => number,
  report: (fraction: number) => void,
): { metrics: Metrics; curve: number[]; ms: number; diversityBasis: "genres" | "co-occurrence" } {
  const { nUsers, nItems } = table;
  const R = train.ratings;

  // Test items per user.
  const relevant = new Map<number, Set<number>>();
  for (let j = 0; j < fold.test.length; j++) {
    const row = fold.test[j];
    const u = table.users[row];
    let set = relevant.get(u);
    if (!set) relevant.set(u, (set = new Set()));
    set.add(table.items[row]);
  }

  const itemUsers = new Int32Array(nItems);
  for (let p = 0; p < R.indices.length; p++) itemUsers[R.indices[p]]++;
  const candidate = new Uint8Array(nItems);
  if (conventions.candidates === "trainingItems") {
    for (let i = 0; i < nItems; i++) candidate[i] = itemUsers[i] > 0 ? 1 : 0;
  } else {
    for (let j = 0; j < table.items.length; j++) candidate[table.items[j]] = 1;
  }
  let catalogSize = 0;
  for (let i = 0; i < nItems; i++) catalogSize += candidate[i];
  let trainingUsers = 0;
  for (let u = 0; u < nUsers; u++) if (R.indptr[u + 1] > R.indptr[u]) trainingUsers++;

  const users = [...relevant.keys()]
    .filter((u) => conventions.users === "allTest" || R.indptr[u + 1] > R.indptr[u])
    .sort((a, b) => a - b);

  const seenBy = new Int32Array(nItems).fill(-1);
  const sums = { precision: 0, recall: 0, map: 0, ndcg: 0, mrr: 0 };
  const curve = new Array<number>(curveMaxK).fill(0);
  const lists: number[][] = [];
  let ms = 0;
  users.forEach((u, index) => {
    for (let p = R.indptr[u]; p < R.indptr[u + 1]; p++) seenBy[R.indices[p]] = u;
    const t0 = now();
    const scores = model.scoreAll(u);
    const list = topK(scores, curveMaxK, (item) => candidate[item] === 1 && seenBy[item] !== u);
    ms += now() - t0;
    const rel = relevant.get(u)!;
    const listK = list.slice(0, k);
    lists.push(listK);
    const at = scoreList(list, rel, k, conventions);
    sums.precision += at.precision;
    sums.recall += at.recall;
    sums.map += at.map;
    sums.ndcg += at.ndcg;
    sums.mrr += at.mrr;
    for (let K = 1; K <= curveMaxK; K++) {
      curve[K - 1] += ndcgAtK(list, rel, K, { idealCutoff: idealCutoff(conventions, K, list) });
    }
    if (index % 50 === 0) report(index / users.length);
  });

  const n = users.length;
  const useGenres = table.itemFeatures.nCols > 0 && table.itemFeatures.indices.length > 0;
  const vectors: CsrMatrix = useGenres ? table.itemFeatures : transpose(R);
  let diversity = 0;
  for (const list of lists) diversity += intraListDiversity(list, vectors, !useGenres);
  const metrics: Metrics = {
    [`precision@${k}`]: n ? sums.precision / n : 0,
    [`recall@${k}`]: n ? sums.recall / n : 0,
    [`map@${k}`]: n ? sums.map / n : 0,
    [`ndcg@${k}`]: n ? sums.ndcg / n : 0,
    [`mrr@${k}`]: n ? sums.mrr / n : 0,
    coverage: catalogCoverage(lists, catalogSize),
    novelty: novelty(lists, itemUsers, trainingUsers),
    diversity: n ? diversity / n : 0,
  };
  return {
    metrics,
    curve: curve.map((s) => (n ? s / n : 0)),
    ms,
    diversityBasis: useGenres ? "genres" : "co-occurrence",
  };
}

function mean(values: number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}
