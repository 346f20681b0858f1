// Turns interaction records (dense indices already assigned at the boundary)
// into the TrainingSet every algorithm is fitted on.
import type { InteractionKind, TrainingSet } from "../types";
import { csrFromTriplets, type CsrMatrix } from "./CsrMatrix";
import { buildUserSequences } from "./buildUserSequences";
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
// Volinsky (2008, sec. 2, c = 1 + α·log(1 + r/ε)) do: a thousand plays weigh
// 10.0, ten plays 3.5. An amount of 0 or less (a zero-second play) is no
// evidence.
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
  // Build `sequences` (default true). The serving path turns one user's rows
  // into a history per request and passes false unless it scores sequences.
  sequences?: boolean;
}

const KINDS: readonly InteractionKind[] = ["RATING", "VIEW", "PLAY", "LIKE", "DISLIKE", "PURCHASE", "SKIP"];
const KIND_INDEX = new Map(KINDS.map((k, i) => [k, i]));
const RATING = KIND_INDEX.get("RATING")!;

export function buildTrainingSet(records: readonly InteractionInput[], options: BuildTrainingSetOptions): TrainingSet {
  const { nUsers, nItems, explicit } = options;
  const weights = { ...DEFAULT_INTERACTION_WEIGHTS, ...options.weights };
  const scale = options.ratingScale ?? { min: 1, max: 5 };
  const kept = records.filter((r) => (explicit ? r.kind === "RATING" : weights[r.kind] !== 0));
  for (const r of kept) {
    if (r.user < 0 || r.user >= nUsers || r.item < 0 || r.item >= nItems || !Number.isInteger(r.user) || !Number.isInteger(r.item)) {
      throw new Error(`buildTrainingSet: record (${r.user}, ${r.item}) outside ${nUsers}x${nItems}`);
    }
  }
  const { ratings, timestamps } = explicit
    ? explicitEntries(kept, nUsers, nItems)
    : implicitEntries(kept, options.implicitRatings ?? DEFAULT_IMPLICIT_RATING_RULE, weights, scale, nUsers, nItems);
  return {
    nUsers,
    nItems,
    ratings,
    timestamps,
    ...(options.itemFeatures ? { itemFeatures: options.itemFeatures } : {}),
    ...(explicit ? { ratingScale: scale } : {}),
    ...(options.sequences === false ? {} : { sequences: buildUserSequences(kept.filter((r) => isPositive(r, weights)), nUsers) }),
  };
}

// What goes into a sequence: every rating (a rating, even a low one, says the
// user watched the item at that moment) and every event of a kind with a
// positive weight that carries an amount (a zero-second play, like
// amountConfidence's zero, is no evidence). Skips and dislikes are not
// "what the user went on to", so they are left out.
function isPositive(r: InteractionInput, weights: Readonly<Record<InteractionKind, number>>): boolean {
  return r.kind === "RATING" || (weights[r.kind] > 0 && r.value > 0);
}

// Ratings as they are; the last by time wins (a stable sort by time, so
// "last" means the latest whatever order the records came in).
function explicitEntries(kept: readonly InteractionInput[], nUsers: number, nItems: number): { ratings: CsrMatrix; timestamps: Float64Array } {
  const order = kept.map((_, k) => k).sort((a, b) => kept[a].timestamp - kept[b].timestamp || a - b);
  const rows = new Int32Array(order.length);
  const cols = new Int32Array(order.length);
  const vals = new Float64Array(order.length);
  for (let n = 0; n < order.length; n++) {
    const r = kept[order[n]];
    rows[n] = r.user;
    cols[n] = r.item;
    vals[n] = r.value;
  }
  const ratings = csrFromTriplets(nUsers, nItems, rows, cols, vals, "last");
  const timestamps = new Float64Array(ratings.indices.length).fill(-Infinity);
  for (let n = 0; n < order.length; n++) {
    const pos = findEntry(ratings, rows[n], cols[n]);
    if (pos >= 0) timestamps[pos] = Math.max(timestamps[pos], kept[order[n]].timestamp);
  }
  return { ratings, timestamps };
}

// Implicit confidences, from one sort of the records by (user, item, kind,
// time): per (user, item) the current rating (the latest) through the rule,
// plus each other kind's amountConfidence of its summed amounts; the entry's
// time is the latest of its records. Entries that cancel to exactly zero
// carry no evidence either way and are left out.
function implicitEntries(
  kept: readonly InteractionInput[],
  rule: ImplicitRatingRule,
  weights: Readonly<Record<InteractionKind, number>>,
  scale: { min: number; max: number },
  nUsers: number,
  nItems: number,
): { ratings: CsrMatrix; timestamps: Float64Array } {
  const n = kept.length;
  const kind = new Uint8Array(n);
  // (user, item, kind) as one exact number: below 2^53 up to 10^15 user-item pairs.
  const key = new Float64Array(n);
  const time = new Float64Array(n);
  const order = new Int32Array(n);
  for (let k = 0; k < n; k++) {
    const r = kept[k];
    kind[k] = KIND_INDEX.get(r.kind)!;
    key[k] = (r.user * nItems + r.item) * KINDS.length + kind[k];
    time[k] = r.timestamp;
    order[k] = k;
  }
  order.sort((a, b) => key[a] - key[b] || time[a] - time[b] || a - b);
  const indptr = new Int32Array(nUsers + 1);
  const indices = new Int32Array(n);
  const values = new Float32Array(n);
  const timestamps = new Float64Array(n);
  // One user's items at a time: their current ratings are needed (the
  // user-mean rule) before any of their entries is final.
  const items: number[] = [];
  const rated: number[] = []; // the current rating, NaN when none
  const other: number[] = []; // confidence of the other kinds
  const latest: number[] = [];
  let out = 0;
  const flush = (user: number) => {
    let sum = 0;
    let count = 0;
    for (const r of rated) if (!Number.isNaN(r)) (sum += r), count++;
    const mean = count > 0 ? sum / count : 0;
    for (let e = 0; e < items.length; e++) {
      const c = other[e] + (Number.isNaN(rated[e]) ? 0 : weights.RATING * ratingConfidence(rated[e], rule, scale, mean));
      if (c === 0) continue;
      indices[out] = items[e];
      values[out] = c;
      timestamps[out++] = latest[e];
    }
    indptr[user + 1] = out;
    items.length = rated.length = other.length = latest.length = 0;
  };
  let user = 0;
  let p = 0;
  while (p < n) {
    const first = kept[order[p]];
    while (user < first.user) flush(user++);
    let rating = NaN;
    let confidence = 0;
    let last = -Infinity;
    while (p < n && kept[order[p]].user === first.user && kept[order[p]].item === first.item) {
      const k = kind[order[p]];
      let amount = 0;
      // The records of one kind, oldest first.
      while (p < n && kept[order[p]].user === first.user && kept[order[p]].item === first.item && kind[order[p]] === k) {
        const r = kept[order[p++]];
        if (k === RATING) rating = r.value;
        else if (r.value > 0) amount += r.value;
        if (r.timestamp > last) last = r.timestamp;
      }
      if (k !== RATING) confidence += amountConfidence(weights[KINDS[k]], amount);
    }
    items.push(first.item);
    rated.push(rating);
    other.push(confidence);
    latest.push(last);
  }
  while (user < nUsers) flush(user++);
  return {
    ratings: { nRows: nUsers, nCols: nItems, indptr, indices: indices.slice(0, out), values: values.slice(0, out) },
    timestamps: timestamps.slice(0, out),
  };
}
