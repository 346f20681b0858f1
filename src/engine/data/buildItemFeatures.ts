// item x feature matrix from (item, feature, weight) triplets.
import { csrFromTriplets, type CsrMatrix } from "./CsrMatrix";

export interface ItemFeatureInput {
  item: number;
  feature: number;
  // > 0; 1 unless the source says otherwise (e.g. cast billing order).
  weight: number;
}

// A feature listed twice for one item keeps its largest weight: a repeated
// genre tag is the same fact, not twice the evidence.
export function buildItemFeatures(nItems: number, nFeatures: number, triplets: readonly ItemFeatureInput[]): CsrMatrix {
  return csrFromTriplets(
    nItems,
    nFeatures,
    triplets.map((t) => t.item),
    triplets.map((t) => t.feature),
    triplets.map((t) => t.weight),
    "max",
  );
}
