// Each user's interactions in time order (TrainingSet.sequences), for the
// sequence-aware models: the "what comes next" signal the order-blind matrix
// throws away. One stable sort by (user, time), so records with the same
// time keep the order they were given (the order they were recorded) and an
// item the user came back to appears once per interaction.
import type { UserSequences } from "../types";

export interface SequenceEntry {
  readonly user: number;
  readonly item: number;
  readonly timestamp: number;
}

export function buildUserSequences(entries: readonly SequenceEntry[], nUsers: number): UserSequences {
  const n = entries.length;
  const order = new Int32Array(n);
  for (let k = 0; k < n; k++) order[k] = k;
  // The index as the last key makes the sort stable whatever the engine's sort is.
  order.sort((a, b) => entries[a].user - entries[b].user || entries[a].timestamp - entries[b].timestamp || a - b);
  const offsets = new Int32Array(nUsers + 1);
  const items = new Int32Array(n);
  const timestamps = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    const e = entries[order[k]];
    offsets[e.user + 1]++;
    items[k] = e.item;
    timestamps[k] = e.timestamp;
  }
  for (let u = 0; u < nUsers; u++) offsets[u + 1] += offsets[u];
  return { offsets, items, timestamps };
}

// One user's sequence (a view, not a copy).
export function sequenceOf(sequences: UserSequences, user: number): Int32Array {
  return sequences.items.subarray(sequences.offsets[user], sequences.offsets[user + 1]);
}
