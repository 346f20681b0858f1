// Adjusted cosine (Sarwar et al. 2001, "Item-based collaborative filtering
// recommendation algorithms", section 3.1.3): for item-item similarity each
// rating is first centred on its user's mean, removing the fact that some users
// rate everything high, then cosine over the users who rated both items.
// Rows are the entities compared (items), columns the ones whose mean is
// removed (users): for the item-item case pass the item x user matrix.
import type { CsrMatrix } from "../data/CsrMatrix";
import { allPairs } from "./allPairs";
import { coRatedStats } from "./CoRatedStats";
import { cosineMeasure } from "./cosine";
import { supportedSimilarity, type SimilarityMeasure, type SimilarityOptions } from "./SimilarityMeasure";
import type { SparseVector } from "./SparseVector";
import { columnMeans, subtractFromRow, subtractOffsets } from "./subtractOffsets";

export const adjustedCosineMeasure: SimilarityMeasure = { ...cosineMeasure, name: "adjustedCosine" };

// `columnMeans[c]` is the mean of column c (the user's mean rating) over all its entries.
export function adjustedCosine(a: SparseVector, b: SparseVector, means: ArrayLike<number>, options?: SimilarityOptions): number {
  const offset = (c: number) => means[c];
  return supportedSimilarity(adjustedCosineMeasure, coRatedStats(subtractFromRow(a, offset), subtractFromRow(b, offset)), options);
}

export function adjustedCosineAllPairs(rows: CsrMatrix, options?: SimilarityOptions): Float32Array {
  const means = columnMeans(rows);
  return allPairs(
    subtractOffsets(rows, (_r, c) => means[c]),
    adjustedCosineMeasure,
    options,
  );
}
