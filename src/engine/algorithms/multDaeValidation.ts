// Early stopping for Mult-DAE: a validation split made from the training set
// itself, as the paper's protocol does with held-out users (Liang et al.
// 2018, sec. 4.2: choose the epoch by validation nDCG). A seeded share of the
// users with enough history give 20% of their entries (at least one) to the
// validation side; training sees the rest. After each epoch the network
// ranks every item for those users from their remaining entries, without
// dropout, and nDCG@10 of the held-out entries says whether it still improves.
import { createRng } from "../random";
import type { TrainingSet } from "../types";
import { daeDecode, daeEncode, type DaeWeights } from "./multDaeNetwork";

export interface DaeValidationSplit {
  // The training rows without the held-out entries (every user, CSR over items).
  readonly indptr: Int32Array;
  readonly indices: Int32Array;
  // Validation users and, per user, their held-out items in heldItems[heldIndptr[v] .. heldIndptr[v+1]).
  readonly users: Int32Array;
  readonly heldIndptr: Int32Array;
  readonly heldItems: Int32Array;
}

// Users with fewer entries than this keep them all (20% of 4 is less than one).
const MIN_ENTRIES = 5;

export function daeValidationSplit(data: TrainingSet, userFraction: number, seed: number): DaeValidationSplit {
  const { indptr, indices } = data.ratings;
  const rng = createRng(seed ^ 0x5be0cd19);
  const chosen = new Uint8Array(data.nUsers);
  const users: number[] = [];
  for (let u = 0; u < data.nUsers; u++) {
    if (indptr[u + 1] - indptr[u] >= MIN_ENTRIES && rng.next() < userFraction) {
      chosen[u] = 1;
      users.push(u);
    }
  }
  const held = new Uint8Array(indices.length);
  for (const u of users) {
    const start = indptr[u];
    const n = indptr[u + 1] - start;
    const count = Math.max(1, Math.round(0.2 * n));
    // A partial Fisher-Yates shuffle of the row's positions picks `count` of them.
    const positions = Int32Array.from({ length: n }, (_, k) => start + k);
    for (let k = 0; k < count; k++) {
      const j = k + rng.int(n - k);
      const tmp = positions[k];
      positions[k] = positions[j];
      positions[j] = tmp;
      held[positions[k]] = 1;
    }
  }
  const outIndptr = new Int32Array(data.nUsers + 1);
  const outIndices: number[] = [];
  const heldIndptr = new Int32Array(users.length + 1);
  const heldItems: number[] = [];
  let v = 0;
  for (let u = 0; u < data.nUsers; u++) {
    for (let e = indptr[u]; e < indptr[u + 1]; e++) {
      if (held[e]) heldItems.push(indices[e]);
      else outIndices.push(indices[e]);
    }
    outIndptr[u + 1] = outIndices.length;
    if (chosen[u]) heldIndptr[++v] = heldItems.length;
  }
  return {
    indptr: outIndptr,
    indices: Int32Array.from(outIndices),
    users: Int32Array.from(users),
    heldIndptr,
    heldItems: Int32Array.from(heldItems),
  };
}

const K = 10;

// Mean nDCG@10 (binary relevance, ideal DCG over min(10, held-out) hits) of
// the held-out items, ranking all items but the user's training entries.
// `hid` (hidden) and `out` (items) are scratch rows.
export function daeValidationNdcg(net: DaeWeights, split: DaeValidationSplit, hid: Float32Array, out: Float32Array): number {
  const { indptr, indices, users, heldIndptr, heldItems } = split;
  if (users.length === 0) return 0;
  const values = new Float32Array(indices.length);
  const topItems = new Int32Array(K);
  const topScores = new Float64Array(K);
  const discount = Array.from({ length: K }, (_, r) => 1 / Math.log2(r + 2));
  let total = 0;
  for (let v = 0; v < users.length; v++) {
    const u = users[v];
    const start = indptr[u];
    const end = indptr[u + 1];
    const xv = end > start ? 1 / Math.sqrt(end - start) : 0;
    for (let e = start; e < end; e++) values[e] = xv;
    daeEncode(net, indices, values, start, end, hid, 0);
    daeDecode(net, hid, out, 0);
    for (let e = start; e < end; e++) out[indices[e]] = Number.NEGATIVE_INFINITY;
    // Top 10 by insertion (score descending, lower item first on ties).
    let size = 0;
    for (let i = 0; i < out.length; i++) {
      const s = out[i];
      if (s === Number.NEGATIVE_INFINITY || (size === K && s <= topScores[K - 1])) continue;
      let r = size < K ? size++ : K - 1;
      while (r > 0 && topScores[r - 1] < s) {
        topScores[r] = topScores[r - 1];
        topItems[r] = topItems[r - 1];
        r--;
      }
      topScores[r] = s;
      topItems[r] = i;
    }
    const nHeld = heldIndptr[v + 1] - heldIndptr[v];
    let dcg = 0;
    for (let r = 0; r < size; r++) {
      for (let e = heldIndptr[v]; e < heldIndptr[v + 1]; e++) {
        if (heldItems[e] === topItems[r]) {
          dcg += discount[r];
          break;
        }
      }
    }
    let ideal = 0;
    for (let r = 0; r < Math.min(K, nHeld); r++) ideal += discount[r];
    total += dcg / ideal;
  }
  return total / users.length;
}
