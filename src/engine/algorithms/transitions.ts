// Item-to-item transitions: "what follows what". For every item, how often
// each other item came within the next few interactions of the same user
// (closer means more), as a distribution over successors; a sequence is
// scored by mixing the rows of its most recent items, the latest counting
// most. A first-order Markov chain (Rendle, Freudenthaler & Schmidt-Thieme
// 2010, FPMC's transition part, estimated by counting) widened to a short
// window, as the "sequential rules" baseline of Ludewig & Jannach (2018,
// "Evaluation of session-based recommendation algorithms", SR: successors
// within a few steps, weighted 1/distance) does; it is a strong baseline for
// next-item prediction on MovieLens.
//
// State: each item's top successors (item-side, an aggregate over users).
// The fitted model also scores its training users from their sequences
// (scoreAll, for offline evaluation); a stored version keeps only the
// successors, so it holds nothing per user and is served from each user's
// current history (scoreSequence), as a stored iALS version is.
import type { CsrMatrix } from "../data/CsrMatrix";
import { sequenceOf } from "../data/buildUserSequences";
import { trainingSequences } from "../data/trainingSequences";
import type { Algorithm, Evidence, FitOptions, Model, SerializedModel, TrainingSet, UserSequences } from "../types";
import { checkAlgorithm, serializedArray } from "./serializedArray";
import { NO_USER_STATE } from "../userState";

const NO_SEQUENCES: UserSequences = { offsets: new Int32Array(1), items: new Int32Array(0), timestamps: new Float64Array(0) };

export interface TransitionsParams {
  // How many later interactions of the same user count as successors of an item.
  window: number;
  // A successor d steps later counts distanceDecay^(d-1) (1 for the very next).
  distanceDecay: number;
  // Successors kept per item (the strongest), which bounds the state at
  // maxSuccessors × items whatever the number of users.
  maxSuccessors: number;
  // How many of the sequence's latest items are mixed when scoring.
  recent: number;
  // The k-th latest item's row (k = 0 for the last) weighs recencyDecay^k.
  recencyDecay: number;
  // Each row is a distribution over successors, divided by the successor's
  // overall count to this power: 0 keeps the plain conditional probability,
  // higher values discount items that follow everything (the popular ones).
  popularityDiscount: number;
}

// Chosen on validation targets (the second-to-last item of each user, never
// the test targets) of leave-last-out, by the mean over ML-100K and
// ml-latest-small of NDCG@10 relative to each dataset's best, the same values
// on both. A window of 8 with a mild decay over the latest 12 items scored
// NDCG@10 0.121 (ML-100K) and 0.074 (ml-latest-small), against 0.072 and
// 0.047 for the plain next-item chain (window 1, the last item only) and
// 0.087 and 0.061 for window 3 over the latest 3; a popularity discount of
// 0.5 cost a third. See BENCHMARKS.md.
export const TRANSITIONS_DEFAULTS: TransitionsParams = {
  window: 8,
  distanceDecay: 0.9,
  maxSuccessors: 200,
  recent: 12,
  recencyDecay: 0.75,
  popularityDiscount: 0,
};

export interface TransitionsModel extends Model {
  // item x item: row i holds i's successors and their normalised weights.
  readonly successors: CsrMatrix;
  scoreSequence(sequence: Int32Array): Float32Array;
  explainSequence(sequence: Int32Array, item: number, maxEvidence: number): Evidence[];
}

export function countTransitions(sequences: UserSequences, nItems: number, p: TransitionsParams): CsrMatrix {
  const { offsets, items } = sequences;
  const nUsers = offsets.length - 1;
  // Where each item occurs (positions into `items`), to build one row at a time.
  const start = new Int32Array(nItems + 1);
  for (let k = 0; k < items.length; k++) start[items[k] + 1]++;
  for (let i = 0; i < nItems; i++) start[i + 1] += start[i];
  const fill = start.slice(0, nItems);
  const at = new Int32Array(items.length);
  const endOf = new Int32Array(items.length); // end of the position's user row
  for (let u = 0; u < nUsers; u++) {
    for (let k = offsets[u]; k < offsets[u + 1]; k++) {
      at[fill[items[k]]++] = k;
      endOf[k] = offsets[u + 1];
    }
  }
  const weight = Array.from({ length: p.window }, (_, d) => p.distanceDecay ** d);
  const row = new Float64Array(nItems);
  const touched: number[] = [];
  const rows: { indices: Int32Array; values: Float64Array }[] = [];
  const incoming = new Float64Array(nItems);
  for (let i = 0; i < nItems; i++) {
    for (let q = start[i]; q < start[i + 1]; q++) {
      const k = at[q];
      const end = Math.min(endOf[k], k + 1 + p.window);
      for (let n = k + 1; n < end; n++) {
        const j = items[n];
        if (j === i) continue; // coming back to the same item is not a transition
        if (row[j] === 0) touched.push(j);
        row[j] += weight[n - k - 1];
      }
    }
    let total = 0;
    for (const j of touched) total += row[j];
    // The strongest successors, ties to the lower index.
    touched.sort((a, b) => row[b] - row[a] || a - b);
    const kept = touched.slice(0, p.maxSuccessors).sort((a, b) => a - b);
    const values = new Float64Array(kept.length);
    kept.forEach((j, n) => {
      values[n] = row[j] / total;
      incoming[j] += row[j];
    });
    rows.push({ indices: Int32Array.from(kept), values });
    for (const j of touched) row[j] = 0;
    touched.length = 0;
  }
  const indptr = new Int32Array(nItems + 1);
  rows.forEach((r, i) => (indptr[i + 1] = indptr[i] + r.indices.length));
  const indices = new Int32Array(indptr[nItems]);
  const values = new Float32Array(indptr[nItems]);
  rows.forEach((r, i) => {
    indices.set(r.indices, indptr[i]);
    for (let n = 0; n < r.indices.length; n++) {
      const j = r.indices[n];
      values[indptr[i] + n] = p.popularityDiscount > 0 ? r.values[n] / incoming[j] ** p.popularityDiscount : r.values[n];
    }
  });
  return { nRows: nItems, nCols: nItems, indptr, indices, values };
}

function transitionsModel(successors: CsrMatrix, sequences: UserSequences, params: TransitionsParams): TransitionsModel {
  const nItems = successors.nRows;
  // The latest items that have a row, newest first, with their weights; items
  // the model never saw (cold, or added after training) are passed over.
  const recentOf = (sequence: Int32Array): { item: number; weight: number }[] => {
    const out: { item: number; weight: number }[] = [];
    for (let n = sequence.length - 1; n >= 0 && out.length < params.recent; n--) {
      const i = sequence[n];
      if (i < 0 || i >= nItems) continue;
      out.push({ item: i, weight: params.recencyDecay ** out.length });
    }
    return out;
  };
  const scoreSequence = (sequence: Int32Array): Float32Array => {
    const scores = new Float32Array(nItems);
    for (const { item, weight } of recentOf(sequence)) {
      for (let k = successors.indptr[item]; k < successors.indptr[item + 1]; k++) scores[successors.indices[k]] += weight * successors.values[k];
    }
    return scores;
  };
  const explainSequence = (sequence: Int32Array, item: number, maxEvidence: number): Evidence[] => {
    const evidence = new Map<number, number>();
    for (const { item: i, weight } of recentOf(sequence)) {
      for (let k = successors.indptr[i]; k < successors.indptr[i + 1]; k++) {
        if (successors.indices[k] === item) evidence.set(i, (evidence.get(i) ?? 0) + weight * successors.values[k]);
      }
    }
    return [...evidence]
      .sort((a, b) => b[1] - a[1] || a[0] - b[0])
      .slice(0, Math.max(0, maxEvidence))
      .map(([i, weight]) => ({ kind: "becauseYouJustInteracted", item: i, weight }));
  };
  const nUsers = sequences.offsets.length - 1;
  const userSequence = (user: number): Int32Array => (user >= 0 && user < nUsers ? sequenceOf(sequences, user) : new Int32Array(0));
  return {
    name: "transitions",
    successors,
    scoreAll: (user) => scoreSequence(userSequence(user)),
    explain: (user, item, maxEvidence) => explainSequence(userSequence(user), item, maxEvidence),
    scoreSequence,
    explainSequence,
    serialize: (): SerializedModel => ({
      algorithm: "transitions",
      params: { ...params },
      meta: { nItems },
      arrays: {
        "successors.indptr": successors.indptr,
        "successors.indices": successors.indices,
        "successors.values": successors.values as Float32Array,
      },
      userState: NO_USER_STATE,
    }),
  };
}

export const transitions = {
  name: "transitions",
  defaults: TRANSITIONS_DEFAULTS,
  fit(data: TrainingSet, params: Partial<TransitionsParams>, _options: FitOptions): TransitionsModel {
    const p = { ...TRANSITIONS_DEFAULTS, ...params };
    const sequences = trainingSequences(data);
    return transitionsModel(countTransitions(sequences, data.nItems, p), sequences, p);
  },
  deserialize(serialized: SerializedModel): TransitionsModel {
    checkAlgorithm("transitions", serialized);
    const indptr = serializedArray("transitions", serialized, "successors.indptr", Int32Array);
    const successors: CsrMatrix = {
      nRows: indptr.length - 1,
      nCols: indptr.length - 1,
      indptr,
      indices: serializedArray("transitions", serialized, "successors.indices", Int32Array),
      values: serializedArray("transitions", serialized, "successors.values", Float32Array),
    };
    // Versions stored with their training sequences (an earlier layout) drop them.
    return transitionsModel(successors, NO_SEQUENCES, { ...TRANSITIONS_DEFAULTS, ...(serialized.params as Partial<TransitionsParams>) });
  },
} satisfies Algorithm<TransitionsParams>;
