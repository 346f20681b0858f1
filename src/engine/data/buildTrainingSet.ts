// Turns interaction records (dense indices already assigned at the boundary)
// into the TrainingSet every algorithm is fitted on.
import type { InteractionKind, TrainingSet } from "../types";
import { csrFromTriplets, type CsrMatrix } from "./CsrMatrix";
import { findEntry } from "./findEntry";
import { DEFAULT_IMPLICIT_RATING_RULE, ratingConfidence, type ImplicitRatingRule } from "./implicitRatings";

export interface InteractionInput {
  user: number;
  item: number;
  kind: InteractionKind;
  // The stars for RATING; for the other kinds the amount the event carries
  // (plays, minutes watched, copies bought; 1 for a plain event).
  value: number;
  // Seconds since the epoch.
  timestamp: number;
}

// Implicit confidence of each kind of event, per unit of log-amount (see
// amountConfidence). Why these numbers:
// - PURCHASE 4 > LIKE 3: money spent is the costliest signal a user can give,
//   an explicit like is cheap but deliberate (the ordering follows the
//   "confidence" reading of implicit feedback in Hu, Koren & Volinsky 2008,
//   where stronger actions mean we are surer of the preference).
// - PLAY 1, VIEW 1: a single exposure says little; repeated plays add up
//   (log-scaled), so a song played ten times (3.46) outweighs one like.
// - SKIP -1, DISLIKE -2: negative evidence. A skip is a weak "not now", a
//   dislike a deliberate "no"; keeping them negative lets the sum of a view
//   followed by a dislike cancel out instead of counting as a success.
// - RATING 1 multiplies the rating's confidence under the implicit rating
//   rule (implicitRatings.ts; by default every rating is a positive from 1 at
//   the bottom of the scale to 5 at the top).
export const DEFAULT_INTERACTION_WEIGHTS: Readonly<Record<InteractionKind, number>> = {
  PURCHASE: 4,
  LIKE: 3,
  PLAY: 1,
  VIEW: 1,
  RATING: 1,
  SKIP: -1,
  DISLIKE: -2,
};

// Confidence of a non-rating kind from the total amount a user gave an item
// (all events of that kind summed first, so 42 plays in one event or in 42
// events are the same evidence): weight × log2(1 + amount). One event of
// amount 1 gives the weight itself; the log damps heavy use as Hu, Koren &
// Volinsky (2008, sec. 2, c = 1 + α·log(1 + r/ε)) do, so a thousand plays are
// about 10 plays' confidence, not a hundred times it. An amount of 0 or less
// (a zero-second play) is no evidence.
export function amountConfidence(weight: number, amount: number): number {
  return amount > 0 ? weight * Math.log2(1 + amount) : 0;
}

export interface BuildTrainingSetOptions {
  nUsers: number;
  nItems: number;
  // true: keep only RATING records and their values (the last rating by time
  // wins, because a re-sent rating means the user changed their mind).
  // false: implicit confidences summed over all kinds (amountConfidence for
  // events; the user's current rating of an item through `implicitRatings`).
  explicit: boolean;
  weights?: Partial<Record<InteractionKind, number>>;
  // Defaults to 1..5. Kept on the TrainingSet only when explicit.
  ratingScale?: { min: number; max: number };
  // How a rating reads as implicit feedback; default graded.
  implicitRatings?: ImplicitRatingRule;
  itemFeatures?: CsrMatrix;
}

const KINDS: readonly InteractionKind[] = ["RATING", "VIEW", "PLAY", "LIKE", "DISLIKE", "PURCHASE", "SKIP"];
const KIND_INDEX = new Map(KINDS.map((k, i) => [k, i]));

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
  order.forEach((k, n) => {
    rows[n] = kept[k].user;
    cols[n] = kept[k].item;
  });
  let ratings: CsrMatrix;
  if (explicit) {
    ratings = csrFromTriplets(nUsers, nItems, rows, cols, Float64Array.from(order, (k) => kept[k].value), "last");
  } else {
    ratings = implicitMatrix(kept, order, options.implicitRatings ?? DEFAULT_IMPLICIT_RATING_RULE, weights, scale, nUsers, nItems);
  }

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

// Implicit confidences: per (user, item), the current rating (the latest)
// through the rule, plus each other kind's amountConfidence of its summed
// amounts. Entries that cancel to exactly zero carry no evidence either way.
function implicitMatrix(
  kept: readonly InteractionInput[],
  order: readonly number[],
  rule: ImplicitRatingRule,
  weights: Readonly<Record<InteractionKind, number>>,
  scale: { min: number; max: number },
  nUsers: number,
  nItems: number,
): CsrMatrix {
  const nKinds = KINDS.length;
  let nRated = 0;
  for (const r of kept) if (r.kind === "RATING") nRated++;
  const rated = { rows: new Int32Array(nRated), cols: new Int32Array(nRated), vals: new Float64Array(nRated) };
  const nEvents = kept.length - nRated;
  const events = { rows: new Int32Array(nEvents), cols: new Int32Array(nEvents), vals: new Float64Array(nEvents) };
  let a = 0;
  let b = 0;
  for (const k of order) {
    const r = kept[k];
    if (r.kind === "RATING") {
      rated.rows[a] = r.user;
      rated.cols[a] = r.item;
      rated.vals[a++] = r.value;
    } else {
      events.rows[b] = r.user;
      events.cols[b] = r.item * nKinds + KIND_INDEX.get(r.kind)!;
      events.vals[b++] = Math.max(0, r.value);
    }
  }
  const current = csrFromTriplets(nUsers, nItems, rated.rows, rated.cols, rated.vals, "last");
  const amounts = csrFromTriplets(nUsers, nItems * nKinds, events.rows, events.cols, events.vals, "sum");
  const size = current.indices.length + amounts.indices.length;
  const out = { rows: new Int32Array(size), cols: new Int32Array(size), vals: new Float64Array(size) };
  let n = 0;
  for (let u = 0; u < nUsers; u++) {
    let sum = 0;
    for (let e = current.indptr[u]; e < current.indptr[u + 1]; e++) sum += current.values[e];
    const mean = sum / Math.max(1, current.indptr[u + 1] - current.indptr[u]);
    for (let e = current.indptr[u]; e < current.indptr[u + 1]; e++) {
      out.rows[n] = u;
      out.cols[n] = current.indices[e];
      out.vals[n++] = weights.RATING * ratingConfidence(current.values[e], rule, scale, mean);
    }
    for (let e = amounts.indptr[u]; e < amounts.indptr[u + 1]; e++) {
      const c = amounts.indices[e];
      out.rows[n] = u;
      out.cols[n] = Math.floor(c / nKinds);
      out.vals[n++] = amountConfidence(weights[KINDS[c % nKinds]], amounts.values[e]);
    }
  }
  return dropZeros(csrFromTriplets(nUsers, nItems, out.rows, out.cols, out.vals, "sum"));
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
