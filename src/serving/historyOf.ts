// A user's interaction rows (read at request time) as the history a served
// model scores: mapped to its item indices and turned into values by the very
// rules the model was trained with (buildTrainingSet), so a history and a
// training row of the same events are the same numbers.
import { buildTrainingSet } from "../engine/data/buildTrainingSet";
import type { InteractionKind } from "../engine/types";
import type { KnownUserHistory } from "../engine/algorithms/knnBaseline";
import type { InteractionRow } from "../db/rows";
import type { ServedModel } from "./ServedModel";

export function historyOf(served: ServedModel, userId: number, rows: readonly InteractionRow[]): KnownUserHistory {
  const records = [];
  for (const r of rows) {
    const item = served.itemIndex.get(r.itemId);
    // An item added after training has no index: the model cannot use it.
    if (item === undefined) continue;
    records.push({ user: 0, item, kind: r.type as InteractionKind, value: r.value, timestamp: r.occurredAt.getTime() / 1000 });
  }
  const row = buildTrainingSet(records, {
    nUsers: 1,
    nItems: served.items.size,
    explicit: served.training.explicit,
    ratingScale: served.training.ratingScale,
  }).ratings;
  const user = served.users.index(String(userId));
  return { items: row.indices, values: row.values, ...(user !== undefined ? { user } : {}) };
}
