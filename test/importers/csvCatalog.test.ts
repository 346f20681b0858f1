import { readFileSync } from "node:fs";
import { join } from "node:path";
import { CsvCatalogError, parseCsvCatalog, parseFeatures, parseTimestamp, splitFeatures, TIMELESS_EPOCH } from "../../src/importers/csvCatalog";

const ITEMS = [
  "external_id,kind,title,release_year,description,features,studio",
  'm1,MOVIE,"The Silent Harbor",1995,"A quiet film, with commas",genre:Drama|director:Ada Lane|tag:slow burn:2.5,',
  "g1,game,Ember Saga,,,genre:RPG|platform:PC,Lantern Works",
  "",
].join("\r\n");

function problemsOf(files: Parameters<typeof parseCsvCatalog>[0]): string[] {
  try {
    parseCsvCatalog(files);
  } catch (error) {
    if (error instanceof CsvCatalogError) return error.message.split("\n").slice(1).map((l) => l.trim());
    throw error;
  }
  throw new Error("expected a CsvCatalogError");
}

describe("CSV catalog format", () => {
  it("reads items with features, weights, optional cells and extra columns as attributes", () => {
    const { items, users, interactions } = parseCsvCatalog({ items: ITEMS });
    expect(items).toEqual([
      {
        externalId: "m1",
        kind: "MOVIE",
        title: "The Silent Harbor",
        releaseYear: 1995,
        description: "A quiet film, with commas",
        attributes: { studio: null },
        features: [
          { facet: "genre", value: "Drama", weight: 1 },
          { facet: "director", value: "Ada Lane", weight: 1 },
          { facet: "tag", value: "slow burn", weight: 2.5 },
        ],
      },
      {
        externalId: "g1",
        kind: "GAME",
        title: "Ember Saga",
        releaseYear: null,
        description: null,
        attributes: { studio: "Lantern Works" },
        features: [
          { facet: "genre", value: "RPG", weight: 1 },
          { facet: "platform", value: "PC", weight: 1 },
        ],
      },
    ]);
    expect(users).toEqual([]);
    expect(interactions).toEqual([]);
  });

  it("reads users and interactions, and creates users that only appear in interactions", () => {
    const data = parseCsvCatalog({
      items: ITEMS,
      users: "external_id,country,zip\nu1,NO,01234\n",
      interactions: [
        "user_id,item_id,type,value,occurred_at",
        "u1,m1,RATING,4.5,2024-03-01T12:30:00Z",
        "u2,g1,play,12,1709296200",
        "u2,m1,LIKE,,2024-03-01",
        "u1,g1,VIEW,1,2024-03-01T14:30:00+02:00",
      ].join("\n"),
    });
    expect(data.users).toEqual([
      { externalId: "u1", attributes: { country: "NO", zip: "01234" } },
      { externalId: "u2", attributes: {} },
    ]);
    expect(data.interactions).toEqual([
      { userExternalId: "u1", itemExternalId: "m1", type: "RATING", value: 4.5, occurredAt: new Date("2024-03-01T12:30:00Z") },
      { userExternalId: "u2", itemExternalId: "g1", type: "PLAY", value: 12, occurredAt: new Date("2024-03-01T12:30:00Z") },
      { userExternalId: "u2", itemExternalId: "m1", type: "LIKE", value: 1, occurredAt: new Date("2024-03-01T00:00:00Z") },
      { userExternalId: "u1", itemExternalId: "g1", type: "VIEW", value: 1, occurredAt: new Date("2024-03-01T12:30:00Z") },
    ]);
  });

  it("accepts columns in any order", () => {
    const { items } = parseCsvCatalog({ items: "title,external_id,kind\nHeat,m9,MOVIE\n" });
    expect(items[0]).toMatchObject({ externalId: "m9", title: "Heat", kind: "MOVIE", releaseYear: null, features: [] });
  });

  it("lists every item problem with file, line, column and the bad value", () => {
    const items = [
      "external_id,kind,title,release_year,description,features",
      "m1,FILM,Heat,1995,,genre:Crime",
      "m1,MOVIE,Heat again,95.5,,genre",
      ',MOVIE,,1995,,"tag:x:0|genre:Drama|genre:Drama"',
      "m4,MOVIE,Short,1995",
    ].join("\n");
    expect(problemsOf({ items })).toEqual([
      'items.csv line 2, column "kind": unknown kind, expected one of MOVIE, SHOW, MUSIC, GAME, BOOK, PODCAST, OTHER (got "FILM")',
      'items.csv line 3, column "external_id": duplicate external_id, first on line 2 (got "m1")',
      'items.csv line 3, column "release_year": release_year must be a whole year such as 1995, or empty (got "95.5")',
      'items.csv line 3, column "features": each feature must be written facet:value or facet:value:weight (got "genre")',
      'items.csv line 4, column "external_id": external_id must not be empty',
      'items.csv line 4, column "title": title must not be empty',
      'items.csv line 4, column "features": feature weight (after the last colon) must be a finite number > 0 (got "tag:x:0")',
      'items.csv line 4, column "features": duplicate feature genre:Drama on the same item (got "genre:Drama")',
      "items.csv line 5: expected 6 fields like the header, got 4 (quote values that contain commas)",
    ]);
  });

  it("reports missing columns, naming what the header must include", () => {
    expect(problemsOf({ items: "external_id,title\nm1,Heat\n" })).toEqual([
      'items.csv line 1, column "kind": missing required column (the header must include external_id, kind, title) (got "external_id,title")',
    ]);
    expect(problemsOf({ items: ITEMS, interactions: "user_id,item_id,value\nu1,m1,5\n" })).toEqual([
      'interactions.csv line 1, column "type": missing required column (the header must include user_id, item_id, type) (got "user_id,item_id,value")',
    ]);
    expect(problemsOf({ items: "" })).toEqual(["items.csv: file is empty, expected a header row"]);
  });

  it("reports bad interactions: unknown item, unknown type, non-finite value, bad dates", () => {
    const interactions = [
      "user_id,item_id,type,value,occurred_at",
      "u1,nope,RATING,4,2024-03-01",
      "u1,m1,WATCH,1,2024-03-01",
      "u1,m1,RATING,NaN,2024-03-01",
      "u1,m1,RATING,Infinity,2024-03-01",
      "u1,m1,RATING,,2024-03-01",
      "u1,m1,VIEW,1,2024-02-30",
      "u1,m1,VIEW,1,yesterday",
      "u1,m1,VIEW,1,1709296200000",
      "u1,m1,PLAY,-3,2024-03-01",
    ].join("\n");
    expect(problemsOf({ items: ITEMS, interactions })).toEqual([
      'interactions.csv line 2, column "item_id": item_id is not an external_id in items.csv (got "nope")',
      'interactions.csv line 3, column "type": unknown type, expected one of RATING, VIEW, PLAY, LIKE, DISLIKE, PURCHASE, SKIP (got "WATCH")',
      'interactions.csv line 4, column "value": value must be a finite number (got "NaN")',
      'interactions.csv line 5, column "value": value must be a finite number (got "Infinity")',
      'interactions.csv line 6, column "value": a RATING needs a value',
      'interactions.csv line 7, column "occurred_at": occurred_at is not a real date or time (got "2024-02-30")',
      'interactions.csv line 8, column "occurred_at": occurred_at must be ISO-8601 (2024-03-01 or 2024-03-01T12:30:00Z) or unix seconds (got "yesterday")',
      'interactions.csv line 9, column "occurred_at": unix time must be in seconds, this looks like milliseconds (got "1709296200000")',
      'interactions.csv line 10, column "value": a PLAY amount (plays, minutes, copies) must be 0 or more (got "-3")',
    ]);
  });

  it("refuses ratings outside the configured scale, naming file, line and value", () => {
    const interactions = ["user_id,item_id,type,value,occurred_at", "u1,m1,RATING,5,2024-03-01", "u1,g1,RATING,8,2024-03-01", "u2,m1,RATING,0,2024-03-01", "u2,g1,PLAY,8,2024-03-01"].join("\n");
    let error: unknown;
    try {
      parseCsvCatalog({ items: ITEMS, interactions }, { ratingScale: { min: 0.5, max: 5 } });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(CsvCatalogError);
    expect((error as CsvCatalogError).problems).toEqual([
      { file: "interactions.csv", line: 3, column: "value", value: "8", message: "rating outside the rating scale 0.5..5 (MARQUEE_RATING_SCALE)" },
      { file: "interactions.csv", line: 4, column: "value", value: "0", message: "rating outside the rating scale 0.5..5 (MARQUEE_RATING_SCALE)" },
    ]);
    // On a 0..10 scale the same file reads; without a scale nothing is checked (the caller's choice).
    expect(parseCsvCatalog({ items: ITEMS, interactions }, { ratingScale: { min: 0, max: 10 } }).interactions.map((i) => i.value)).toEqual([5, 8, 0, 8]);
    expect(parseCsvCatalog({ items: ITEMS, interactions }).interactions).toHaveLength(4);
  });

  it("takes interactions without occurred_at: file order, one millisecond apart per user from the epoch", () => {
    const withoutColumn = parseCsvCatalog({
      items: ITEMS,
      interactions: ["user_id,item_id,type,value", "u1,m1,RATING,4", "u2,g1,PLAY,3", "u1,g1,PLAY,", "u1,m1,RATING,2"].join("\n"),
    });
    expect(withoutColumn.interactions.map((i) => [i.userExternalId, i.itemExternalId, i.type, i.value, i.occurredAt.toISOString()])).toEqual([
      ["u1", "m1", "RATING", 4, "1970-01-01T00:00:00.000Z"],
      ["u2", "g1", "PLAY", 3, "1970-01-01T00:00:00.000Z"],
      ["u1", "g1", "PLAY", 1, "1970-01-01T00:00:00.001Z"],
      ["u1", "m1", "RATING", 2, "1970-01-01T00:00:00.002Z"], // the later line: the current rating
    ]);
    expect(TIMELESS_EPOCH).toBe(0);
    // An empty cell in the column means the same; dated rows keep their date.
    const mixed = parseCsvCatalog({
      items: ITEMS,
      interactions: ["user_id,item_id,type,value,occurred_at", "u1,m1,VIEW,1,", "u1,g1,VIEW,1,2024-03-01", "u1,g1,LIKE,1,"].join("\n"),
    });
    expect(mixed.interactions.map((i) => i.occurredAt.toISOString())).toEqual(["1970-01-01T00:00:00.000Z", "2024-03-01T00:00:00.000Z", "1970-01-01T00:00:00.001Z"]);
    // Reading the same file twice gives the same times (a re-import writes nothing new).
    const again = parseCsvCatalog({
      items: ITEMS,
      interactions: ["user_id,item_id,type,value", "u1,m1,RATING,4", "u2,g1,PLAY,3", "u1,g1,PLAY,", "u1,m1,RATING,2"].join("\n"),
    });
    expect(again.interactions).toEqual(withoutColumn.interactions);
  });

  it("reports a CSV syntax error with its line", () => {
    expect(problemsOf({ items: 'external_id,kind,title\nm1,MOVIE,"Heat\n' })).toEqual([
      'items.csv line 2: quoted field is never closed (missing closing ") (at character 1)',
    ]);
  });

  it("caps the message at 20 problems but keeps them all on the error", () => {
    const rows = Array.from({ length: 25 }, (_, i) => `m${i},FILM,T`);
    let error: unknown;
    try {
      parseCsvCatalog({ items: ["external_id,kind,title", ...rows].join("\n") });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(CsvCatalogError);
    expect((error as CsvCatalogError).problems).toHaveLength(25);
    expect((error as CsvCatalogError).message).toMatch(/^25 problems in the CSV catalog:\n/);
    expect((error as CsvCatalogError).message).toMatch(/\.\.\. and 5 more$/);
  });

  it("reads timestamps without depending on the machine's time zone", () => {
    expect(parseTimestamp("2024-03-01T12:30")).toEqual(new Date("2024-03-01T12:30:00Z"));
    expect(parseTimestamp("2024-03-01 12:30:15.250Z")).toEqual(new Date("2024-03-01T12:30:15.250Z"));
    expect(parseTimestamp("2024-03-01T12:30:00-0130")).toEqual(new Date("2024-03-01T14:00:00Z"));
    expect(parseTimestamp("0")).toEqual(new Date(0));
    expect(parseTimestamp("2024-13-01")).toBe("occurred_at is not a real date or time");
  });

  it("parses a value containing a colon when the weight is explicit", () => {
    const problems: string[] = [];
    expect(parseFeatures("tag:director's cut: extended:1|Genre:Drama", (m) => problems.push(m))).toEqual([
      { facet: "tag", value: "director's cut: extended", weight: 1 },
      { facet: "genre", value: "Drama", weight: 1 },
    ]);
    expect(problems).toEqual([]);
  });

  it("reads \\| as a | inside a feature value and \\\\ as a backslash; other backslashes stay", () => {
    const problems: string[] = [];
    expect(parseFeatures("tag:rock\\|pop|genre:AC\\DC|tag:a\\\\|tag:b\\|c:2", (m) => problems.push(m))).toEqual([
      { facet: "tag", value: "rock|pop", weight: 1 },
      { facet: "genre", value: "AC\\DC", weight: 1 },
      { facet: "tag", value: "a\\", weight: 1 },
      { facet: "tag", value: "b|c", weight: 2 },
    ]);
    expect(problems).toEqual([]);
    // Through a whole items.csv (quoted or not, the escape is the feature syntax, not CSV's).
    const { items } = parseCsvCatalog({ items: 'external_id,kind,title,features\nm1,MUSIC,Song,"genre:rock\\|pop|artist:Nova, Lane"\n' });
    expect(items[0].features).toEqual([
      { facet: "genre", value: "rock|pop", weight: 1 },
      { facet: "artist", value: "Nova, Lane", weight: 1 },
    ]);
    expect(splitFeatures("a|b\\|c")).toEqual(["a", "b|c"]);
  });

  it("parses the complete example in docs/IMPORT_FORMAT.md", () => {
    const doc = readFileSync(join(__dirname, "../../docs/IMPORT_FORMAT.md"), "utf8");
    const block = (file: string) => {
      const match = new RegExp("`" + file + "`\n```\n([\\s\\S]*?)```").exec(doc);
      if (match === null) throw new Error(`no example for ${file} in the doc`);
      return match[1];
    };
    const data = parseCsvCatalog({ items: block("items.csv"), users: block("users.csv"), interactions: block("interactions.csv") });
    expect(data.items.map((i) => i.kind)).toEqual(["MOVIE", "MUSIC", "GAME"]);
    expect(data.users.map((u) => u.externalId)).toEqual(["u1", "u2"]);
    expect(data.interactions).toHaveLength(3);
  });
});
