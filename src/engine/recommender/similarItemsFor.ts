// Items similar to one item, with the same fallback discipline as
// recommendForUser: the model's neighbours for a known item, feature
// neighbours (content) for an item the model cannot place or a brand-new item
// described only by its features, and popularity when nothing else applies.
import type { FeatureWeight } from "../algorithms/content";
import type { ScoredItem } from "../types";
import type { Recommendation, RecommenderModels } from "./Recommendation";
import { selectTopK } from "./selectTopK";

export interface SimilarItemsRequest {
  // Dense index, or undefined for an item not in the training set.
  item: number | undefined;
  // Features of the item (needed for a new item).
  features?: readonly FeatureWeight[];
  k: number;
}

export function similarItemsFor(models: RecommenderModels, request: SimilarItemsRequest): Recommendation<ScoredItem> {
  const nItems = models.interactions.nCols;
  const { item, k } = request;
  const known = item !== undefined && item >= 0 && item < nItems;
  const { model, content } = models;

  if (known && model.similarItems) {
    const items = model.similarItems(item, k);
    if (items.length > 0) return { items, servedBy: model.name };
  }
  const why = !known
    ? "new item"
    : model.similarItems
      ? `${model.name} has no neighbours for this item`
      : `${model.name} has no item neighbours`;

  if (content) {
    if (known) {
      const items = content.similarItems(item, k);
      if (items.length > 0) return { items, servedBy: content.name, fallback: { reason: `${why}: neighbours by features` } };
    } else if (request.features && request.features.length > 0) {
      const items = content.similarToFeatures(request.features, k);
      if (items.length > 0) return { items, servedBy: content.name, fallback: { reason: `${why}: neighbours by features` } };
    }
  }

  const items = selectTopK(models.popularity.scores, k, (i) => i === item);
  return { items, servedBy: models.popularity.name, fallback: { reason: `${why}: most popular items` } };
}
