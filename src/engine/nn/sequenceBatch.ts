// A batch of training sequences for the next-item models (SASRec, GRU4Rec),
// laid end to end with no padding: sequence s is tokens
// offsets[s] .. offsets[s + 1]; token t's input is items[t] and its next
// item, the target, targets[t] (−1: no loss at t). Each sequence carries its
// own dropout seed, so a sequence's dropout masks do not depend on which
// other sequences share its batch or its thread.
export interface SequenceBatch {
  sequences: number;
  readonly offsets: Int32Array;
  readonly items: Int32Array;
  readonly targets: Int32Array;
  readonly seeds: Int32Array;
  // Multiplies the loss: 1 / (targets in the whole batch), the mean over tokens.
  lossScale: number;
}

export function sequenceBatch(maxSequences: number, maxTokens: number): SequenceBatch {
  return {
    sequences: 0,
    offsets: new Int32Array(maxSequences + 1),
    items: new Int32Array(maxTokens),
    targets: new Int32Array(maxTokens),
    seeds: new Int32Array(maxSequences),
    lossScale: 1,
  };
}

// The part of a batch holding sequences [from, to), re-based to start at
// token 0 (views into the same arrays, offsets copied).
export function batchPart(batch: SequenceBatch, from: number, to: number): SequenceBatch {
  const base = batch.offsets[from];
  const offsets = new Int32Array(to - from + 1);
  for (let s = from; s <= to; s++) offsets[s - from] = batch.offsets[s] - base;
  const end = batch.offsets[to];
  return {
    sequences: to - from,
    offsets,
    items: batch.items.subarray(base, end),
    targets: batch.targets.subarray(base, end),
    seeds: batch.seeds.subarray(from, to),
    lossScale: batch.lossScale,
  };
}
