// Content-based filtering: TF-IDF item vectors (genre, cast, tag ...), a user
// profile that is the weighted sum of the vectors of the items the user
// interacted with, and cosine between profile and item (Lops, de Gemmis &
// Semeraro 2011, "Content-based recommender systems: state of the art").
// It needs no other user, so it serves new items and users with stated tastes.
import { tfidf, weightRow } from "../data/tfidf";
import { TopKHeap } from "../recommender/TopKHeap";
import type { Algorithm, Evidence, FitOptions, Model, ScoredItem, TrainingSet } from "../types";

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
    const nFeatures = V.nCols;
    const R = data.ratings;
    const scale = data.ratingScale;

    function addItem(profile: Float64Array, item: number, w: number): void {
      if (item < 0 || item >= V.nRows || w === 0) return;
      for (let k = V.indptr[item]; k < V.indptr[item + 1]; k++) profile[V.indices[k]] += w * V.values[k];
    }

    function userProfile(user: number): Float64Array {
      const profile = new Float64Array(nFeatures);
      if (user < 0 || user >= data.nUsers) return profile;
      const start = R.indptr[user];
      const end = R.indptr[user + 1];
      let offset = 0;
      if (scale && p.centreRatings && end > start) {
        let sum = 0;
        for (let k = start; k < end; k++) sum += R.values[k];
        offset = sum / (end - start);
        // A user who gave every item the same rating has no spread to centre
        // on: read the ratings against the middle of the scale instead.
        let spread = false;
        for (let k = start; k < end; k++) if (R.values[k] !== offset) spread = true;
        if (!spread) offset = (scale.min + scale.max) / 2;
      }
      for (let k = start; k < end; k++) addItem(profile, R.indices[k], R.values[k] - offset);
      return profile;
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

    return {
      name: "contentBased",
      scoreAll: (user) => scoresFor(userProfile(user)),
      explain: (user, item, maxEvidence) => explainAgainst(userProfile(user), item, maxEvidence),
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
    };
  },
} satisfies Algorithm<ContentParams>;

