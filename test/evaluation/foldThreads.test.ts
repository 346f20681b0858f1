// A protocol's folds on several threads report what the sequential run
// reports, metric for metric and to the last bit (times aside).
import { IdMap } from "../../src/engine/data/IdMap";
import { MODEL_REGISTRY } from "../../src/engine/registry";
import type { RatingTable } from "../../src/evaluation/datasets";
import { evaluateFolds } from "../../src/evaluation/foldThreads";
import { PROTOCOLS, type ProtocolName } from "../../src/evaluation/protocols";
import { evaluateAlgorithm, type EvaluationResult } from "../../src/evaluation/runner";
import { syntheticData } from "../engine/algorithms/support/syntheticData";

function syntheticTable(): RatingTable {
  const { train } = syntheticData(21, { nUsers: 300, nItems: 120, perUser: 24 });
  const { indptr, indices, values } = train.ratings;
  const users = new Int32Array(indices.length);
  for (let u = 0; u < train.nUsers; u++) users.fill(u, indptr[u], indptr[u + 1]);
  const itemNames = Array.from({ length: train.nItems }, (_, i) => `i${i}`);
  return {
    name: "synthetic",
    nUsers: train.nUsers,
    nItems: train.nItems,
    users,
    items: Int32Array.from(indices),
    ratings: Float32Array.from(values),
    timestamps: Float64Array.from({ length: indices.length }, (_, i) => i),
    userIds: IdMap.from(Array.from({ length: train.nUsers }, (_, u) => `u${u}`)),
    itemIds: IdMap.from(itemNames),
    itemTitles: itemNames,
    itemFeatures: { nRows: train.nItems, nCols: 0, indptr: new Int32Array(train.nItems + 1), indices: new Int32Array(0), values: new Float32Array(0) },
    featureNames: [],
    ratingScale: { min: 1, max: 5 },
  };
}

const withoutTimes = (r: EvaluationResult) => ({ ...r, fitSeconds: 0, predictSeconds: 0 });

describe("evaluation folds on threads", () => {
  const table = syntheticTable();

  it.each([
    ["gorse-5fold", "item-knn", 2],
    ["surprise-5fold", "baseline", 3],
    ["surprise-5fold", "popular", 2],
  ] as [ProtocolName, string, number][])("%s %s on %i threads gives the sequential report", (protocol, model, threads) => {
    const seed = PROTOCOLS[protocol].defaultSeed;
    const folds = PROTOCOLS[protocol].folds(table, seed);
    const options = { seed, name: model, folds };
    const sequential = evaluateAlgorithm(table, MODEL_REGISTRY[model].algorithm, protocol, options);
    const stages: string[] = [];
    const parallel = evaluateFolds(table, model, MODEL_REGISTRY[model].algorithm, protocol, { ...options, onProgress: (e) => stages.push(e.stage) }, threads);
    expect(withoutTimes(parallel)).toEqual(withoutTimes(sequential));
    // It ran on the threads: the calling thread saw the start and each fold's end, no fit in between.
    expect(stages).toEqual(["fit", ...folds.map(() => "predict")]);
    expect(parallel.fitSeconds).toBeGreaterThanOrEqual(0);
    if (model === "popular") expect(parallel.skipped).toMatch(/no predict/);
    else expect(Object.keys(parallel.metrics).length).toBeGreaterThan(1);
  }, 120_000);

  it("runs the folds in turn for an algorithm outside the registry", () => {
    const own = { ...MODEL_REGISTRY.baseline.algorithm };
    const folds = PROTOCOLS["surprise-5fold"].folds(table, 0);
    const events: number[] = [];
    const r = evaluateFolds(table, "baseline", own, "surprise-5fold", { folds, onProgress: (e) => events.push(e.fold) }, 2);
    expect(withoutTimes(r)).toEqual(withoutTimes(evaluateAlgorithm(table, own, "surprise-5fold", { folds })));
    // Progress from every fold, in turn: it ran on the calling thread.
    expect(new Set(events)).toEqual(new Set([0, 1, 2, 3, 4]));
  });
});
