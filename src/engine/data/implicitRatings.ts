// How a star rating becomes an implicit confidence, for the models trained on
// implicit feedback (every served model but svd and baseline). A rule turns
// the user's current rating of an item into a number: positive means "a
// preference, this strong", negative "a confident non-preference" (iALS reads
// it as p = 0 with confidence 1 + α·|v|), zero "no evidence" (dropped).
//
//   graded     every rating is a positive; confidence rises linearly from 1 at
//              the bottom of the scale to 5 at the top (on 1..5 the rating
//              itself, Gorse's and the offline evaluator's convention).
//              Having rated an item at all is the strongest signal a rating
//              carries on MovieLens: measured best on both all-ratings and
//              liked-ratings relevance (BENCHMARKS.md, implicit view of ratings).
//   user-mean  a rating at or above the user's own mean rating is a positive
//              (1 at the mean, +4 per scale width above it), one below it a
//              negative (−4 per scale width below). A user with one rating, or
//              all ratings equal, has every rating at the mean: all positives.
//   threshold  the same, against a fixed rating instead of the user's mean.
//   midpoint   the rating minus the middle of the scale (how versions trained
//              before the rule was recorded were built; kept so that they fold
//              histories in as they were trained): a rating at the middle is
//              dropped, one below it is a negative.
//
// The 1..5 range of the positive confidences keeps iALS's α (tuned on 1-5
// star values) meaningful whatever the configured scale.
export type ImplicitRatingRule =
  | { readonly kind: "graded" }
  | { readonly kind: "user-mean" }
  | { readonly kind: "threshold"; readonly rating: number }
  | { readonly kind: "midpoint" };

export const DEFAULT_IMPLICIT_RATING_RULE: ImplicitRatingRule = { kind: "graded" };

// Confidence span of a rating a whole scale width above the threshold.
const SPAN = 4;

// The confidence of one rating. `userMean` is the mean of the user's current
// ratings (read only by the user-mean rule).
export function ratingConfidence(rating: number, rule: ImplicitRatingRule, scale: { min: number; max: number }, userMean: number): number {
  const width = scale.max - scale.min;
  switch (rule.kind) {
    case "graded":
      return 1 + (SPAN * (rating - scale.min)) / width;
    case "midpoint":
      return rating - (scale.min + scale.max) / 2;
    case "user-mean":
    case "threshold": {
      const pivot = rule.kind === "threshold" ? rule.rating : userMean;
      const d = (SPAN * (rating - pivot)) / width;
      // A rating equal to the mean up to rounding (a mean of 0.1-step ratings) counts as at it.
      return d >= -1e-9 ? 1 + Math.max(0, d) : d;
    }
  }
}

// "graded", "user-mean", "midpoint" or "threshold:<rating>" (the form used in
// configuration and stored with a trained version).
export function formatImplicitRatingRule(rule: ImplicitRatingRule): string {
  return rule.kind === "threshold" ? `threshold:${rule.rating}` : rule.kind;
}

// The inverse of formatImplicitRatingRule; undefined for anything else.
export function parseImplicitRatingRule(text: string): ImplicitRatingRule | undefined {
  const t = text.trim();
  if (t === "graded" || t === "user-mean" || t === "midpoint") return { kind: t };
  const m = /^threshold:(-?\d+(?:\.\d+)?)$/.exec(t);
  return m ? { kind: "threshold", rating: Number(m[1]) } : undefined;
}

// The lowest rating a count of "users who liked it" takes in, for counts made
// in SQL (the database's popularity fallback): every rating for graded, the
// threshold or the middle of the scale for those rules. A per-user mean is not
// known to such a count, so under user-mean every rating counts there.
export function lowestPositiveRating(rule: ImplicitRatingRule, scale: { min: number; max: number }): number {
  switch (rule.kind) {
    case "graded":
    case "user-mean":
      return scale.min;
    case "threshold":
      return rule.rating;
    case "midpoint":
      return (scale.min + scale.max) / 2;
  }
}
