// The engine's evidence (dense indices) as the API's Reason union values
// (database ids and rows); `__typename` picks the union member.
import type { ItemFeatureRow } from "../db/rows";
import type { Evidence } from "../engine/types";
import type { ServedModel } from "../serving/ServedModel";
import type { StrategyName } from "../serving/servingAlgorithms";

export type ReasonValue =
  | { __typename: "BecauseYouInteracted"; itemId: number; weight: number }
  | { __typename: "BecauseYouJustInteracted"; itemId: number; weight: number }
  | { __typename: "SharedFeature"; feature: ItemFeatureRow; weight: number }
  | { __typename: "SimilarUsersLiked"; count: number }
  | { __typename: "Popular"; window: string | null }
  | { __typename: "ColdStart"; why: string }
  // One object shared by every item of an answer (see strategyFallback.ts).
  | { __typename: "Fallback"; requested: StrategyName; served: StrategyName; why: string };

// `features`: the recommended item's own features (the SharedFeature shows
// its row). `fallback`, when the model stood in for another strategy's, comes
// last: the evidence of the model that ranked the item comes first.
export function reasonsFromEvidence(
  served: ServedModel,
  evidence: readonly Evidence[],
  features: readonly ItemFeatureRow[],
  fallback?: ReasonValue,
): ReasonValue[] {
  const out: ReasonValue[] = [];
  for (const e of evidence) {
    switch (e.kind) {
      case "becauseYouInteracted":
        out.push({ __typename: "BecauseYouInteracted", itemId: served.itemIds[e.item], weight: e.weight });
        break;
      case "becauseYouJustInteracted":
        out.push({ __typename: "BecauseYouJustInteracted", itemId: served.itemIds[e.item], weight: e.weight });
        break;
      case "sharedFeature": {
        const featureId = served.featureIds[e.feature];
        const row = features.find((f) => f.featureId === featureId);
        if (row) out.push({ __typename: "SharedFeature", feature: row, weight: e.weight });
        break;
      }
      case "similarUsersLiked":
        out.push({ __typename: "SimilarUsersLiked", count: e.count });
        break;
      case "popular":
        out.push({ __typename: "Popular", window: "ALL_TIME" });
        break;
      case "coldStart":
        out.push({ __typename: "ColdStart", why: e.why });
        break;
    }
  }
  if (fallback) out.push(fallback);
  return out;
}

// Features two items share, heaviest (on the candidate) first.
export function sharedFeatureReasons(source: readonly ItemFeatureRow[], candidate: readonly ItemFeatureRow[], max: number): ReasonValue[] {
  const mine = new Set(source.map((f) => f.featureId));
  return candidate
    .filter((f) => mine.has(f.featureId))
    .sort((a, b) => b.weight - a.weight || a.featureId - b.featureId)
    .slice(0, max)
    .map((feature) => ({ __typename: "SharedFeature" as const, feature, weight: feature.weight }));
}
