// The shapes the shared recommender wrapper returns, and the models it needs.
import type { CsrMatrix } from "../data/CsrMatrix";
import type { ContentModel } from "../algorithms/content";
import type { PopularityModel } from "../algorithms/popularity";
import type { Evidence, Model, ScoredItem } from "../types";

export interface RecommendedItem extends ScoredItem {
  evidence: Evidence[];
}

export interface Recommendation<T extends ScoredItem = RecommendedItem> {
  items: T[];
  // Name of the model whose scores ranked the items.
  servedBy: string;
  // Present when the primary model could not serve the request, and why
  // (Surprise's `was_impossible` in `details`, but said in words).
  fallback?: { reason: string };
}

export interface RecommenderModels {
  // The personalised model.
  model: Model;
  // Serves users and items nothing else knows.
  popularity: PopularityModel;
  // Serves stated preferences and new items with features, when fitted.
  content?: ContentModel;
  // user x item training interactions: what "seen" means, and who has history.
  interactions: CsrMatrix;
}
