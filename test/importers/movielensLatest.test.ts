import { RatingOutOfScaleError } from "../../src/importers/ratingScale";
import {
  parseMlLatestMovies,
  parseMlLatestRatings,
  parseMovieLensLatest,
} from "../../src/importers/movielensLatest";

const MOVIES = [
  "movieId,title,genres",
  "1,Toy Story (1995),Adventure|Animation|Children|Comedy|Fantasy",
  '29,"City of Lost Children, The (Cité des enfants perdus, La) (1995)",Adventure|Drama|Fantasy|Mystery|Sci-Fi',
  "27008,From Dusk Till Dawn 2: Texas Blood Money (1999) ,Comedy|Crime|Horror",
  "143410,Hyena Road,(no genres listed)",
  "",
].join("\r\n");

const RATINGS = ["userId,movieId,rating,timestamp", "1,1,4.0,964982703", "1,29,3.5,964981247", "5,1,0.5,847434962", ""].join("\r\n");

const TAGS = [
  "userId,movieId,tag,timestamp",
  "2,1,Pixar,1445714994",
  "7,1,pixar ,1445714995",
  "7,1,PIXAR,1445714996", // the same user again: still one user
  '9,29,"""artsy""",1525285878',
  "9,143410,war,1525285879", // a user with tags but no ratings
  "",
].join("\r\n");

describe("MovieLens latest-small", () => {
  it("reads quoted titles with commas, CRLF lines, trailing spaces and missing years", () => {
    const items = parseMlLatestMovies(MOVIES);
    expect(items.map((i) => [i.externalId, i.title, i.releaseYear])).toEqual([
      ["mlsmall-item-1", "Toy Story", 1995],
      ["mlsmall-item-29", "City of Lost Children, The (Cité des enfants perdus, La)", 1995],
      ["mlsmall-item-27008", "From Dusk Till Dawn 2: Texas Blood Money", 1999],
      ["mlsmall-item-143410", "Hyena Road", null],
    ]);
    expect(items[0].features.filter((f) => f.facet === "genre").map((f) => f.value)).toEqual([
      "Adventure", "Animation", "Children", "Comedy", "Fantasy",
    ]);
    expect(items[3].features).toEqual([]); // "(no genres listed)" and no year
  });

  it("reads half-star ratings", () => {
    expect(parseMlLatestRatings(RATINGS).map((r) => r.value)).toEqual([4, 3.5, 0.5]);
    expect(parseMlLatestRatings(RATINGS)[0]).toEqual({
      userExternalId: "mlsmall-user-1",
      itemExternalId: "mlsmall-item-1",
      type: "RATING",
      value: 4,
      occurredAt: new Date(964982703 * 1000),
    });
  });

  it("refuses half stars under a whole-star scale, naming ratings.csv and the lines", () => {
    expect(() => parseMlLatestRatings(RATINGS, { ratingScale: { min: 1, max: 5 } })).toThrow(
      "ratings.csv: 1 rating outside the rating scale 1..5 (MARQUEE_RATING_SCALE): line 4 (got 0.5).",
    );
    expect(() => parseMovieLensLatest({ movies: MOVIES, ratings: RATINGS }, { ratingScale: { min: 1, max: 5 } })).toThrow(RatingOutOfScaleError);
    expect(parseMlLatestRatings(RATINGS, { ratingScale: { min: 0.5, max: 5 } })).toHaveLength(3);
  });

  it("turns tags into item features weighted by distinct users, not into interactions", () => {
    const data = parseMovieLensLatest({ movies: MOVIES, ratings: RATINGS, tags: TAGS });
    const tagsOf = (id: string) =>
      data.items.find((i) => i.externalId === id)!.features.filter((f) => f.facet === "tag");
    expect(tagsOf("mlsmall-item-1")).toEqual([{ facet: "tag", value: "pixar", weight: 2 }]);
    expect(tagsOf("mlsmall-item-29")).toEqual([{ facet: "tag", value: '"artsy"', weight: 1 }]);
    expect(data.interactions).toHaveLength(3);
    // Users come from ratings (1, 5) and tags (2, 7, 9), in numeric order.
    expect(data.users.map((u) => u.externalId)).toEqual([1, 2, 5, 7, 9].map((id) => `mlsmall-user-${id}`));
    expect(data.users.every((u) => Object.keys(u.attributes).length === 0)).toBe(true);
  });

  it("works without tags.csv", () => {
    expect(parseMovieLensLatest({ movies: MOVIES, ratings: RATINGS }).users).toHaveLength(2);
  });

  it("names the file, line and column of bad input", () => {
    expect(() => parseMlLatestRatings("userId,movieId,rating,timestamp\r\n1,1,four,964982703\r\n")).toThrow(
      'ratings.csv line 2: rating must be a number, got "four"',
    );
    expect(() => parseMlLatestMovies("id,title\r\n")).toThrow('movies.csv: expected header "movieId,title,genres", got "id,title"');
    expect(() => parseMlLatestRatings("userId,movieId,rating,timestamp\r\nx,1,4,1\r\n")).toThrow(
      'ratings.csv line 2, column userId: expected an integer, got "x"',
    );
  });

  it("rejects ratings and tags of movies missing from movies.csv", () => {
    expect(() => parseMovieLensLatest({ movies: MOVIES, ratings: "userId,movieId,rating,timestamp\n1,999,4,1\n" })).toThrow(
      "ratings.csv: a rating refers to mlsmall-item-999, which is not in movies.csv",
    );
    expect(() =>
      parseMovieLensLatest({ movies: MOVIES, ratings: RATINGS, tags: "userId,movieId,tag,timestamp\n1,999,x,1\n" }),
    ).toThrow('tags.csv: tag "x" refers to movieId 999, which is not in movies.csv');
  });
});
