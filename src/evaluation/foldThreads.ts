// The folds of a protocol fitted and scored on several threads
// (engine/threads/threadPool.ts): the calling thread and threads − 1 workers
// each claim the next fold and run evaluateAlgorithm on it alone, and the
// per-fold results are averaged in fold order as evaluateAlgorithm averages
// them, so the metrics are those of the sequential run to the last bit. A
// worker finds the algorithm by its registry name; anything that cannot be
// sent to a worker (an algorithm outside MODEL_REGISTRY, a clock) runs the
// folds in turn.
//
// Each fold's fit gets threads = 1 (FitOptions' default): the folds already
// fill the threads, and a model's own threads inside each would only
// oversubscribe the cores.
import { IdMap } from "../engine/data/IdMap";
import { MODEL_REGISTRY } from "../engine/registry";
import type { Algorithm } from "../engine/types";
import { runOnThreads, type PartContext } from "../engine/threads/threadPool";
import type { RatingTable } from "./datasets";
import type { ProtocolName } from "./protocols";
import { evaluateAlgorithm, type EvaluationOptions, type EvaluationResult, type MetricName } from "./runner";
import type { Fold } from "./splits/Fold";

export interface FoldThreadData {
  table: RatingTable;
  model: string;
  protocol: ProtocolName;
  folds: Fold[];
  options: Omit<EvaluationOptions, "onProgress" | "now" | "folds">;
}

interface FoldResult {
  fold: number;
  result: EvaluationResult;
}

export function foldPart(data: FoldThreadData, ctx: PartContext): void {
  const { table, model, protocol, folds, options } = data;
  // A worker's copy of the table has lost IdMap's methods on the way.
  for (const ids of [table.userIds, table.itemIds]) if (!(ids instanceof IdMap)) Object.setPrototypeOf(ids, IdMap.prototype);
  const algorithm = MODEL_REGISTRY[model].algorithm;
  for (let f = ctx.claim(); f < folds.length; f = ctx.claim()) {
    const result = evaluateAlgorithm(table, algorithm, protocol, { ...options, folds: [folds[f]] });
    ctx.send({ fold: f, result } satisfies FoldResult);
  }
}

// evaluateAlgorithm with the folds on `threads` threads; `model` is the
// algorithm's MODEL_REGISTRY name.
export function evaluateFolds(
  table: RatingTable,
  model: string,
  algorithm: Algorithm<any>,
  protocolName: ProtocolName,
  options: EvaluationOptions & { folds: Fold[] },
  threads: number,
): EvaluationResult {
  const { folds, onProgress, now, ...rest } = options;
  const n = Math.min(Math.max(1, Math.floor(threads)), folds.length);
  if (n < 2 || now || MODEL_REGISTRY[model]?.algorithm !== algorithm) return evaluateAlgorithm(table, algorithm, protocolName, options);
  onProgress?.({ stage: "fit", fold: 0, folds: folds.length, fraction: 0 });
  const data: FoldThreadData = { table, model, protocol: protocolName, folds, options: rest };
  const sent = runOnThreads({ module: __filename, name: "foldPart" }, data, n) as FoldResult[] | undefined;
  if (!sent) return evaluateAlgorithm(table, algorithm, protocolName, options);
  const perFold = sent.sort((a, b) => a.fold - b.fold).map((s) => s.result);
  for (let f = 0; f < folds.length; f++) onProgress?.({ stage: "predict", fold: f, folds: folds.length, fraction: 1 });
  return combineFolds(perFold);
}

// The one-fold results of a protocol's folds as evaluateAlgorithm reports
// them all: metrics and the nDCG curve averaged in fold order (a one-fold
// mean is the fold's value exactly), times as the mean per fold.
function combineFolds(perFold: EvaluationResult[]): EvaluationResult {
  const folds = perFold.length;
  const skipped = perFold.find((r) => r.skipped);
  if (skipped) return { ...skipped, folds };
  const last = perFold[folds - 1];
  const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
  const metrics: EvaluationResult["metrics"] = {};
  for (const name of Object.keys(perFold[0].metrics) as MetricName[]) metrics[name] = mean(perFold.map((r) => r.metrics[name] as number));
  const curves = perFold.flatMap((r) => (r.ndcgCurve ? [r.ndcgCurve] : []));
  const fallbacks = perFold.reduce((s, r) => s + (r.fallbackPredictions ?? 0), 0);
  return {
    ...last,
    folds,
    metrics,
    ...(curves.length > 0 ? { ndcgCurve: curves[0].map((_, i) => mean(curves.map((c) => c[i]))) } : {}),
    fitSeconds: mean(perFold.map((r) => r.fitSeconds)),
    predictSeconds: mean(perFold.map((r) => r.predictSeconds)),
    ...(fallbacks > 0 ? { fallbackPredictions: fallbacks } : {}),
  };
}
