// Evidence for a model without a natural "because" (matrix factorisation, an
// autoencoder): the user's own items closest to the recommended one by the
// cosine of their item vectors, so the API can say "because you watched X".
// Only items the history counts as liked take part: a positive implicit
// value, or for explicit ratings one at or above the user's mean rating.
import { TopKHeap } from "../recommender/TopKHeap";
import type { Evidence, UserHistory } from "../types";

export function factorEvidence(
  factors: Float32Array,
  dim: number,
  history: UserHistory,
  item: number,
  maxEvidence: number,
  explicit = false,
): Evidence[] {
  const nItems = factors.length / dim;
  if (item < 0 || item >= nItems || maxEvidence <= 0 || history.items.length === 0) return [];
  let threshold = 0;
  if (explicit) {
    for (let k = 0; k < history.values.length; k++) threshold += history.values[k];
    threshold /= history.values.length;
  }
  const liked = (v: number) => (explicit ? v >= threshold : v > 0);
  const norm = (r: number) => {
    let s = 0;
    for (let f = 0; f < dim; f++) s += factors[r * dim + f] * factors[r * dim + f];
    return Math.sqrt(s);
  };
  const target = norm(item);
  if (target === 0) return [];
  const top = new TopKHeap(maxEvidence);
  for (let k = 0; k < history.items.length; k++) {
    const j = history.items[k];
    if (j === item || j < 0 || j >= nItems || !liked(history.values[k])) continue;
    const nj = norm(j);
    if (nj === 0) continue;
    let dot = 0;
    for (let f = 0; f < dim; f++) dot += factors[j * dim + f] * factors[item * dim + f];
    const cos = dot / (nj * target);
    if (cos > 0) top.push(j, cos);
  }
  return top.sorted().map((e) => ({ kind: "becauseYouInteracted", item: e.item, weight: e.score }));
}

// Evidence for an item-item model (EASE, RP3beta): the user's items with a
// positive weight towards the recommended one, strongest first (ties keep
// the order of `items`). `weightOf(i, item)` reads the model's weight.
export function itemWeightEvidence(
  items: ArrayLike<number>,
  item: number,
  maxEvidence: number,
  known: (i: number) => boolean,
  weightOf: (from: number, to: number) => number,
): Evidence[] {
  if (!known(item) || maxEvidence <= 0) return [];
  const ev: { kind: "becauseYouInteracted"; item: number; weight: number }[] = [];
  for (let e = 0; e < items.length; e++) {
    const i = items[e];
    if (!known(i)) continue;
    const weight = weightOf(i, item);
    if (weight > 0) ev.push({ kind: "becauseYouInteracted", item: i, weight });
  }
  ev.sort((a, b) => b.weight - a.weight);
  return ev.slice(0, maxEvidence);
}
