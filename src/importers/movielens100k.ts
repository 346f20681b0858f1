// Reader for MovieLens 100K (https://grouplens.org/datasets/movielens/100k/),
// format as described in the dataset's README:
//   u.item  movie id | title | release date | video release date | IMDb URL | 19 genre flags
//           (ISO-8859-1, not UTF-8: "Misérables, Les (1995)")
//   u.genre genre name | flag index
//   u.user  user id | age | gender | occupation | zip code
//   u.data  user id \t item id \t rating \t unix seconds
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { CatalogData, FeatureRecord, InteractionRecord, ItemRecord, UserRecord } from "./CatalogData";
import { checkRatings, type ReadOptions } from "./ratingScale";

export const ML100K_ITEM_PREFIX = "ml100k-item-";
export const ML100K_USER_PREFIX = "ml100k-user-";

export interface MovieLens100kFiles {
  item: string; // u.item, already decoded from Latin-1 (see decodeLatin1)
  genre: string; // u.genre
  user: string; // u.user
  data: string; // u.data
}

// u.item is ISO-8859-1; reading it as UTF-8 would turn "é" into U+FFFD.
export function decodeLatin1(bytes: Uint8Array): string {
  return new TextDecoder("latin1").decode(bytes);
}

export function readMovieLens100k(dir: string, options: ReadOptions = {}): CatalogData {
  return parseMovieLens100k({
    item: decodeLatin1(readFileSync(join(dir, "u.item"))),
    genre: readFileSync(join(dir, "u.genre"), "utf8"),
    user: readFileSync(join(dir, "u.user"), "utf8"),
    data: readFileSync(join(dir, "u.data"), "utf8"),
  }, options);
}

export function parseMovieLens100k(files: MovieLens100kFiles, options: ReadOptions = {}): CatalogData {
  const genres = parseMl100kGenres(files.genre);
  return {
    users: parseMl100kUsers(files.user),
    items: parseMl100kItems(files.item, genres),
    interactions: parseMl100kRatings(files.data, options),
  };
}

// Genre names indexed by their flag position in u.item.
export function parseMl100kGenres(text: string): string[] {
  const names: string[] = [];
  for (const { line, fields } of splitLines(text, "|")) {
    expectFieldCount(fields, 2, "u.genre", line);
    const index = parseInteger(fields[1], "u.genre", line, "genre index");
    names[index] = fields[0];
  }
  for (let i = 0; i < names.length; i++) {
    if (names[i] === undefined) throw new Error(`u.genre: no genre for flag index ${i}`);
  }
  return names;
}

export function parseMl100kItems(text: string, genres: readonly string[]): ItemRecord[] {
  const items: ItemRecord[] = [];
  for (const { line, fields } of splitLines(text, "|")) {
    expectFieldCount(fields, 5 + genres.length, "u.item", line);
    const id = parseInteger(fields[0], "u.item", line, "movie id");
    const { title, year: titleYear } = splitTitleYear(fields[1]);
    const releaseDate = parseMl100kDate(fields[2], "u.item", line);
    const releaseYear = titleYear ?? (releaseDate === null ? null : Number(releaseDate.slice(0, 4)));
    const features: FeatureRecord[] = [];
    for (let g = 0; g < genres.length; g++) {
      const flag = fields[5 + g];
      if (flag !== "0" && flag !== "1") {
        throw new Error(`u.item line ${line}: genre flag ${genres[g]} must be 0 or 1, got "${flag}"`);
      }
      // "unknown" is the absence of a genre, not a genre two movies can share.
      if (flag === "1" && genres[g] !== "unknown") features.push({ facet: "genre", value: genres[g], weight: 1 });
    }
    features.push(...releaseYearFeatures(releaseYear));
    items.push({
      externalId: `${ML100K_ITEM_PREFIX}${id}`,
      kind: "MOVIE",
      title,
      releaseYear,
      description: null,
      attributes: { imdbUrl: fields[4] === "" ? null : fields[4], releaseDate },
      features,
    });
  }
  return items;
}

export function parseMl100kUsers(text: string): UserRecord[] {
  const users: UserRecord[] = [];
  for (const { line, fields } of splitLines(text, "|")) {
    expectFieldCount(fields, 5, "u.user", line);
    const id = parseInteger(fields[0], "u.user", line, "user id");
    users.push({
      externalId: `${ML100K_USER_PREFIX}${id}`,
      // Zip codes stay strings: some are Canadian ("T8H1N") and leading zeros matter.
      attributes: {
        age: parseInteger(fields[1], "u.user", line, "age"),
        gender: fields[2],
        occupation: fields[3],
        zipCode: fields[4],
      },
    });
  }
  return users;
}

export function parseMl100kRatings(text: string, options: ReadOptions = {}): InteractionRecord[] {
  const interactions: InteractionRecord[] = [];
  const lines: number[] = [];
  for (const { line, fields } of splitLines(text, "\t")) {
    expectFieldCount(fields, 4, "u.data", line);
    const user = parseInteger(fields[0], "u.data", line, "user id");
    const item = parseInteger(fields[1], "u.data", line, "item id");
    const rating = parseInteger(fields[2], "u.data", line, "rating");
    const seconds = parseInteger(fields[3], "u.data", line, "timestamp");
    interactions.push({
      userExternalId: `${ML100K_USER_PREFIX}${user}`,
      itemExternalId: `${ML100K_ITEM_PREFIX}${item}`,
      type: "RATING",
      value: rating,
      occurredAt: new Date(seconds * 1000),
    });
    lines.push(line);
  }
  checkRatings("u.data", interactions.map((r, k) => ({ line: lines[k], value: r.value })), options.ratingScale);
  return interactions;
}

// "Toy Story (1995)" -> { title: "Toy Story", year: 1995 }. Only a year at the
// very end counts, so "Land Before Time III ... (1995) (V)" keeps its title
// and takes its year from the release date instead. Shared with ml-latest-small.
export function splitTitleYear(raw: string): { title: string; year: number | null } {
  const trimmed = raw.trim();
  const match = /^(.*?)\s*\((\d{4})\)$/.exec(trimmed);
  if (match === null || match[1] === "") return { title: trimmed, year: null };
  return { title: match[1], year: Number(match[2]) };
}

// year=1995 and decade=1990s, so content-based models can match "90s movies"
// without treating years as numbers.
export function releaseYearFeatures(year: number | null): FeatureRecord[] {
  if (year === null) return [];
  return [
    { facet: "year", value: String(year), weight: 1 },
    { facet: "decade", value: `${Math.floor(year / 10) * 10}s`, weight: 1 },
  ];
}

const MONTHS: Record<string, string> = {
  Jan: "01", Feb: "02", Mar: "03", Apr: "04", May: "05", Jun: "06",
  Jul: "07", Aug: "08", Sep: "09", Oct: "10", Nov: "11", Dec: "12",
};

// "01-Jan-1995" -> "1995-01-01" (one item writes "4-Feb-1971"); "" -> null (item 267 "unknown" has no date).
function parseMl100kDate(raw: string, file: string, line: number): string | null {
  if (raw === "") return null;
  const match = /^(\d{1,2})-([A-Z][a-z]{2})-(\d{4})$/.exec(raw);
  const month = match === null ? undefined : MONTHS[match[2]];
  if (match === null || month === undefined) {
    throw new Error(`${file} line ${line}: release date must look like 01-Jan-1995, got "${raw}"`);
  }
  return `${match[3]}-${month}-${match[1].padStart(2, "0")}`;
}

function* splitLines(text: string, separator: string): Generator<{ line: number; fields: string[] }> {
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i].endsWith("\r") ? lines[i].slice(0, -1) : lines[i];
    if (raw.trim() === "") continue;
    yield { line: i + 1, fields: raw.split(separator) };
  }
}

function expectFieldCount(fields: string[], expected: number, file: string, line: number): void {
  if (fields.length !== expected) {
    throw new Error(`${file} line ${line}: expected ${expected} fields, got ${fields.length}`);
  }
}

function parseInteger(raw: string, file: string, line: number, what: string): number {
  if (!/^-?\d+$/.test(raw.trim())) {
    throw new Error(`${file} line ${line}: ${what} must be an integer, got "${raw}"`);
  }
  return Number(raw);
}
