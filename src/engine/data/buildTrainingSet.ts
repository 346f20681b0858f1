// Turns interaction records (dense indices already assigned at the boundary)
// into the TrainingSet every algorithm is fitted on.
import type { InteractionKind, TrainingSet } from "../types";
import { csrFromTriplets, type CsrMatrix } from "./CsrMatrix";
import { findEntry } from "./findEntry";

export interface InteractionInput {
  user: number;
  item: number;
  kind: InteractionKind;
  // The stars for RATING; ignored for the other kinds (each record is one event).
  value: number;
  // Seconds since the epoch.
  timestamp: number;
}

// Implicit confidence contributed by one event of each kind. Why these numbers:
// - PURCHASE 4 > LIKE 3: money spent is the costliest signal a user can give,
//   an explicit like is cheap but deliberate (the ordering follows the
//   "confidence" reading of implicit feedback in Hu, Koren & Volinsky 2008,
//   where stronger actions mean we are surer of the preference).
// - PLAY 1, VIEW 1: a single exposure says little; repeated plays add up
//   (duplicates are summed), so a song played ten times outweighs one like.
// - SKIP -1, DISLIKE -2: negative evidence. A skip is a weak "not now", a
//   dislike a deliberate "no"; keeping them negative lets the sum of a view
//   followed by a dislike cancel out instead of counting as a success.
// - RATING 1 is a multiplier on the rating centred on the middle of the scale
//   (see ratingToConfidence): on 1..5 a 5 gives +2, a 3 gives 0, a 1 gives -2,
//   so a poor rating is a dislike, not a weak like.
export const DEFAULT_INTERACTION_WEIGHTS: Readonly<Record<InteractionKind, number>> = {
  PURCHASE: 4,
  LIKE: 3,
  PLAY: 1,
  VIEW: 1,
  RATING: 1,
  SKIP: -1,
  DISLIKE: -2,
};

export interface BuildTrainingSetOptions {
  nUsers: number;
  nItems: number;
  // true: keep only RATING records and their values (the last rating by time
  // wins, because a re-sent rating means the user changed their mind).
  // false: sum implicit confidences over all kinds.
  explicit: boolean;
  weights?: Partial<Record<InteractionKind, number>>;
  // Defaults to 1..5. Kept on the TrainingSet only when explicit.
  ratingScale?: { min: number; max: number };
  itemFeatures?: CsrMatrix;
}

export function ratingToConfidence(rating: number, scale: { min: number; max: number }): number {
  return rating - (scale.min + scale.max) / 2;
}

export function buildTrainingSet(records: readonly InteractionInput[], options: BuildTrainingSetOptions): TrainingSet {
  const { nUsers, nItems, explicit } = options;
  const weights = { ...DEFAULT_INTERACTION_WEIGHTS, ...options.weights };
  const scale = options.ratingScale ?? { min: 1, max: 5 };

  // Stable sort by time so that "last" means the latest, whatever order the
  // records came in.
  const kept = records.filter((r) => (explicit ? r.kind === "RATING" : weights[r.kind] !== 0));
  const order = kept.map((_, k) => k).sort((a, b) => kept[a].timestamp - kept[b].timestamp || a - b);
  const rows = new Int32Array(order.length);
  const cols = new Int32Array(order.length);
  const vals = new Float64Array(order.length);
  order.forEach((k, n) => {
    const r = kept[k];
    rows[n] = r.user;
    cols[n] = r.item;
    vals[n] = explicit
      ? r.value
      : r.kind === "RATING"
        ? weights.RATING * ratingToConfidence(r.value, scale)
        : weights[r.kind];
  });
  let ratings = csrFromTriplets(nUsers, nItems, rows, cols, vals, explicit ? "last" : "sum");
  // Implicit entries that cancel to exactly zero carry no evidence either way.
  if (!explicit) ratings = dropZeros(ratings);

  const timestamps = new Float64Array(ratings.indices.length).fill(-Infinity);
  for (let n = 0; n < order.length; n++) {
    const pos = findEntry(ratings, rows[n], cols[n]);
    if (pos >= 0) timestamps[pos] = Math.max(timestamps[pos], kept[order[n]].timestamp);
  }

  return {
    nUsers,
    nItems,
    ratings,
    timestamps,
    ...(options.itemFeatures ? { itemFeatures: options.itemFeatures } : {}),
    ...(explicit ? { ratingScale: scale } : {}),
  };
}

function dropZeros(m: CsrMatrix): CsrMatrix {
  const indptr = new Int32Array(m.nRows + 1);
  const indices: number[] = [];
  const values: number[] = [];
  for (let r = 0; r < m.nRows; r++) {
    for (let k = m.indptr[r]; k < m.indptr[r + 1]; k++) {
      if (m.values[k] !== 0) {
        indices.push(m.indices[k]);
        values.push(m.values[k]);
      }
    }
    indptr[r + 1] = indices.length;
  }
  return { nRows: m.nRows, nCols: m.nCols, indptr, indices: Int32Array.from(indices), values: Float32Array.from(values) };
}
