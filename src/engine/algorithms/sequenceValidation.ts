// Early stopping for the next-item models: each training sequence's last
// item is held out as a validation target (as the leave-last-out protocol
// holds out the one before the test item), the network reads the items
// before it, and HR@10 and NDCG@10 of the held-out item are measured over
// the whole catalog, leaving out the items the input already has.
import { sequenceBatch } from "../nn/sequenceBatch";
import { scoreItems, type SequenceNetwork } from "../nn/sequenceNetwork";

export interface ValidationSet {
  // users × (input range in `items`, target)
  readonly starts: Int32Array;
  readonly ends: Int32Array;
  readonly targets: Int32Array;
  readonly items: Int32Array;
}

export interface ValidationScore {
  hr: number;
  ndcg: number;
}

export const VALIDATION_CUTOFF = 10;

// Validation targets of every sequence with at least 3 items (two to train
// on, one to validate); the input is the maxLength items before the target.
export function validationSet(offsets: Int32Array, items: Int32Array, maxLength: number): ValidationSet {
  const starts: number[] = [];
  const ends: number[] = [];
  const targets: number[] = [];
  for (let u = 0; u + 1 < offsets.length; u++) {
    const len = offsets[u + 1] - offsets[u];
    if (len < 3) continue;
    const end = offsets[u + 1] - 1;
    starts.push(Math.max(offsets[u], end - maxLength));
    ends.push(end);
    targets.push(items[end]);
  }
  return { starts: Int32Array.from(starts), ends: Int32Array.from(ends), targets: Int32Array.from(targets), items };
}

// Rank of `target` among the scores, items in `seen` left out: 0 is first.
export function rankOf(scores: Float32Array, target: number, seen: Set<number>): number {
  const s = scores[target];
  let rank = 0;
  for (let i = 0; i < scores.length; i++) {
    if (i === target || seen.has(i)) continue;
    // Ties count against the target, so a constant model scores nothing.
    if (scores[i] >= s) rank++;
  }
  return rank;
}

export function validate(net: SequenceNetwork, set: ValidationSet, batchSize = 64): ValidationScore {
  const users = set.targets.length;
  if (users === 0) return { hr: 0, ndcg: 0 };
  const d = net.dim;
  const batch = sequenceBatch(batchSize, batchSize * net.maxLength);
  const states = new Float32Array(batchSize * d);
  const scores = new Float32Array(net.nItems);
  let hr = 0;
  let ndcg = 0;
  for (let from = 0; from < users; from += batchSize) {
    const to = Math.min(users, from + batchSize);
    let t = 0;
    batch.sequences = to - from;
    for (let v = from; v < to; v++) {
      batch.offsets[v - from] = t;
      for (let e = set.starts[v]; e < set.ends[v]; e++) batch.items[t++] = set.items[e];
    }
    batch.offsets[to - from] = t;
    net.encodeLast(batch, states);
    for (let v = from; v < to; v++) {
      scoreItems(net, states, (v - from) * d, scores);
      const rank = rankOf(scores, set.targets[v], new Set(set.items.subarray(set.starts[v], set.ends[v])));
      if (rank < VALIDATION_CUTOFF) {
        hr++;
        ndcg += 1 / Math.log2(rank + 2);
      }
    }
  }
  return { hr: hr / users, ndcg: ndcg / users };
}
