// Scores one held-out next item per user (the leave-last-out protocol): the
// model ranks every item of the catalog for the user, leaving out the items
// already in the user's sequence, and the target's rank r (1-based) gives
//   HR@k   = 1 if r <= k
//   NDCG@k = 1 / log2(r + 1) if r <= k (one relevant item, so the ideal DCG is 1)
//   MRR@k  = 1 / r if r <= k
// each 0 otherwise, averaged over users. A sequence-aware model is asked with
// the user's training sequence (Model.scoreSequence: the whole sequence but
// the held-out items); an order-blind one scores the trained user as usual
// (scoreAll), so the difference between them is what the order adds.
import type { Model, TrainingSet } from "../engine/types";
import type { RatingTable } from "./datasets";
import type { Metrics } from "./runner";
import { topK } from "./topK";

export function rankNextItems(
  table: RatingTable,
  train: TrainingSet,
  model: Model,
  targets: Int32Array,
  k: number,
  now: () => number,
  report: (fraction: number) => void,
): { metrics: Metrics; ms: number } {
  const sequences = train.sequences!;
  const seenBy = new Int32Array(train.nItems).fill(-1);
  let hits = 0;
  let ndcg = 0;
  let mrr = 0;
  let ms = 0;
  for (let t = 0; t < targets.length; t++) {
    const user = table.users[targets[t]];
    const target = table.items[targets[t]];
    const sequence = sequences.items.subarray(sequences.offsets[user], sequences.offsets[user + 1]);
    for (const item of sequence) seenBy[item] = user;
    const t0 = now();
    const scores = model.scoreSequence ? model.scoreSequence(sequence) : model.scoreAll(user);
    const list = topK(scores, k, (item) => seenBy[item] !== user);
    ms += now() - t0;
    const rank = list.indexOf(target) + 1;
    if (rank > 0) {
      hits++;
      ndcg += 1 / Math.log2(rank + 1);
      mrr += 1 / rank;
    }
    if (t % 50 === 0) report(t / targets.length);
  }
  const n = targets.length;
  return {
    metrics: { [`hr@${k}`]: n ? hits / n : 0, [`ndcg@${k}`]: n ? ndcg / n : 0, [`mrr@${k}`]: n ? mrr / n : 0 },
    ms,
  };
}
