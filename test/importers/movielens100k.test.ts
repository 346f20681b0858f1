import { RatingOutOfScaleError } from "../../src/importers/ratingScale";
import {
  decodeLatin1,
  parseMl100kGenres,
  parseMl100kItems,
  parseMl100kRatings,
  parseMl100kUsers,
  parseMovieLens100k,
  splitTitleYear,
} from "../../src/importers/movielens100k";

const GENRE_FILE = [
  "unknown|0", "Action|1", "Adventure|2", "Animation|3", "Children's|4", "Comedy|5", "Crime|6",
  "Documentary|7", "Drama|8", "Fantasy|9", "Film-Noir|10", "Horror|11", "Musical|12", "Mystery|13",
  "Romance|14", "Sci-Fi|15", "Thriller|16", "War|17", "Western|18", "",
].join("\n");

const flags = (...set: number[]) => Array.from({ length: 19 }, (_, i) => (set.includes(i) ? "1" : "0")).join("|");

describe("MovieLens 100K", () => {
  const genres = parseMl100kGenres(GENRE_FILE);

  it("reads the genre names in flag order", () => {
    expect(genres).toHaveLength(19);
    expect(genres[0]).toBe("unknown");
    expect(genres[15]).toBe("Sci-Fi");
  });

  it("decodes u.item as Latin-1", () => {
    // "Misérables" with é as the single Latin-1 byte 0xE9, invalid in UTF-8.
    const line = `543|Mis\u00e9rables, Les (1995)|01-Jan-1995||http://us.imdb.com/M/title-exact?Mis%E9rables|${flags(8, 12)}\n`;
    const bytes = Uint8Array.from(line, (ch) => ch.charCodeAt(0));
    expect(bytes.length).toBe(line.length);
    expect(new TextDecoder("utf-8").decode(bytes)).toContain("\ufffd"); // what reading as UTF-8 would do
    const [item] = parseMl100kItems(decodeLatin1(bytes), genres);
    expect(item.title).toBe("Misérables, Les");
  });

  it("turns an item line into an ItemRecord", () => {
    const text = `1|Toy Story (1995)|01-Jan-1995||http://us.imdb.com/M/title-exact?Toy%20Story%20(1995)|${flags(3, 4, 5)}\n`;
    expect(parseMl100kItems(text, genres)).toEqual([
      {
        externalId: "ml100k-item-1",
        kind: "MOVIE",
        title: "Toy Story",
        releaseYear: 1995,
        description: null,
        attributes: { imdbUrl: "http://us.imdb.com/M/title-exact?Toy%20Story%20(1995)", releaseDate: "1995-01-01" },
        features: [
          { facet: "genre", value: "Animation", weight: 1 },
          { facet: "genre", value: "Children's", weight: 1 },
          { facet: "genre", value: "Comedy", weight: 1 },
          { facet: "year", value: "1995", weight: 1 },
          { facet: "decade", value: "1990s", weight: 1 },
        ],
      },
    ]);
  });

  it("handles the odd items: no date, one-digit day, year not at the end, trailing space", () => {
    const text = [
      `267|unknown||||${flags(0)}`,
      `1373|Good Morning (1971)|4-Feb-1971||http://x|${flags(5)}`,
      `1412|Land Before Time III: The Time of the Great Giving (1995) (V)|01-Jan-1995||http://y|${flags(3)}`,
      `1635|Two Friends (1986) |26-Apr-1986||http://z|${flags(8)}`,
    ].join("\n");
    const [unknown, oneDigit, video, trailing] = parseMl100kItems(text, genres);
    expect(unknown).toMatchObject({ title: "unknown", releaseYear: null, attributes: { imdbUrl: null, releaseDate: null }, features: [] });
    expect(oneDigit).toMatchObject({ releaseYear: 1971, attributes: { releaseDate: "1971-02-04" } });
    expect(video).toMatchObject({ title: "Land Before Time III: The Time of the Great Giving (1995) (V)", releaseYear: 1995 });
    expect(trailing).toMatchObject({ title: "Two Friends", releaseYear: 1986 });
  });

  it("takes the year from the release date when the title has none", () => {
    const [item] = parseMl100kItems(`9|No Year Here|22-Jan-1996||http://x|${flags(8)}`, genres);
    expect(item.releaseYear).toBe(1996);
    expect(item.features).toContainEqual({ facet: "decade", value: "1990s", weight: 1 });
  });

  it("reads users with their demographics as attributes, zip codes as strings", () => {
    expect(parseMl100kUsers("1|24|M|technician|85711\n2|53|F|other|T8H1N\n")).toEqual([
      { externalId: "ml100k-user-1", attributes: { age: 24, gender: "M", occupation: "technician", zipCode: "85711" } },
      { externalId: "ml100k-user-2", attributes: { age: 53, gender: "F", occupation: "other", zipCode: "T8H1N" } },
    ]);
  });

  it("reads ratings with unix-second timestamps", () => {
    expect(parseMl100kRatings("196\t242\t3\t881250949\n")).toEqual([
      {
        userExternalId: "ml100k-user-196",
        itemExternalId: "ml100k-item-242",
        type: "RATING",
        value: 3,
        occurredAt: new Date("1997-12-04T15:55:49Z"),
      },
    ]);
  });

  it("refuses ratings outside the configured scale, naming the file and lines", () => {
    const data = "1\t2\t3\t4\n1\t3\t5\t4\n2\t2\t1\t4\n";
    expect(parseMl100kRatings(data, { ratingScale: { min: 1, max: 5 } })).toHaveLength(3);
    let error: unknown;
    try {
      parseMl100kRatings(data, { ratingScale: { min: 2, max: 4 } });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(RatingOutOfScaleError);
    expect((error as RatingOutOfScaleError).code).toBe("RATING_OUT_OF_SCALE");
    expect((error as RatingOutOfScaleError).ratings).toEqual([{ line: 2, value: 5 }, { line: 3, value: 1 }]);
    expect((error as Error).message).toBe(
      "u.data: 2 ratings outside the rating scale 2..4 (MARQUEE_RATING_SCALE): line 2 (got 5), line 3 (got 1). Nothing was written; set MARQUEE_RATING_SCALE to the scale the data uses (e.g. 1..10)",
    );
  });

  it("names the file and line of malformed input", () => {
    expect(() => parseMl100kRatings("1\t2\t3\t4\n1\t2\tx\t4\n")).toThrow('u.data line 2: rating must be an integer, got "x"');
    expect(() => parseMl100kUsers("1|24|M\n")).toThrow("u.user line 1: expected 5 fields, got 3");
    expect(() => parseMl100kItems(`1|T (1995)|1995-01-01||u|${flags()}`, genres)).toThrow(
      'u.item line 1: release date must look like 01-Jan-1995, got "1995-01-01"',
    );
  });

  it("assembles the three files", () => {
    const data = parseMovieLens100k({
      genre: GENRE_FILE,
      item: `1|Toy Story (1995)|01-Jan-1995||u|${flags(3)}\n`,
      user: "1|24|M|technician|85711\n",
      data: "1\t1\t5\t874965758\n",
    });
    expect([data.users.length, data.items.length, data.interactions.length]).toEqual([1, 1, 1]);
  });

  it("splits a trailing year off a title only when it is the last thing", () => {
    expect(splitTitleYear("Heat (1995)")).toEqual({ title: "Heat", year: 1995 });
    expect(splitTitleYear(" Babylon 5 ")).toEqual({ title: "Babylon 5", year: null });
    expect(splitTitleYear("(1995)")).toEqual({ title: "(1995)", year: null });
  });
});
