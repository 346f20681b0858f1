// A ranking model's score of (user, item) offered as a "prediction", so a
// rating blend can use implicit feedback: on explicit data *which* items a
// user chose to rate says much about how they rate them (Koren 2008,
// "Factorization Meets the Neighborhood", sec. 2.3; the Netflix Prize blends
// fed such binary-matrix predictors to their blenders, Töscher, Jahrer &
// Bell 2009). The wrapped model is fitted on the same training set (EASE
// reads it as binary; iALS as confidences) and its scores are standardised
// per user over all items, so one blend weight fits users with short and
// long histories alike. This is a blend input, not a rating predictor: its
// output is on the z-score scale, not the rating scale.
import type { Algorithm, FitOptions, Model, TrainingSet } from "../types";

export interface ImplicitScoreModel extends Model {
  readonly inner: Model;
}

// Standardises a score vector in place (mean 0, sd 1); a constant vector becomes 0.
function standardise(s: Float32Array): Float32Array {
  let sum = 0;
  let sq = 0;
  for (let i = 0; i < s.length; i++) {
    sum += s[i];
    sq += s[i] * s[i];
  }
  const mean = s.length > 0 ? sum / s.length : 0;
  const sd = s.length > 0 ? Math.sqrt(Math.max(0, sq / s.length - mean * mean)) : 0;
  for (let i = 0; i < s.length; i++) s[i] = sd > 0 ? (s[i] - mean) / sd : 0;
  return s;
}

export function implicitScore<P>(algorithm: Algorithm<P>): Algorithm<P> {
  const name = `implicit-${algorithm.name}`;
  return {
    name,
    defaults: algorithm.defaults,
    fit(data: TrainingSet, params: Partial<P>, options: FitOptions): ImplicitScoreModel {
      const inner = algorithm.fit(data, params, options);
      // A blend asks for many items of the same user: keep each user's standardised row.
      const rows = new Map<number, Float32Array>();
      const row = (user: number): Float32Array => {
        let s = rows.get(user);
        if (!s) {
          s = user >= 0 && user < data.nUsers ? standardise(inner.scoreAll(user)) : new Float32Array(data.nItems);
          rows.set(user, s);
        }
        return s;
      };
      return {
        name,
        inner,
        scoreAll: (user) => row(user).slice(),
        predict: (user, item) => (item >= 0 && item < data.nItems ? row(user)[item] : 0),
      };
    },
  };
}
