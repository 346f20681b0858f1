// Most-popular ranking: the fallback for users we know nothing about and the
// baseline every personalised model must beat on ranking metrics.
import type { Algorithm, Evidence, FitOptions, Model, SerializedModel, TrainingSet } from "../types";
import { NO_USER_STATE } from "../userState";

export interface PopularityParams {
  // "count": how many users interacted positively; "sum": sum of the weights
  // (confidences, or ratings), so a dislike pulls an item down.
  weighting: "count" | "sum";
  // Exponential time decay: an interaction halfLifeDays old counts half.
  // 0 disables decay. Needs timestamps on the training set.
  halfLifeDays: number;
  // Reference time (seconds since the epoch) the decay is measured from. Left
  // out: the latest timestamp in the data, never the clock, so fitting the
  // same data twice gives the same model.
  now?: number;
}

export const POPULARITY_DEFAULTS: PopularityParams = { weighting: "count", halfLifeDays: 0 };

export interface PopularityModel extends Model {
  // Identical for every user; also what an unknown user is served.
  readonly scores: Float32Array;
}

const SECONDS_PER_DAY = 86400;

export function popularityScores(data: TrainingSet, p: PopularityParams): Float32Array {
  const R = data.ratings;
  const ts = data.timestamps;
  const decay = p.halfLifeDays > 0 && ts !== undefined;
  let now = p.now ?? -Infinity;
  if (decay && p.now === undefined) for (let k = 0; k < ts.length; k++) if (ts[k] > now) now = ts[k];
  const lambda = decay ? Math.LN2 / (p.halfLifeDays * SECONDS_PER_DAY) : 0;
  // Explicit ratings are all interactions, whatever the stars; implicit
  // entries count only when positive (a net dislike is not popularity).
  const explicit = data.ratingScale !== undefined;
  const scores = new Float64Array(data.nItems);
  for (let k = 0; k < R.indices.length; k++) {
    const v = R.values[k];
    let w = p.weighting === "sum" ? v : explicit || v > 0 ? 1 : 0;
    // Timestamps after `now` (a reference in the past) count fully, not more.
    if (decay && Number.isFinite(ts[k])) w *= Math.exp(-lambda * Math.max(0, now - ts[k]));
    scores[R.indices[k]] += w;
  }
  return Float32Array.from(scores);
}

function popularityModel(scores: Float32Array, params: PopularityParams): PopularityModel {
  const popular = (): Evidence[] => [{ kind: "popular" }];
  return {
    name: "popularity",
    scores,
    scoreAll: () => scores.slice(),
    explain: popular,
    // The same ranking for every history: popularity does not depend on the user.
    scoreHistory: () => scores.slice(),
    explainHistory: popular,
    serialize: (): SerializedModel => ({
      algorithm: "popularity",
      params: { ...params },
      meta: { nItems: scores.length },
      arrays: { scores },
      userState: NO_USER_STATE,
    }),
  };
}

// `satisfies` keeps the precise model type for callers that need its extra methods.
export const popularity = {
  name: "popularity",
  defaults: POPULARITY_DEFAULTS,
  fit(data: TrainingSet, params: Partial<PopularityParams>, _options: FitOptions): PopularityModel {
    const p = { ...POPULARITY_DEFAULTS, ...params };
    return popularityModel(popularityScores(data, p), p);
  },
  deserialize(serialized: SerializedModel): PopularityModel {
    if (serialized.algorithm !== "popularity") throw new Error(`popularity: cannot deserialize a ${serialized.algorithm} model`);
    const scores = serialized.arrays.scores;
    if (scores?.[Symbol.toStringTag] !== "Float32Array") throw new Error("popularity: serialized model has no Float32Array 'scores'");
    return popularityModel(scores as Float32Array, { ...POPULARITY_DEFAULTS, ...(serialized.params as Partial<PopularityParams>) });
  },
} satisfies Algorithm<PopularityParams>;
