// Reader for MovieLens "latest-small" (https://grouplens.org/datasets/movielens/latest/),
// format as described in the dataset's README.txt: UTF-8 CSV files with a
// header row and CRLF line ends; titles containing commas are quoted.
//   movies.csv   movieId,title,genres     genres joined by "|", "(no genres listed)" for none
//   ratings.csv  userId,movieId,rating,timestamp   half-star ratings 0.5..5
//   tags.csv     userId,movieId,tag,timestamp      free-text tags
//
// Tags become item features (facet "tag", weight = number of distinct users
// who applied the tag to the movie), not interactions: a tag is free text with
// no sign ("boring" and "masterpiece" look alike), so counting it as an
// implicit positive would teach the models the wrong thing.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { CatalogData, InteractionRecord, ItemRecord, UserRecord } from "./CatalogData";
import { parseCsv, type CsvRecord } from "./csv";
import { checkRatings, type ReadOptions } from "./ratingScale";
import { releaseYearFeatures, splitTitleYear } from "./movielens100k";

export const MLSMALL_ITEM_PREFIX = "mlsmall-item-";
export const MLSMALL_USER_PREFIX = "mlsmall-user-";

export interface MovieLensLatestFiles {
  movies: string;
  ratings: string;
  tags?: string;
}

export interface MovieLensTag {
  userId: number;
  movieId: number;
  tag: string; // as written in the file
  occurredAt: Date;
}

export function readMovieLensLatest(dir: string, options: ReadOptions = {}): CatalogData {
  const tagsPath = join(dir, "tags.csv");
  let tags: string | undefined;
  try {
    tags = readFileSync(tagsPath, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  return parseMovieLensLatest({
    movies: readFileSync(join(dir, "movies.csv"), "utf8"),
    ratings: readFileSync(join(dir, "ratings.csv"), "utf8"),
    tags,
  }, options);
}

export function parseMovieLensLatest(files: MovieLensLatestFiles, options: ReadOptions = {}): CatalogData {
  const items = parseMlLatestMovies(files.movies);
  const interactions = parseMlLatestRatings(files.ratings, options);
  const tags = files.tags === undefined ? [] : parseMlLatestTags(files.tags);
  addTagFeatures(items, tags);
  const itemIds = new Set(items.map((item) => item.externalId));
  for (const r of interactions) {
    if (!itemIds.has(r.itemExternalId)) {
      throw new Error(`ratings.csv: a rating refers to ${r.itemExternalId}, which is not in movies.csv`);
    }
  }

  // The dataset has no user file: users are whoever rated or tagged something.
  const userIds = new Set<number>();
  for (const r of interactions) userIds.add(Number(r.userExternalId.slice(MLSMALL_USER_PREFIX.length)));
  for (const t of tags) userIds.add(t.userId);
  const users: UserRecord[] = [...userIds]
    .sort((a, b) => a - b)
    .map((id) => ({ externalId: `${MLSMALL_USER_PREFIX}${id}`, attributes: {} }));

  return { users, items, interactions };
}

export function parseMlLatestMovies(text: string): ItemRecord[] {
  const rows = csvBody(text, "movies.csv", ["movieId", "title", "genres"]);
  return rows.map(({ line, fields }) => {
    const id = parseId(fields[0], "movies.csv", line, "movieId");
    const { title, year } = splitTitleYear(fields[1]);
    const genres = fields[2] === "(no genres listed)" || fields[2] === "" ? [] : fields[2].split("|");
    return {
      externalId: `${MLSMALL_ITEM_PREFIX}${id}`,
      kind: "MOVIE" as const,
      title,
      releaseYear: year,
      description: null,
      attributes: {},
      features: [
        ...genres.map((value) => ({ facet: "genre", value, weight: 1 })),
        ...releaseYearFeatures(year),
      ],
    };
  });
}

export function parseMlLatestRatings(text: string, options: ReadOptions = {}): InteractionRecord[] {
  const rows = csvBody(text, "ratings.csv", ["userId", "movieId", "rating", "timestamp"]);
  const interactions = rows.map(({ line, fields }) => {
    const rating = Number(fields[2]);
    if (fields[2].trim() === "" || !Number.isFinite(rating)) {
      throw new Error(`ratings.csv line ${line}: rating must be a number, got "${fields[2]}"`);
    }
    return {
      userExternalId: `${MLSMALL_USER_PREFIX}${parseId(fields[0], "ratings.csv", line, "userId")}`,
      itemExternalId: `${MLSMALL_ITEM_PREFIX}${parseId(fields[1], "ratings.csv", line, "movieId")}`,
      type: "RATING" as const,
      value: rating,
      occurredAt: new Date(parseId(fields[3], "ratings.csv", line, "timestamp") * 1000),
    };
  });
  checkRatings("ratings.csv", interactions.map((r, k) => ({ line: rows[k].line, value: r.value })), options.ratingScale);
  return interactions;
}

export function parseMlLatestTags(text: string): MovieLensTag[] {
  const rows = csvBody(text, "tags.csv", ["userId", "movieId", "tag", "timestamp"]);
  return rows.map(({ line, fields }) => ({
    userId: parseId(fields[0], "tags.csv", line, "userId"),
    movieId: parseId(fields[1], "tags.csv", line, "movieId"),
    tag: fields[2],
    occurredAt: new Date(parseId(fields[3], "tags.csv", line, "timestamp") * 1000),
  }));
}

// Adds facet "tag" features in place. Tags are lower-cased and trimmed so
// "Highly quotable" and "highly quotable" count as one; the weight is the
// number of distinct users, so one user repeating a tag does not inflate it.
export function addTagFeatures(items: ItemRecord[], tags: readonly MovieLensTag[]): void {
  const byId = new Map(items.map((item) => [item.externalId, item]));
  const usersByItemTag = new Map<string, Map<string, Set<number>>>();
  for (const t of tags) {
    const value = t.tag.trim().toLowerCase();
    if (value === "") continue;
    const itemId = `${MLSMALL_ITEM_PREFIX}${t.movieId}`;
    if (!byId.has(itemId)) {
      throw new Error(`tags.csv: tag "${t.tag}" refers to movieId ${t.movieId}, which is not in movies.csv`);
    }
    let perTag = usersByItemTag.get(itemId);
    if (perTag === undefined) usersByItemTag.set(itemId, (perTag = new Map()));
    let users = perTag.get(value);
    if (users === undefined) perTag.set(value, (users = new Set()));
    users.add(t.userId);
  }
  for (const [itemId, perTag] of usersByItemTag) {
    const item = byId.get(itemId)!;
    for (const [value, users] of perTag) item.features.push({ facet: "tag", value, weight: users.size });
  }
}

function csvBody(text: string, file: string, header: readonly string[]): CsvRecord[] {
  const records = parseCsv(text);
  const first = records[0]?.fields ?? [];
  if (first.length !== header.length || first.some((name, i) => name !== header[i])) {
    throw new Error(`${file}: expected header "${header.join(",")}", got "${first.join(",")}"`);
  }
  const body = records.slice(1);
  for (const { line, fields } of body) {
    if (fields.length !== header.length) {
      throw new Error(`${file} line ${line}: expected ${header.length} fields, got ${fields.length}`);
    }
  }
  return body;
}

function parseId(raw: string, file: string, line: number, column: string): number {
  if (!/^\d+$/.test(raw)) throw new Error(`${file} line ${line}, column ${column}: expected an integer, got "${raw}"`);
  return Number(raw);
}
