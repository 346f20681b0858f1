// Ratings are checked against the configured scale (MARQUEE_RATING_SCALE) on
// import, as the API checks them on recordInteractions: a rating outside it
// would train every model on a scale it was not declared on (explicit models
// clip their predictions to the scale; the implicit rules read a rating by
// its place on it). The readers report every off-scale rating by file and
// line, and nothing is written.
export interface RatingScale {
  min: number;
  max: number;
}

export interface ReadOptions {
  // Refuse ratings outside this scale; unchecked when absent.
  ratingScale?: RatingScale;
}

export function isOnScale(rating: number, scale: RatingScale): boolean {
  return rating >= scale.min && rating <= scale.max;
}

export function scaleProblem(scale: RatingScale): string {
  return `rating outside the rating scale ${scale.min}..${scale.max} (MARQUEE_RATING_SCALE)`;
}

export interface OffScaleRating {
  line: number;
  value: number;
}

const LISTED = 5;

// Every off-scale rating of a file; the message names the first few by line.
export class RatingOutOfScaleError extends Error {
  override name = "RatingOutOfScaleError";
  readonly code = "RATING_OUT_OF_SCALE";
  constructor(
    readonly file: string,
    readonly ratings: readonly OffScaleRating[],
    readonly scale: RatingScale,
  ) {
    const listed = ratings.slice(0, LISTED).map((r) => `line ${r.line} (got ${r.value})`);
    const more = ratings.length - listed.length;
    super(
      `${file}: ${ratings.length} rating${ratings.length === 1 ? "" : "s"} outside the rating scale ${scale.min}..${scale.max} (MARQUEE_RATING_SCALE): ` +
        `${listed.join(", ")}${more > 0 ? `, and ${more} more` : ""}. ` +
        `Nothing was written; set MARQUEE_RATING_SCALE to the scale the data uses (e.g. 1..10)`,
    );
  }
}

// Throws when any rating of the file is off the scale (no-op without a scale).
export function checkRatings(file: string, ratings: Iterable<{ line: number; value: number }>, scale: RatingScale | undefined): void {
  if (!scale) return;
  const off: OffScaleRating[] = [];
  for (const r of ratings) if (!isOnScale(r.value, scale)) off.push({ line: r.line, value: r.value });
  if (off.length > 0) throw new RatingOutOfScaleError(file, off, scale);
}
