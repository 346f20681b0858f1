// SASRec, self-attentive sequential recommendation (Kang & McAuley 2018,
// "Self-Attentive Sequential Recommendation"): the next item a user will
// interact with, from the items they interacted with last, by causal
// self-attention over item and position embeddings (sasrecNetwork.ts).
//
// Trained as SASRec+ (Klenitskiy & Vasilev 2023): cross-entropy over the
// WHOLE catalog at every position instead of the paper's binary loss with
// one sampled negative, which they and Petrov & Macdonald (2023) find far
// better; Adam; early stopping on each training sequence's last item
// (sequenceTraining.ts). Deterministic for a seed.
//
// Cost: the output softmax dominates, 3·T·d·I multiply-adds an epoch for T
// training positions (each block adds about 15·T·d² for its dense layers
// and 3·Σℓ²·d for attention); estimateCost() gives the figure up front so
// trainModel can refuse a catalog where it would run for hours.
import type { CostedAlgorithm, FitCost } from "../fitCost";
import type { Algorithm, FitOptions, SerializedModel, TrainingSet } from "../types";
import { initSasrec, sasrecLayout, sasrecNetwork, type SasrecNetwork, type SasrecShape } from "./sasrecNetwork";
import { sequenceModel, type SequenceAttribution, type SequenceModel } from "./sequenceModel";
import { trainingWindows, type SequenceTrainingParams } from "./sequenceTraining";
import { trainingSequences } from "./trainingSequences";
import { checkAlgorithm, serializedArray } from "./serializedArray";
import { fitSequenceNetwork } from "./fitSequenceNetwork";

export interface SasrecParams extends SequenceTrainingParams {
  // Embedding and state width d.
  dim: number;
  // Self-attention blocks.
  blocks: number;
  // Dropout on the embeddings, the attention output and the feed-forward layers.
  dropout: number;
}

// One set of defaults for every catalog, checked on the validation targets
// of leave-last-out (each user's second-to-last item) on MovieLens 100K and
// ml-latest-small: the most recent 50 items at d 64 keep a fit on MovieLens
// 100K to about 3 minutes of CPU (111 s on two threads); batches of 32 at
// learning rate 0.002 give ~30 Adam steps an epoch, so validation NDCG@10
// peaks within about ten epochs there (0.0911 at epoch 8; a patience of 5
// finds no better epoch than 3 does). On ml-latest-small it peaks at epoch 2
// (0.0187): training on the most recent window alone leaves most of its long
// histories unused (`windows` trains on older windows too).
export const sasrecDefaults: SasrecParams = {
  dim: 64,
  blocks: 2,
  dropout: 0.2,
  maxLength: 50,
  windows: 1,
  batchSize: 32,
  learningRate: 0.002,
  nEpochs: 30,
  patience: 3,
  validateEvery: 1,
};

// Training positions of an epoch and Σℓ² over its windows.
export function trainingTokens(data: TrainingSet, p: SequenceTrainingParams): { tokens: number; squares: number; windows: number } {
  const { offsets } = trainingSequences(data);
  const { starts, ends } = trainingWindows(offsets, p.patience > 0, p.maxLength, Math.max(1, p.windows));
  let tokens = 0;
  let squares = 0;
  for (let w = 0; w < starts.length; w++) {
    const len = ends[w] - starts[w] - 1;
    tokens += len;
    squares += len * len;
  }
  return { tokens, squares, windows: starts.length };
}

function shapeOf(nItems: number, p: SasrecParams): SasrecShape {
  return { nItems, dim: p.dim, maxLength: p.maxLength, blocks: p.blocks, dropout: p.dropout };
}

// The last block's attention of the most recent position: how much of each
// recent item the state that scores the next one took in (the same for
// every item scored from the sequence).
const attentionAttribution: SequenceAttribution = (net) => (net as SasrecNetwork).lastAttention(0);

export const sasrec = {
  name: "sasrec",
  defaults: sasrecDefaults,
  estimateCost(data: TrainingSet, params: Partial<SasrecParams>): FitCost {
    const p = { ...sasrecDefaults, ...params };
    const { tokens, squares } = trainingTokens(data, p);
    const d = p.dim;
    const n = data.nItems;
    const size = sasrecLayout(shapeOf(n, p)).size;
    const batch = Math.max(1, p.batchSize);
    const steps = Math.ceil(tokens / Math.max(1, p.maxLength) / batch) + 1;
    const users = data.nUsers;
    const perEpoch = 3 * tokens * d * n + p.blocks * (15 * tokens * d * d + 3 * squares * d) + steps * size + (p.patience > 0 ? (users * d * n) / Math.max(1, p.validateEvery) : 0);
    const batchTokens = batch * p.maxLength;
    return {
      multiplyAdds: p.nEpochs * perEpoch,
      // Weights, gradient, two Adam moments and the best copy; per block about
      // 16 activations a position plus the attention triangles; the logits of a chunk.
      bytes: 4 * (5 * size + batchTokens * d * (16 * p.blocks + 8) + p.blocks * batch * ((p.maxLength * (p.maxLength + 1)) / 2) + 32 * n + 2 * n * d),
    };
  },
  fit(data: TrainingSet, params: Partial<SasrecParams>, options: FitOptions): SequenceModel {
    const p = { ...sasrecDefaults, ...params };
    const shape = shapeOf(data.nItems, p);
    const layout = sasrecLayout(shape);
    return fitSequenceNetwork({ kind: "sasrec", shape }, layout, (weights, rng) => initSasrec(shape, layout, weights, rng), attentionAttribution, data, p, options);
  },
  deserialize(serialized: SerializedModel): SequenceModel {
    checkAlgorithm("sasrec", serialized);
    const p = { ...sasrecDefaults, ...(serialized.params as Partial<SasrecParams>) };
    const nItems = serialized.meta.nItems as number;
    const net = sasrecNetwork(shapeOf(nItems, p), serializedArray("sasrec", serialized, "weights", Float32Array));
    return sequenceModel("sasrec", net, attentionAttribution, { ...serialized.params }, { ...serialized.meta });
  },
} satisfies Algorithm<SasrecParams> & CostedAlgorithm<SasrecParams>;
