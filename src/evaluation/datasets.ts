// Readers for the MovieLens files used by the published benchmarks, into one
// dense-index table of ratings (rows in file order, which the reference
// splitters depend on) plus the item genre features for the content model.
// External ids become dense indices here, once (IdMap), as Surprise's
// Trainset does.
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { csrFromTriplets, type CsrMatrix } from "../engine/data/CsrMatrix";
import { IdMap } from "../engine/data/IdMap";

export interface RatingTable {
  readonly name: string; // "ml-100k" | "ml-latest-small"
  readonly nUsers: number;
  readonly nItems: number;
  // One entry per rating, in file order.
  readonly users: Int32Array;
  readonly items: Int32Array;
  readonly ratings: Float32Array;
  readonly timestamps: Float64Array;
  readonly userIds: IdMap;
  readonly itemIds: IdMap;
  readonly itemTitles: readonly string[];
  // item x genre, weight 1 per genre flag.
  readonly itemFeatures: CsrMatrix;
  readonly featureNames: readonly string[];
  readonly ratingScale: { min: number; max: number };
}

// /work/shared/datasets/ml-100k when the project root is /work/main.
export const DEFAULT_DATASET_DIR = resolve(__dirname, "../../../shared/datasets/ml-100k");

export type DatasetKind = "ml-100k" | "ml-latest-small";

export class DatasetNotFoundError extends Error {}

// Which MovieLens release a folder holds, judged by its files.
export function detectDataset(dir: string): DatasetKind {
  if (!existsSync(dir)) {
    throw new DatasetNotFoundError(
      `No dataset folder at ${dir}. Put MovieLens 100K (u.data, u.item) or ml-latest-small ` +
        `(ratings.csv, movies.csv) there, or pass --dataset <dir>.`,
    );
  }
  if (existsSync(join(dir, "u.data"))) return "ml-100k";
  if (existsSync(join(dir, "ratings.csv"))) return "ml-latest-small";
  throw new DatasetNotFoundError(
    `${dir} holds neither u.data (MovieLens 100K) nor ratings.csv (ml-latest-small).`,
  );
}

export function loadDataset(dir: string = DEFAULT_DATASET_DIR): RatingTable {
  return detectDataset(dir) === "ml-100k" ? readMovieLens100k(dir) : readMovieLensLatestSmall(dir);
}

// u.data: "user \t item \t rating \t timestamp", LF. u.item: Latin-1, '|'
// separated, 5 fields then 19 genre flags in u.genre's order.
export function readMovieLens100k(dir: string): RatingTable {
  const itemIds = new IdMap();
  const titles: string[] = [];
  const fr: number[] = [];
  const fc: number[] = [];
  let featureNames = readGenreNames(join(dir, "u.genre"));
  const itemPath = join(dir, "u.item");
  if (existsSync(itemPath)) {
    for (const line of readFileSync(itemPath, "latin1").split(/\r?\n/)) {
      if (line === "") continue;
      const f = line.split("|");
      const item = itemIds.add(f[0]);
      titles[item] = f[1];
      const flags = f.slice(5);
      if (featureNames.length === 0) featureNames = flags.map((_, g) => `genre${g}`);
      flags.forEach((flag, g) => {
        if (flag === "1") {
          fr.push(item);
          fc.push(g);
        }
      });
    }
  }
  const userIds = new IdMap();
  const rows: [string, string, string, string][] = [];
  for (const line of readFileSync(join(dir, "u.data"), "utf8").split(/\r?\n/)) {
    if (line === "") continue;
    const f = line.split("\t");
    if (f.length < 4) throw new Error(`u.data: expected 4 tab-separated fields, got ${JSON.stringify(line)}`);
    rows.push([f[0], f[1], f[2], f[3]]);
  }
  return buildTable("ml-100k", rows, userIds, itemIds, titles, fr, fc, featureNames);
}

// ratings.csv "userId,movieId,rating,timestamp" and movies.csv
// "movieId,title,genres" (quoted CSV, CRLF, genres '|'-separated).
export function readMovieLensLatestSmall(dir: string): RatingTable {
  const itemIds = new IdMap();
  const titles: string[] = [];
  const features = new IdMap();
  const fr: number[] = [];
  const fc: number[] = [];
  const moviesPath = join(dir, "movies.csv");
  if (existsSync(moviesPath)) {
    const lines = readFileSync(moviesPath, "utf8").split(/\r?\n/);
    for (const line of lines.slice(1)) {
      if (line === "") continue;
      const [id, title, genres] = parseCsvLine(line);
      const item = itemIds.add(id);
      titles[item] = title;
      for (const genre of (genres ?? "").split("|")) {
        if (genre === "" || genre === "(no genres listed)") continue;
        fr.push(item);
        fc.push(features.add(genre));
      }
    }
  }
  const userIds = new IdMap();
  const rows: [string, string, string, string][] = [];
  const lines = readFileSync(join(dir, "ratings.csv"), "utf8").split(/\r?\n/);
  for (const line of lines.slice(1)) {
    if (line === "") continue;
    const f = parseCsvLine(line);
    rows.push([f[0], f[1], f[2], f[3]]);
  }
  return buildTable("ml-latest-small", rows, userIds, itemIds, titles, fr, fc, [...features.ids()]);
}

// One CSV record (RFC 4180 quoting: "a, b" and "" for a quote).
export function parseCsvLine(line: string): string[] {
  const out: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ",") {
      out.push(field);
      field = "";
    } else if (ch !== "\r") field += ch;
  }
  out.push(field);
  return out;
}

function readGenreNames(path: string): string[] {
  if (!existsSync(path)) return [];
  const names: string[] = [];
  for (const line of readFileSync(path, "latin1").split(/\r?\n/)) {
    const [name, index] = line.split("|");
    if (name && index !== undefined) names[Number(index)] = name;
  }
  return names;
}

function buildTable(
  name: string,
  rows: [string, string, string, string][],
  userIds: IdMap,
  itemIds: IdMap,
  titles: string[],
  featureRows: number[],
  featureCols: number[],
  featureNames: string[],
): RatingTable {
  const n = rows.length;
  const users = new Int32Array(n);
  const items = new Int32Array(n);
  const ratings = new Float32Array(n);
  const timestamps = new Float64Array(n);
  rows.forEach(([u, i, r, t], k) => {
    users[k] = userIds.add(u);
    items[k] = itemIds.add(i);
    const rating = Number(r);
    if (!Number.isFinite(rating)) throw new Error(`${name}: rating ${JSON.stringify(r)} on row ${k + 1} is not a number`);
    ratings[k] = rating;
    timestamps[k] = Number(t);
  });
  const nItems = itemIds.size;
  let nFeatures = featureNames.length;
  for (const c of featureCols) if (c + 1 > nFeatures) nFeatures = c + 1;
  const itemFeatures = csrFromTriplets(
    nItems,
    nFeatures,
    featureRows,
    featureCols,
    featureRows.map(() => 1),
    "max",
  );
  for (let i = 0; i < nItems; i++) if (titles[i] === undefined) titles[i] = itemIds.id(i);
  return {
    name,
    nUsers: userIds.size,
    nItems,
    users,
    items,
    ratings,
    timestamps,
    userIds,
    itemIds,
    itemTitles: titles,
    itemFeatures,
    featureNames,
    // The scales Surprise's built-in readers declare: (1, 5) and (0.5, 5).
    ratingScale: name === "ml-100k" ? { min: 1, max: 5 } : { min: 0.5, max: 5 },
  };
}
