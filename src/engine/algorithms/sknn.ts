// Sequence-aware nearest neighbours over users' histories: V-SKNN (Ludewig &
// Jannach 2018, "Evaluation of session-based recommendation algorithms",
// sec. 2.2) with the neighbour-side position weighting of V-STAN (Garg et
// al. 2019, "Sequence and time aware neighborhood for session-based
// recommendations", λ3). The current sequence's latest items, the latest
// weighing most (V-SKNN's linear decay), are matched against the training
// sequences through an item -> sequence inverted index; of the sequences that
// share an item only the m most recent are considered (V-SKNN's sampling,
// which keeps a query's cost bounded); the k most similar vote for their
// items, each item's vote weighed by how close it sits to the point where the
// neighbour matched the current sequence's latest shared item, so "what they
// went on to" counts more than what they had seen long before.
//
// State: the training sequences themselves (per-user, declared); the index is
// rebuilt from them on load.
import { sequenceOf } from "../data/buildUserSequences";
import { trainingSequences } from "../data/trainingSequences";
import type { Algorithm, Evidence, FitOptions, Model, SerializedModel, TrainingSet, UserSequences } from "../types";
import { checkAlgorithm } from "./serializedArray";
import { readSequences, SEQUENCES_KEY, sequenceArrays } from "./storedSequences";

export interface SknnParams {
  // Neighbours that vote.
  k: number;
  // Candidate sequences considered per query: the most recent (by their last interaction) of those sharing an item.
  sampleSize: number;
  // How many of the current sequence's latest items describe it.
  recent: number;
  // A neighbour's item q positions away from its match point votes 2^(-q / positionHalfLife); 0 turns the weighting off.
  positionHalfLife: number;
}

// Chosen on validation targets (never test targets) of leave-last-out, by
// the mean over ML-100K and ml-latest-small of NDCG@10 relative to each
// dataset's best, the same values on both. The position weighting carries the
// model: without it (plain V-SKNN, k 100, latest 5) NDCG@10 falls from 0.114
// to 0.093 on ML-100K and from 0.081 to 0.041 on ml-latest-small. See
// BENCHMARKS.md.
export const SKNN_DEFAULTS: SknnParams = { k: 100, sampleSize: 1000, recent: 5, positionHalfLife: 3 };

export interface SknnModel extends Model {
  scoreSequence(sequence: Int32Array): Float32Array;
  explainSequence(sequence: Int32Array, item: number, maxEvidence: number): Evidence[];
}

interface Neighbour {
  user: number;
  similarity: number;
  match: number; // position (into sequences.items) where it matched
  shared: Map<number, number>; // recent item -> its weight in the current sequence
}

function sknnModel(sequences: UserSequences, nItems: number, params: SknnParams): SknnModel {
  const { offsets, items, timestamps } = sequences;
  const nUsers = offsets.length - 1;
  // Users from the most recent last interaction to the oldest (ties by index).
  const last = (u: number) => (offsets[u + 1] > offsets[u] ? timestamps[offsets[u + 1] - 1] : -Infinity);
  const byRecency = Array.from({ length: nUsers }, (_, u) => u).sort((a, b) => last(b) - last(a) || a - b);
  const rank = new Int32Array(nUsers);
  byRecency.forEach((u, r) => (rank[u] = r));
  // Inverted index: item -> positions, grouped by user from the most recent,
  // each user's positions in order.
  const start = new Int32Array(nItems + 1);
  for (let k = 0; k < items.length; k++) if (items[k] < nItems) start[items[k] + 1]++;
  for (let i = 0; i < nItems; i++) start[i + 1] += start[i];
  const fill = start.slice(0, nItems);
  const postings = new Int32Array(start[nItems]);
  const userAt = new Int32Array(items.length);
  for (const u of byRecency) {
    for (let k = offsets[u]; k < offsets[u + 1]; k++) {
      userAt[k] = u;
      if (items[k] < nItems) postings[fill[items[k]]++] = k;
    }
  }
  const decay = params.positionHalfLife > 0 ? Math.LN2 / params.positionHalfLife : 0;

  // The latest `recent` items, newest first, with V-SKNN's linear weights
  // (the latest 1, the n-th latest (recent - n) / recent); unknown items are passed over.
  const recentOf = (sequence: Int32Array): Map<number, number> => {
    const out = new Map<number, number>();
    for (let n = sequence.length - 1, taken = 0; n >= 0 && taken < params.recent; n--) {
      const i = sequence[n];
      if (i < 0 || i >= nItems) continue;
      if (!out.has(i)) out.set(i, (params.recent - taken) / params.recent);
      taken++;
    }
    return out;
  };

  const neighboursOf = (sequence: Int32Array, self: number): Neighbour[] => {
    const recent = recentOf(sequence);
    const found = new Map<number, Neighbour>();
    // Newest item first, so a neighbour's match point is its latest occurrence
    // of the newest item it shares with the current sequence.
    for (const [i, w] of recent) {
      for (let q = start[i]; q < start[i + 1]; q++) {
        const k = postings[q];
        const u = userAt[k];
        if (u === self) continue;
        let n = found.get(u);
        if (!n) found.set(u, (n = { user: u, similarity: 0, match: k, shared: new Map() }));
        else if (n.shared.size === 1 && n.shared.has(i)) n.match = k; // a later occurrence of the same first item
        n.shared.set(i, w);
      }
    }
    // V-SKNN's sample: the most recent candidates only.
    const sample = [...found.values()].sort((a, b) => rank[a.user] - rank[b.user]).slice(0, params.sampleSize);
    for (const n of sample) {
      let dot = 0;
      for (const w of n.shared.values()) dot += w;
      // Cosine between the weighted current items and the neighbour's (binary) items.
      n.similarity = dot / Math.sqrt(offsets[n.user + 1] - offsets[n.user]);
    }
    return sample.sort((a, b) => b.similarity - a.similarity || rank[a.user] - rank[b.user]).slice(0, params.k);
  };

  // Each neighbour votes similarity × position weight for each of its items.
  const votes = (n: Neighbour, visit: (item: number, vote: number) => void): void => {
    for (let k = offsets[n.user]; k < offsets[n.user + 1]; k++) {
      if (items[k] >= nItems) continue;
      visit(items[k], n.similarity * Math.exp(-decay * Math.abs(k - n.match)));
    }
  };

  const score = (sequence: Int32Array, self: number): Float32Array => {
    const scores = new Float32Array(nItems);
    for (const n of neighboursOf(sequence, self)) votes(n, (item, vote) => (scores[item] += vote));
    return scores;
  };

  // A neighbour's vote for the item, shared among the recent items it matched
  // by their weights: the evidences add up to the item's score.
  const explain = (sequence: Int32Array, item: number, maxEvidence: number, self: number): Evidence[] => {
    const credit = new Map<number, number>();
    for (const n of neighboursOf(sequence, self)) {
      let total = 0;
      votes(n, (j, vote) => j === item && (total += vote));
      if (total === 0) continue;
      let dot = 0;
      for (const w of n.shared.values()) dot += w;
      for (const [i, w] of n.shared) credit.set(i, (credit.get(i) ?? 0) + (total * w) / dot);
    }
    return [...credit]
      .sort((a, b) => b[1] - a[1] || a[0] - b[0])
      .slice(0, Math.max(0, maxEvidence))
      .map(([i, weight]) => ({ kind: "becauseYouJustInteracted", item: i, weight }));
  };

  const known = (user: number) => user >= 0 && user < nUsers;
  const own = (user: number) => (known(user) ? sequenceOf(sequences, user) : new Int32Array(0));
  return {
    name: "sknn",
    // A training user is not their own neighbour.
    scoreAll: (user) => score(own(user), user),
    explain: (user, item, maxEvidence) => explain(own(user), item, maxEvidence, user),
    scoreSequence: (sequence) => score(sequence, -1),
    explainSequence: (sequence, item, maxEvidence) => explain(sequence, item, maxEvidence, -1),
    serialize: (): SerializedModel => ({
      algorithm: "sknn",
      params: { ...params },
      meta: { nItems, nUsers },
      arrays: sequenceArrays(sequences),
      userState: { csr: [SEQUENCES_KEY] },
    }),
  };
}

export const sknn = {
  name: "sknn",
  defaults: SKNN_DEFAULTS,
  fit(data: TrainingSet, params: Partial<SknnParams>, _options: FitOptions): SknnModel {
    return sknnModel(trainingSequences(data), data.nItems, { ...SKNN_DEFAULTS, ...params });
  },
  deserialize(serialized: SerializedModel): SknnModel {
    checkAlgorithm("sknn", serialized);
    const nItems = Number(serialized.meta.nItems);
    if (!Number.isInteger(nItems) || nItems < 0) throw new Error("sknn: serialized model has no item count");
    return sknnModel(readSequences("sknn", serialized), nItems, { ...SKNN_DEFAULTS, ...(serialized.params as Partial<SknnParams>) });
  },
} satisfies Algorithm<SknnParams>;
