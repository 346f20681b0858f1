// Every similarity measure by its name: what knn fits choose from, and how a
// worker thread (allPairsPart.ts) finds the measure it was sent by name.
import { adjustedCosineMeasure } from "./adjustedCosine";
import { cosineMeasure } from "./cosine";
import { euclideanMeasure } from "./euclidean";
import { jaccardMeasure } from "./jaccard";
import { msdMeasure } from "./msd";
import { pearsonMeasure } from "./pearson";
import { pearsonBaselineMeasure } from "./pearsonBaseline";
import type { SimilarityMeasure } from "./SimilarityMeasure";

// Cosine of two binary rows over all their entries (Ochiai coefficient).
export const implicitCosineMeasure: SimilarityMeasure = {
  name: "implicitCosine",
  defaultShrinkage: 0,
  fromStats: (s) => (s.nA > 0 && s.nB > 0 ? s.n / Math.sqrt(s.nA * s.nB) : 0),
};

export const SIMILARITY_MEASURES: Readonly<Record<string, SimilarityMeasure>> = Object.fromEntries(
  [cosineMeasure, adjustedCosineMeasure, pearsonMeasure, euclideanMeasure, jaccardMeasure, msdMeasure, pearsonBaselineMeasure, implicitCosineMeasure].map((m) => [m.name, m]),
);
