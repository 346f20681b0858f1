// GRU4Rec (Hidasi, Karatzoglou, Baltrunas & Tikk 2016, "Session-based
// Recommendations with Recurrent Neural Networks"): the next item from a
// gated recurrent unit run over the items a user interacted with, in order
// (gru4recNetwork.ts). Trained here with cross-entropy over the whole
// catalog at every position, which Hidasi & Czapp (2023) find the best of
// GRU4Rec's losses, with the same loop and early stopping as SASRec
// (sequenceTraining.ts). Deterministic for a seed.
//
// Cost: as SASRec's, the output softmax dominates (3·T·d·I multiply-adds an
// epoch for T training positions); the recurrence adds about 18·T·d².
import type { CostedAlgorithm, FitCost } from "../fitCost";
import type { Algorithm, FitOptions, SerializedModel, TrainingSet } from "../types";
import { gru4recLayout, gru4recNetwork, initGru4rec, type Gru4recShape } from "./gru4recNetwork";
import { trainingTokens } from "./sasrec";
import { sequenceModel, type SequenceAttribution, type SequenceModel } from "./sequenceModel";
import type { SequenceTrainingParams } from "./sequenceTraining";
import { checkAlgorithm, serializedArray } from "./serializedArray";
import { fitSequenceNetwork } from "./fitSequenceNetwork";

export interface Gru4recParams extends SequenceTrainingParams {
  // Embedding and state width.
  dim: number;
  // Dropout on the embeddings and on the states.
  dropout: number;
}

// SASRec's training settings (sasrec.ts), so the two compare like for like:
// validation NDCG@10 on MovieLens 100K peaks later for the GRU (0.0941 at
// epoch 23 of 30).
export const gru4recDefaults: Gru4recParams = {
  dim: 64,
  dropout: 0.2,
  maxLength: 50,
  windows: 1,
  batchSize: 32,
  learningRate: 0.002,
  nEpochs: 30,
  patience: 3,
  validateEvery: 1,
};

function shapeOf(nItems: number, p: Gru4recParams): Gru4recShape {
  return { nItems, dim: p.dim, maxLength: p.maxLength, dropout: p.dropout };
}

// A recurrent state has no attention to read, so the evidence is recency:
// the k-th most recent item weighs 1/(k + 1).
const recencyAttribution: SequenceAttribution = (_net, tokens) => Float32Array.from(tokens, (_, t) => 1 / (tokens.length - t));

export const gru4rec = {
  name: "gru4rec",
  defaults: gru4recDefaults,
  estimateCost(data: TrainingSet, params: Partial<Gru4recParams>): FitCost {
    const p = { ...gru4recDefaults, ...params };
    const { tokens } = trainingTokens(data, p);
    const d = p.dim;
    const n = data.nItems;
    const size = gru4recLayout(shapeOf(n, p)).size;
    const batch = Math.max(1, p.batchSize);
    const steps = Math.ceil(tokens / Math.max(1, p.maxLength) / batch) + 1;
    const perEpoch = 3 * tokens * d * n + 18 * tokens * d * d + steps * size + (p.patience > 0 ? (data.nUsers * d * n) / Math.max(1, p.validateEvery) : 0);
    return {
      multiplyAdds: p.nEpochs * perEpoch,
      bytes: 4 * (5 * size + batch * p.maxLength * d * 16 + 32 * n + 2 * n * d),
    };
  },
  fit(data: TrainingSet, params: Partial<Gru4recParams>, options: FitOptions): SequenceModel {
    const p = { ...gru4recDefaults, ...params };
    const shape = shapeOf(data.nItems, p);
    const layout = gru4recLayout(shape);
    return fitSequenceNetwork({ kind: "gru4rec", shape }, layout, (weights, rng) => initGru4rec(shape, layout, weights, rng), recencyAttribution, data, p, options);
  },
  deserialize(serialized: SerializedModel): SequenceModel {
    checkAlgorithm("gru4rec", serialized);
    const p = { ...gru4recDefaults, ...(serialized.params as Partial<Gru4recParams>) };
    const nItems = serialized.meta.nItems as number;
    const net = gru4recNetwork(shapeOf(nItems, p), serializedArray("gru4rec", serialized, "weights", Float32Array));
    return sequenceModel("gru4rec", net, recencyAttribution, { ...serialized.params }, { ...serialized.meta });
  },
} satisfies Algorithm<Gru4recParams> & CostedAlgorithm<Gru4recParams>;
