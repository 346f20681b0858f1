// Content-based filtering: TF-IDF item vectors (genre, cast, tag ...), a user
// profile that is the weighted sum of the vectors of the items the user
// interacted with, and cosine between profile and item (Lops, de Gemmis &
// Semeraro 2011, "Content-based recommender systems: state of the art").
// It needs no other user, so it serves new items and users with stated tastes,
// and folds in a history at request time exactly (scoreHistory reads only the
// history and the item vectors).
import type { CsrMatrix } from "../data/CsrMatrix";
import { tfidf, weightRow } from "../data/tfidf";
import { TopKHeap } from "../recommender/TopKHeap";
import type { Algorithm, Evidence, FitOptions, Model, ScoredItem, SerializedModel, TrainingSet } from "../types";
import { NO_USER_STATE } from "../userState";

export interface ContentParams {
  // Explicit data: weight each rated item by (rating - user's mean), so items
  // the user rated below their own average push the profile away from their
  // features. Implicit confidences are used as they are (negative ones, from
  // skips and dislikes, already push away).
  centreRatings: boolean;
}

export const CONTENT_DEFAULTS: ContentParams = { centreRatings: true };

export interface FeatureWeight {
  feature: number;
  weight: number;
}

export interface ContentModel extends Model {
  // Scores for a user known only by stated preferences (cold start).
  scoreForPreferences(likedItems: readonly number[], likedFeatures: readonly number[]): Float32Array;
  explainPreferences(likedItems: readonly number[], likedFeatures: readonly number[], item: number, maxEvidence: number): Evidence[];
  // Items closest to a feature vector, e.g. a new item not in the training set.
  similarToFeatures(features: readonly FeatureWeight[], k: number): ScoredItem[];
  similarItems(item: number, k: number): ScoredItem[];
}

interface ContentState {
  p: ContentParams;
  // TF-IDF item vectors, rows of unit length.
  V: CsrMatrix;
  idf: Float64Array;
  // Training interactions (scoreAll and explain by user index).
  R: CsrMatrix;
  scale?: { min: number; max: number };
}

function contentModel(state: ContentState): ContentModel {
  const { p, V, idf, R, scale } = state;
  const nFeatures = V.nCols;

  function addItem(profile: Float64Array, item: number, w: number): void {
    if (item < 0 || item >= V.nRows || w === 0) return;
    for (let k = V.indptr[item]; k < V.indptr[item + 1]; k++) profile[V.indices[k]] += w * V.values[k];
  }

  function profileOf(items: ArrayLike<number>, values: ArrayLike<number>): Float64Array {
    const profile = new Float64Array(nFeatures);
    const n = items.length;
    let offset = 0;
    if (scale && p.centreRatings && n > 0) {
      let sum = 0;
      for (let k = 0; k < n; k++) sum += values[k];
      offset = sum / n;
      // A user who gave every item the same rating has no spread to centre
      // on: read the ratings against the middle of the scale instead.
      let spread = false;
      for (let k = 0; k < n; k++) if (values[k] !== offset) spread = true;
      if (!spread) offset = (scale.min + scale.max) / 2;
    }
    for (let k = 0; k < n; k++) addItem(profile, items[k], values[k] - offset);
    return profile;
  }

  function userProfile(user: number): Float64Array {
    if (user < 0 || user >= R.nRows) return new Float64Array(nFeatures);
    const start = R.indptr[user];
    const end = R.indptr[user + 1];
    return profileOf(R.indices.subarray(start, end), R.values.subarray(start, end));
  }

  function preferenceProfile(likedItems: readonly number[], likedFeatures: readonly number[]): Float64Array {
    const profile = new Float64Array(nFeatures);
    for (const item of likedItems) addItem(profile, item, 1);
    // Stated features count as one more liked item having exactly them.
    addFeatures(profile, likedFeatures.map((feature) => ({ feature, weight: 1 })));
    return profile;
  }

  function addFeatures(profile: Float64Array, features: readonly FeatureWeight[]): void {
    const known = features.filter((f) => f.feature >= 0 && f.feature < nFeatures);
    const w = new Float64Array(known.length);
    const norm = weightRow(known.map((f) => f.feature), known.map((f) => f.weight), idf, w);
    if (norm > 0) known.forEach((f, n) => (profile[f.feature] += w[n] / norm));
  }

  // Cosine of the profile with every item (item rows are unit length).
  function scoresFor(profile: Float64Array): Float32Array {
    const out = new Float32Array(V.nRows);
    let sq = 0;
    for (let f = 0; f < nFeatures; f++) sq += profile[f] * profile[f];
    if (sq === 0) return out;
    const inv = 1 / Math.sqrt(sq);
    for (let i = 0; i < V.nRows; i++) {
      let dot = 0;
      for (let k = V.indptr[i]; k < V.indptr[i + 1]; k++) dot += profile[V.indices[k]] * V.values[k];
      out[i] = dot * inv;
    }
    return out;
  }

  // The item's features that agree most with the profile.
  function explainAgainst(profile: Float64Array, item: number, maxEvidence: number): Evidence[] {
    if (item < 0 || item >= V.nRows || maxEvidence <= 0) return [];
    let sq = 0;
    for (let f = 0; f < nFeatures; f++) sq += profile[f] * profile[f];
    if (sq === 0) return [];
    const heap = new TopKHeap(maxEvidence);
    for (let k = V.indptr[item]; k < V.indptr[item + 1]; k++) {
      const c = (profile[V.indices[k]] * V.values[k]) / Math.sqrt(sq);
      if (c > 0) heap.push(V.indices[k], c);
    }
    return heap.sorted().map((e) => ({ kind: "sharedFeature", feature: e.item, weight: e.score }));
  }

  function nearest(profile: Float64Array, k: number, exclude: number): ScoredItem[] {
    const scores = scoresFor(profile);
    const heap = new TopKHeap(k);
    for (let i = 0; i < scores.length; i++) if (i !== exclude && scores[i] > 0) heap.push(i, scores[i]);
    return heap.sorted();
  }

  // One profile per history object: scoreHistory and explainHistory share it.
  const historyProfiles = new WeakMap<object, Float64Array>();
  const historyProfile = (h: { items: Int32Array; values: Float32Array }) => {
    let profile = historyProfiles.get(h);
    if (!profile) historyProfiles.set(h, (profile = profileOf(h.items, h.values)));
    return profile;
  };

  return {
    name: "contentBased",
    scoreAll: (user) => scoresFor(userProfile(user)),
    explain: (user, item, maxEvidence) => explainAgainst(userProfile(user), item, maxEvidence),
    scoreHistory: (history) => scoresFor(historyProfile(history)),
    explainHistory: (history, item, maxEvidence) => explainAgainst(historyProfile(history), item, maxEvidence),
    scoreForPreferences: (items, features) => scoresFor(preferenceProfile(items, features)),
    explainPreferences: (items, features, item, maxEvidence) => explainAgainst(preferenceProfile(items, features), item, maxEvidence),
    similarItems(item, k) {
      const profile = new Float64Array(nFeatures);
      addItem(profile, item, 1);
      return nearest(profile, k, item);
    },
    similarToFeatures(features, k) {
      const profile = new Float64Array(nFeatures);
      addFeatures(profile, features);
      return nearest(profile, k, -1);
    },
    serialize: (): SerializedModel => ({
      algorithm: "contentBased",
      params: { ...p },
      // Served users are profiled from their history at request time
      // (scoreHistory), so the training users' ratings are not stored: the
      // stored model is item-side only (an empty ratings matrix).
      meta: { nUsers: 0, nItems: V.nRows, nFeatures, ...(scale ? { ratingScale: scale } : {}) },
      arrays: {
        "features.indptr": V.indptr,
        "features.indices": V.indices,
        "features.values": V.values,
        idf,
        "ratings.indptr": new Int32Array(1),
        "ratings.indices": new Int32Array(0),
        "ratings.values": new Float32Array(0),
      },
      userState: NO_USER_STATE,
    }),
  };
}

// `satisfies` keeps the precise model type for callers that need its extra methods.
export const contentBased = {
  name: "contentBased",
  defaults: CONTENT_DEFAULTS,
  fit(data: TrainingSet, params: Partial<ContentParams>, _options: FitOptions): ContentModel {
    const p = { ...CONTENT_DEFAULTS, ...params };
    if (!data.itemFeatures) {
      throw new Error("contentBased: the training set has no itemFeatures (build them with buildItemFeatures)");
    }
    const { matrix: V, idf } = tfidf(data.itemFeatures);
    return contentModel({ p, V, idf, R: data.ratings, ...(data.ratingScale ? { scale: data.ratingScale } : {}) });
  },
  deserialize(serialized: SerializedModel): ContentModel {
    if (serialized.algorithm !== "contentBased") throw new Error(`contentBased: cannot deserialize a ${serialized.algorithm} model`);
    const a = serialized.arrays;
    const need = <T>(key: string, type: new (n: number) => T): T => {
      // By tag, not instanceof: arrays may come from another realm (a worker, a test sandbox).
    if ((a[key] as { [Symbol.toStringTag]?: string } | undefined)?.[Symbol.toStringTag] !== type.name) throw new Error(`contentBased: serialized model has no ${type.name} '${key}'`);
      return a[key] as unknown as T;
    };
    const meta = serialized.meta as { nUsers: number; nItems: number; nFeatures: number; ratingScale?: { min: number; max: number } };
    const V: CsrMatrix = {
      nRows: meta.nItems,
      nCols: meta.nFeatures,
      indptr: need("features.indptr", Int32Array),
      indices: need("features.indices", Int32Array),
      values: need("features.values", Float32Array),
    };
    const R: CsrMatrix = {
      nRows: meta.nUsers,
      nCols: meta.nItems,
      indptr: need("ratings.indptr", Int32Array),
      indices: need("ratings.indices", Int32Array),
      values: need("ratings.values", Float32Array),
    };
    return contentModel({
      p: { ...CONTENT_DEFAULTS, ...(serialized.params as Partial<ContentParams>) },
      V,
      idf: need("idf", Float64Array),
      R,
      ...(meta.ratingScale ? { scale: meta.ratingScale } : {}),
    });
  },
} satisfies Algorithm<ContentParams>;
