// A user's interaction rows (read at request time) as the history a served
// model scores: mapped to its item indices and turned into values by the very
// rules the model was trained with (buildTrainingSet), so a history and a
// training row of the same events are the same numbers.
import { buildTrainingSet } from "../engine/data/buildTrainingSet";
import type { InteractionKind } from "../engine/types";
import type { KnownUserHistory } from "../engine/algorithms/knnBaseline";
import type { InteractionRow } from "../db/rows";
import type { ServedModel } from "./ServedModel";
import { sequenceOf } from "./sequenceOf";

export function historyOf(served: ServedModel, userId: number, rows: readonly InteractionRow[]): KnownUserHistory {
  const known = served.items.size;
  // An item added after training has no index: the model cannot use it, but
  // its rating still counts in the user's mean rating (the user-mean rule), as
  // it would in training. It gets a column past the model's items, dropped below.
  const newer = new Map<number, number>();
  const records = rows.map((r) => {
    let item = served.itemIndex.get(r.itemId);
    if (item === undefined) item = newer.get(r.itemId) ?? newer.set(r.itemId, known + newer.size).get(r.itemId)!;
    return { user: 0, item, kind: r.type as InteractionKind, value: r.value, timestamp: r.occurredAt.getTime() / 1000 };
  });
  const row = buildTrainingSet(records, {
    nUsers: 1,
    nItems: known + newer.size,
    explicit: served.training.explicit,
    ratingScale: served.training.ratingScale,
    implicitRatings: served.training.implicitRatings,
    // Order-blind scoring needs the values only; skip the per-request sort.
    sequences: false,
  }).ratings;
  // Columns are sorted: the model's items come first.
  let end = row.indices.length;
  while (end > 0 && row.indices[end - 1] >= known) end--;
  const user = served.users.index(String(userId));
  // Only a sequence-aware model reads the order: the others pay nothing for it.
  const sequence = served.model.scoreSequence ? { sequence: sequenceOf(served, rows) } : {};
  return { items: row.indices.subarray(0, end), values: row.values.subarray(0, end), ...sequence, ...(user !== undefined ? { user } : {}) };
}
