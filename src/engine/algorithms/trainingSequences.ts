// The time-ordered sequences a next-item model trains on: the training set's
// own (TrainingSet.sequences), or, for a training set built without them,
// each user's rated items ordered by timestamp (ties by item index), which
// is the same thing for data where every entry is a positive interaction.
import type { TrainingSet, UserSequences } from "../types";

export function trainingSequences(data: TrainingSet): UserSequences {
  if (data.sequences) return data.sequences;
  const { indptr, indices } = data.ratings;
  const ts = data.timestamps;
  const items = new Int32Array(indices.length);
  const timestamps = new Float64Array(indices.length);
  const offsets = new Int32Array(data.nUsers + 1);
  for (let u = 0; u < data.nUsers; u++) {
    const order = Array.from({ length: indptr[u + 1] - indptr[u] }, (_, k) => indptr[u] + k);
    if (ts) order.sort((a, b) => ts[a] - ts[b] || indices[a] - indices[b]);
    order.forEach((e, k) => {
      items[indptr[u] + k] = indices[e];
      timestamps[indptr[u] + k] = ts ? ts[e] : 0;
    });
    offsets[u + 1] = indptr[u + 1];
  }
  return { offsets, items, timestamps };
}
