// Top-k recommendations for one user, with a fallback for every case the
// primary model cannot serve, said in the answer rather than thrown
// (Surprise AlgoBase.predict, Gorse's cold-start path):
//   known user with history  -> the model
//   no history, stated likes -> content scores from those preferences
//   otherwise                -> popularity
import type { Evidence, Model } from "../types";
import type { Recommendation, RecommendedItem, RecommenderModels } from "./Recommendation";
import { selectTopK } from "./selectTopK";

export interface RecommendRequest {
  // Dense index, or undefined for a user the engine has never seen.
  user: number | undefined;
  k: number;
  // Leave out items the user already interacted with (default true).
  excludeSeen?: boolean;
  // More items to leave out (e.g. already shown on the page).
  exclude?: readonly number[];
  // Stated preferences of a new user (item or feature indices).
  likedItems?: readonly number[];
  likedFeatures?: readonly number[];
  // Evidence attached to each result (default 3; 0 for none).
  maxEvidence?: number;
}

export function recommendForUser(models: RecommenderModels, request: RecommendRequest): Recommendation {
  const { interactions } = models;
  const nItems = interactions.nCols;
  const maxEvidence = request.maxEvidence ?? 3;
  const likedItems = (request.likedItems ?? []).filter((i) => i >= 0 && i < nItems);
  const likedFeatures = request.likedFeatures ?? [];
  const user = request.user;
  const inRange = user !== undefined && user >= 0 && user < interactions.nRows;
  const hasHistory = inRange && interactions.indptr[user + 1] > interactions.indptr[user];

  const excluded = new Uint8Array(nItems);
  for (const i of request.exclude ?? []) if (i >= 0 && i < nItems) excluded[i] = 1;
  if (request.excludeSeen ?? true) {
    if (inRange) for (let k = interactions.indptr[user]; k < interactions.indptr[user + 1]; k++) excluded[interactions.indices[k]] = 1;
    for (const i of likedItems) excluded[i] = 1;
  }

  if (hasHistory) {
    const scores = models.model.scoreAll(user);
    if (hasSignal(scores, excluded)) {
      const items = selectTopK(scores, request.k, excluded);
      return { items: withEvidence(items, (item) => explainWith(models.model, user, item, maxEvidence)), servedBy: models.model.name };
    }
  }

  const why =
    user === undefined || !inRange
      ? "unknown user"
      : hasHistory
        ? `${models.model.name} has no signal for this user`
        : "user has no interactions yet";

  if (models.content && (likedItems.length > 0 || likedFeatures.length > 0)) {
    const content = models.content;
    const reason = `${why}: scored from stated preferences`;
    const items = selectTopK(content.scoreForPreferences(likedItems, likedFeatures), request.k, excluded);
    return {
      items: withEvidence(items, (item) => [
        { kind: "coldStart", why: reason },
        ...content.explainPreferences(likedItems, likedFeatures, item, maxEvidence),
      ]),
      servedBy: content.name,
      fallback: { reason },
    };
  }

  const reason = `${why}: most popular items`;
  const items = selectTopK(models.popularity.scores, request.k, excluded);
  return {
    items: withEvidence(items, () => [{ kind: "coldStart", why: reason }, { kind: "popular" }]),
    servedBy: models.popularity.name,
    fallback: { reason },
  };
}

// A model whose scores are all equal over the candidates (e.g. kNN for a user
// whose neighbours saw nothing new) would rank by index: that is no ranking.
function hasSignal(scores: Float32Array, excluded: Uint8Array): boolean {
  let first: number | undefined;
  for (let i = 0; i < scores.length; i++) {
    if (excluded[i] === 1 || !Number.isFinite(scores[i])) continue;
    if (first === undefined) first = scores[i];
    else if (scores[i] !== first) return true;
  }
  return false;
}

function explainWith(model: Model, user: number, item: number, maxEvidence: number): Evidence[] {
  return maxEvidence > 0 && model.explain ? model.explain(user, item, maxEvidence) : [];
}

function withEvidence(items: { item: number; score: number }[], evidence: (item: number) => Evidence[]): RecommendedItem[] {
  return items.map((s) => ({ item: s.item, score: s.score, evidence: evidence(s.item) }));
}
