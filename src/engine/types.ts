// The engine's contract. Everything here is pure data: dense integer indices,
// typed arrays, no ids from the database, no clock, no environment.
import type { CsrMatrix } from "./data/CsrMatrix";
import type { UserStateLayout } from "./userState";

export type InteractionKind = "RATING" | "VIEW" | "PLAY" | "LIKE" | "DISLIKE" | "PURCHASE" | "SKIP";

// What an algorithm is trained on.
export interface TrainingSet {
  readonly nUsers: number;
  readonly nItems: number;
  // user x item; for explicit data the rating, for implicit data the
  // confidence weight built from interactions (see data/buildInteractionMatrix).
  readonly ratings: CsrMatrix;
  // Seconds since the epoch for each entry of `ratings` (same order), when known.
  readonly timestamps?: Float64Array;
  // item x feature weights (genre, cast, tag, year bucket ...), when known.
  readonly itemFeatures?: CsrMatrix;
  // Rating scale for explicit data; predictions are clipped to it.
  readonly ratingScale?: { min: number; max: number };
  // Each user's positive interactions in time order, for sequence-aware
  // models; built alongside `ratings` from the same records.
  readonly sequences?: UserSequences;
}

// Interactions in time order, one row per user (CSR layout): the item of each
// positive interaction (an event whose kind has a positive weight, or a
// rating), oldest first, ties broken by the order the records were given
// (the order they were recorded). An item repeats when the user came back to
// it. Order-blind models ignore it.
export interface UserSequences {
  // nUsers + 1 offsets into `items` and `timestamps`.
  readonly offsets: Int32Array;
  readonly items: Int32Array;
  // Seconds since the epoch, same order as `items`.
  readonly timestamps: Float64Array;
}

export interface FitOptions {
  seed: number;
  // Called with a fraction in [0, 1] as training proceeds.
  onProgress?: (fraction: number) => void;
  // Threads an algorithm may train on (default 1; see engine/threads/threadPool.ts).
  threads?: number;
}

// Why the engine ranked an item: evidence the API turns into typed reasons.
export type Evidence =
  | { kind: "becauseYouInteracted"; item: number; weight: number }
  | { kind: "sharedFeature"; feature: number; weight: number }
  | { kind: "similarUsersLiked"; count: number }
  | { kind: "becauseYouJustInteracted"; item: number; weight: number }
  | { kind: "popular" }
  | { kind: "coldStart"; why: string };

export interface ScoredItem {
  item: number;
  score: number;
}

// A user described by their interactions at request time rather than by a
// training index: the serving path folds in interactions recorded after the
// model was trained (read-your-writes without a retrain). Sorted by item,
// values on the same scale as the training set's.
export interface UserHistory {
  readonly items: Int32Array;
  readonly values: Float32Array;
  // The same user's positive interactions in time order, oldest first (the
  // last is the most recent), as in UserSequences; given to models that
  // score sequences (Model.scoreSequence), absent otherwise.
  readonly sequence?: Int32Array;
}

// A fitted model's state as typed arrays plus JSON, so it can be stored
// (bytea in PostgreSQL) and loaded by every server replica. Uint8Array holds
// opaque bytes (a stored ANN index: recommender/hnswIndex.ts).
export type SerializedArray = Float32Array | Float64Array | Int32Array | Uint8Array;

export interface SerializedModel {
  readonly algorithm: string;
  readonly params: Record<string, unknown>;
  readonly meta: Record<string, unknown>;
  readonly arrays: Record<string, SerializedArray>;
  // Which of `arrays` hold a row per training user (userState.ts); {} for
  // none. Required, so no algorithm can be stored without saying.
  readonly userState: UserStateLayout;
}

// A fitted model. Methods that do not apply to an algorithm are absent.
export interface Model {
  readonly name: string;
  // Scores for every item (length nItems) for a known user; higher is better.
  scoreAll(user: number): Float32Array;
  // Predicted rating (explicit models), clipped to the rating scale.
  predict?(user: number, item: number): number;
  similarItems?(item: number, k: number): ScoredItem[];
  similarUsers?(user: number, k: number): ScoredItem[];
  explain?(user: number, item: number, maxEvidence: number): Evidence[];
  // Scores for every item for a user given by their current history (fold-in).
  scoreHistory?(history: UserHistory): Float32Array;
  // Evidence for an item recommended from a history.
  explainHistory?(history: UserHistory, item: number, maxEvidence: number): Evidence[];
  // The best n items for a history, leaving out `skip`, when the model can
  // answer without scoring every item (an ANN index over a large catalog:
  // recommender/hnswIndex.ts, or ivfIndex.ts for versions stored without
  // one): approximate. Absent: scoreHistory, then top n.
  topHistory?(history: UserHistory, n: number, skip?: (item: number) => boolean): ScoredItem[];
  // Next-item scores for every item (length nItems) from a sequence of
  // items in time order, oldest first: a signed-in user's recent history or
  // an anonymous session. Sequence-aware models only.
  scoreSequence?(sequence: Int32Array): Float32Array;
  // Evidence for an item scored from a sequence (typically the recent items
  // that lead to it: becauseYouJustInteracted).
  explainSequence?(sequence: Int32Array, item: number, maxEvidence: number): Evidence[];
  serialize?(): SerializedModel;
}

export interface Algorithm<P = Record<string, unknown>> {
  readonly name: string;
  readonly defaults: P;
  fit(data: TrainingSet, params: Partial<P>, options: FitOptions): Model;
  // Rebuilds a model from serialize()'s output.
  deserialize?(serialized: SerializedModel): Model;
  // Adds to serialize()'s output what serving needs and is too costly to
  // build at every load (an ANN index over a large catalog's item factors),
  // called once where a version is stored (training, an import of factors).
  // Returns the input unchanged when there is nothing to add.
  withServingIndex?(serialized: SerializedModel): SerializedModel;
}
