// The training loop the next-item models share (SASRec, GRU4Rec): windows
// of each user's time-ordered sequence, next-item cross-entropy over the
// whole catalog at every position, Adam, and early stopping on each training
// sequence's held-out last item (sequenceValidation.ts), keeping the weights
// of the best validation NDCG@10.
import { adamState, adamStep } from "../nn/adam";
import { sequenceBatch, type SequenceBatch } from "../nn/sequenceBatch";
import type { SequenceNetwork } from "../nn/sequenceNetwork";
import { createRng, shuffle } from "../random";
import type { FitOptions, UserSequences } from "../types";
import { validate, validationSet, type ValidationScore } from "./sequenceValidation";

export interface SequenceTrainingParams {
  // The most recent items a sequence is cut to (the network's window).
  maxLength: number;
  // Windows of maxLength items each user's training sequence is cut into,
  // newest first; 1 trains on the most recent window only, as SASRec's paper.
  windows: number;
  batchSize: number;
  learningRate: number;
  // The most epochs it runs.
  nEpochs: number;
  // Validations without a better NDCG@10 before training stops; 0 turns
  // early stopping off (then every item is a training target).
  patience: number;
  // Epochs between validations.
  validateEvery: number;
}

export interface TrainingOutcome {
  // Epochs of the weights kept, and epochs run.
  epochs: number;
  epochsRun: number;
  validationHr?: number;
  validationNdcg?: number;
  // NDCG@10 of every validation, in order (how training went).
  validationCurve?: number[];
}

// Computes the gradient of a batch (on one thread, or split over several:
// sequenceThreads.ts) into `grad`, returning the loss.
export type GradientFn = (batch: SequenceBatch, grad: Float32Array) => number;

// A 32-bit mix of (seed, epoch, example): the dropout seed of one training
// sequence in one epoch, whatever batch or thread it lands in.
export function exampleSeed(seed: number, epoch: number, example: number): number {
  let h = Math.imul(seed ^ 0x85ebca6b, 0x9e3779b1) ^ Math.imul(epoch + 1, 0xc2b2ae35) ^ Math.imul(example + 1, 0x27d4eb2f);
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d);
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b);
  return (h ^ (h >>> 16)) | 0;
}

// Training windows: [start, end) ranges of `items`, each at most maxLength + 1
// items (inputs are all but the last, targets all but the first).
export function trainingWindows(offsets: Int32Array, holdLast: boolean, maxLength: number, windows: number): { starts: Int32Array; ends: Int32Array } {
  const starts: number[] = [];
  const ends: number[] = [];
  for (let u = 0; u + 1 < offsets.length; u++) {
    const len = offsets[u + 1] - offsets[u];
    let end = offsets[u + 1] - (holdLast && len >= 3 ? 1 : 0);
    for (let w = 0; w < windows && end - offsets[u] >= 2; w++) {
      const start = Math.max(offsets[u], end - maxLength - 1);
      starts.push(start);
      ends.push(end);
      end = start + 1;
    }
  }
  return { starts: Int32Array.from(starts), ends: Int32Array.from(ends) };
}

export function trainSequenceNetwork(
  net: SequenceNetwork,
  sequences: UserSequences,
  p: SequenceTrainingParams,
  options: FitOptions,
  gradient: GradientFn = (batch, grad) => net.gradient(batch, grad),
): TrainingOutcome {
  const { offsets, items } = sequences;
  const validation = p.patience > 0 ? validationSet(offsets, items, p.maxLength) : undefined;
  const validating = validation !== undefined && validation.targets.length > 0;
  const { starts, ends } = trainingWindows(offsets, validating, p.maxLength, Math.max(1, p.windows));
  const examples = starts.length;
  const order = Int32Array.from({ length: examples }, (_, k) => k);
  const batchSize = Math.max(1, Math.min(p.batchSize, examples));
  const batch = sequenceBatch(batchSize, batchSize * p.maxLength);
  const grad = new Float32Array(net.layout.size);
  const adam = adamState(net.layout.size);
  const rng = createRng(options.seed);
  const best = validating ? Float32Array.from(net.params) : undefined;
  let bestScore: ValidationScore = { hr: Number.NEGATIVE_INFINITY, ndcg: Number.NEGATIVE_INFINITY };
  let bestEpoch = 0;
  let sinceBest = 0;
  let epochsRun = 0;
  const curve: number[] = [];
  for (let epoch = 0; epoch < p.nEpochs && examples > 0; epoch++) {
    shuffle(order, rng);
    for (let from = 0; from < examples; from += batchSize) {
      const to = Math.min(examples, from + batchSize);
      let t = 0;
      batch.sequences = to - from;
      for (let b = 0; b < to - from; b++) {
        const x = order[from + b];
        batch.offsets[b] = t;
        batch.seeds[b] = exampleSeed(options.seed, epoch, x);
        for (let e = starts[x]; e < ends[x] - 1; e++) {
          batch.items[t] = items[e];
          batch.targets[t] = items[e + 1];
          t++;
        }
      }
      batch.offsets[to - from] = t;
      batch.lossScale = 1 / t; // the mean over the batch's positions
      grad.fill(0);
      gradient(batch, grad);
      adamStep(net.params, grad, adam, p.learningRate);
    }
    epochsRun = epoch + 1;
    options.onProgress?.(epochsRun / p.nEpochs);
    if (validating && (epochsRun % Math.max(1, p.validateEvery) === 0 || epochsRun === p.nEpochs)) {
      const score = validate(net, validation);
      curve.push(Number(score.ndcg.toFixed(4)));
      if (score.ndcg > bestScore.ndcg) {
        bestScore = score;
        bestEpoch = epochsRun;
        sinceBest = 0;
        best!.set(net.params);
      } else if (++sinceBest >= p.patience) break;
    }
  }
  if (!validating) return { epochs: epochsRun, epochsRun };
  net.params.set(best!);
  return { epochs: bestEpoch, epochsRun, validationHr: bestScore.hr, validationNdcg: bestScore.ndcg, validationCurve: curve };
}
