// The sequences a sequence-aware model trains on: TrainingSet.sequences when
// the builder made them, otherwise each user's positive entries ordered by
// their timestamps (by item when there are none), so a model fitted on a
// hand-made TrainingSet still sees an order, if a coarser one.
import type { TrainingSet, UserSequences } from "../types";
import { buildUserSequences, type SequenceEntry } from "./buildUserSequences";

export function trainingSequences(data: TrainingSet): UserSequences {
  if (data.sequences) return data.sequences;
  const R = data.ratings;
  const entries: SequenceEntry[] = [];
  for (let u = 0; u < data.nUsers; u++) {
    for (let k = R.indptr[u]; k < R.indptr[u + 1]; k++) {
      if (data.ratingScale === undefined && !(R.values[k] > 0)) continue;
      entries.push({ user: u, item: R.indices[k], timestamp: data.timestamps?.[k] ?? 0 });
    }
  }
  return buildUserSequences(entries, data.nUsers);
}
