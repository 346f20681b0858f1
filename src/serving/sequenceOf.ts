// A user's interactions in time order as a served model's item positions:
// what a sequence-aware model (Model.scoreSequence) reads. The rows come
// oldest first (the history statements order them by time, then by id: the
// order they were recorded), the order buildTrainingSet's `sequences` keep,
// and the same events count: ratings, and events whose kind has a positive
// weight (a skip or a dislike is not a step of the sequence).
import { DEFAULT_INTERACTION_WEIGHTS } from "../engine/data/buildTrainingSet";
import type { InteractionKind } from "../engine/types";
import type { InteractionRow } from "../db/rows";
import type { ServedModel } from "./ServedModel";

export function isSequenceStep(kind: InteractionKind): boolean {
  return kind === "RATING" || DEFAULT_INTERACTION_WEIGHTS[kind] > 0;
}

// `session`: database ids of items the client says were just interacted
// with, oldest first (upNext's context), placed after the history; an item
// both recorded and in the session counts once, at its place in the
// session (the session is the latest thing the user did). Items the model
// was not trained on are left out: it has nothing to say about them.
export function sequenceOf(served: ServedModel, rows: readonly InteractionRow[], session: readonly number[] = []): Int32Array {
  const inSession = session.length > 0 ? new Set(session) : undefined;
  const out: number[] = [];
  for (const r of rows) {
    if (!isSequenceStep(r.type as InteractionKind) || inSession?.has(r.itemId)) continue;
    const i = served.itemIndex.get(r.itemId);
    if (i !== undefined) out.push(i);
  }
  for (const id of session) {
    const i = served.itemIndex.get(id);
    if (i !== undefined) out.push(i);
  }
  return Int32Array.from(out);
}
