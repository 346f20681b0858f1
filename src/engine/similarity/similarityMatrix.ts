// Chooses a similarity by name, for algorithms whose similarity is a parameter.
import type { CsrMatrix } from "../data/CsrMatrix";
import { adjustedCosineAllPairs } from "./adjustedCosine";
import { cosineAllPairs } from "./cosine";
import { euclideanAllPairs } from "./euclidean";
import { jaccardAllPairs } from "./jaccard";
import { msdAllPairs } from "./msd";
import { pearsonAllPairs } from "./pearson";
import { pearsonBaselineAllPairs, type RowColBaselines } from "./pearsonBaseline";
import type { SimilarityOptions } from "./SimilarityMeasure";

export type SimilarityName = "cosine" | "adjustedCosine" | "pearson" | "euclidean" | "jaccard" | "msd" | "pearsonBaseline";

export const SIMILARITY_NAMES: readonly SimilarityName[] = [
  "cosine",
  "adjustedCosine",
  "pearson",
  "euclidean",
  "jaccard",
  "msd",
  "pearsonBaseline",
];

// `baselines` is needed only by pearsonBaseline.
export function similarityMatrix(
  rows: CsrMatrix,
  name: SimilarityName,
  options: SimilarityOptions & { baselines?: RowColBaselines } = {},
): Float32Array {
  switch (name) {
    case "cosine":
      return cosineAllPairs(rows, options);
    case "adjustedCosine":
      return adjustedCosineAllPairs(rows, options);
    case "pearson":
      return pearsonAllPairs(rows, options);
    case "euclidean":
      return euclideanAllPairs(rows, options);
    case "jaccard":
      return jaccardAllPairs(rows, options);
    case "msd":
      return msdAllPairs(rows, options);
    case "pearsonBaseline":
      if (!options.baselines) throw new Error("similarityMatrix: pearsonBaseline needs baselines");
      return pearsonBaselineAllPairs(rows, options.baselines, options);
    default: {
      const unknown: never = name;
      throw new Error(`similarityMatrix: unknown similarity "${String(unknown)}"`);
    }
  }
}
