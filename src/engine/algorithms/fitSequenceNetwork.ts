// The fit the next-item networks share (SASRec, GRU4Rec): weights on shared
// memory when the gradient runs on threads, seeded initialisation, the
// training loop with early stopping, and the served model on a copy of the
// best weights. Each network brings its spec, its parameter count, its
// initialisation and how its recommendations are explained.
import type { ParameterLayout } from "../nn/parameterLayout";
import { createRng, type Rng } from "../random";
import type { FitOptions, TrainingSet } from "../types";
import { sequenceModel, type SequenceAttribution, type SequenceModel } from "./sequenceModel";
import { networkOf, startSequenceThreads, type NetworkSpec } from "./sequenceThreads";
import { trainSequenceNetwork, type SequenceTrainingParams } from "./sequenceTraining";
import { trainingSequences } from "./trainingSequences";

export function fitSequenceNetwork(
  spec: NetworkSpec,
  layout: ParameterLayout,
  init: (weights: Float32Array, rng: Rng) => void,
  attribution: SequenceAttribution,
  data: TrainingSet,
  p: SequenceTrainingParams,
  options: FitOptions,
): SequenceModel {
  const threads = startSequenceThreads(spec, layout.size, options.threads ?? 1, p.batchSize, p.batchSize * p.maxLength);
  const weights = threads?.params ?? new Float32Array(layout.size);
  const net = networkOf(spec, weights);
  init(weights, createRng(options.seed));
  const sequences = trainingSequences(data);
  let outcome;
  try {
    outcome = trainSequenceNetwork(net, sequences, p, options, threads?.gradient);
  } finally {
    threads?.close();
  }
  options.onProgress?.(1);
  const serving = networkOf(spec, Float32Array.from(weights));
  return sequenceModel(spec.kind, serving, attribution, p as unknown as Record<string, unknown>, { nItems: data.nItems, ...outcome }, sequences);
}
