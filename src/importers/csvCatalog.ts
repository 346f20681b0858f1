// Reader for Marquee's own CSV catalog format, specified in docs/IMPORT_FORMAT.md:
// a directory with items.csv, optional users.csv and optional interactions.csv.
//
// Every problem found is collected and reported together (up to a limit), each
// naming the file, line, column and the value that was wrong, so a catalog can
// be fixed in one pass instead of one error per run.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type {
  CatalogData,
  FeatureRecord,
  InteractionRecord,
  InteractionTypeName,
  ItemKindName,
  ItemRecord,
  UserRecord,
} from "./CatalogData";
import { CsvSyntaxError, parseCsv, type CsvRecord } from "./csv";
import { isOnScale, scaleProblem, type ReadOptions } from "./ratingScale";

export const ITEM_KINDS: readonly ItemKindName[] = ["MOVIE", "SHOW", "MUSIC", "GAME", "BOOK", "PODCAST", "OTHER"];
export const INTERACTION_TYPES: readonly InteractionTypeName[] = [
  "RATING", "VIEW", "PLAY", "LIKE", "DISLIKE", "PURCHASE", "SKIP",
];

export interface CsvCatalogFiles {
  items: string;
  users?: string;
  interactions?: string;
}

export interface CsvCatalogProblem {
  file: string;
  line: number | null; // null when the problem is about the whole file
  column: string | null;
  value: string | null;
  message: string;
}

const MAX_LISTED_PROBLEMS = 20;

export class CsvCatalogError extends Error {
  constructor(readonly problems: readonly CsvCatalogProblem[]) {
    const listed = problems.slice(0, MAX_LISTED_PROBLEMS).map(formatProblem);
    const more = problems.length - listed.length;
    super(
      `${problems.length} problem${problems.length === 1 ? "" : "s"} in the CSV catalog:\n  ` +
        listed.join("\n  ") +
        (more > 0 ? `\n  ... and ${more} more` : ""),
    );
    this.name = "CsvCatalogError";
  }
}

export function formatProblem(p: CsvCatalogProblem): string {
  let where = p.file;
  if (p.line !== null) where += ` line ${p.line}`;
  if (p.column !== null) where += `, column "${p.column}"`;
  const shown = p.value === null ? "" : ` (got ${JSON.stringify(p.value)})`;
  return `${where}: ${p.message}${shown}`;
}

export function readCsvCatalog(dir: string, options: ReadOptions = {}): CatalogData {
  const optional = (name: string): string | undefined => {
    const path = join(dir, name);
    return existsSync(path) ? readFileSync(path, "utf8") : undefined;
  };
  return parseCsvCatalog({
    items: readFileSync(join(dir, "items.csv"), "utf8"),
    users: optional("users.csv"),
    interactions: optional("interactions.csv"),
  }, options);
}

export function parseCsvCatalog(files: CsvCatalogFiles, options: ReadOptions = {}): CatalogData {
  const problems: CsvCatalogProblem[] = [];
  const items = parseItems(files.items, problems);
  const users = files.users === undefined ? [] : parseUsers(files.users, problems);
  const interactions =
    files.interactions === undefined ? [] : parseInteractions(files.interactions, items, users, problems, options);
  if (problems.length > 0) {
    // Report in reading order: file by file, then by line (sort is stable).
    const fileOrder = ["items.csv", "users.csv", "interactions.csv"];
    problems.sort((a, b) => fileOrder.indexOf(a.file) - fileOrder.indexOf(b.file) || (a.line ?? 0) - (b.line ?? 0));
    throw new CsvCatalogError(problems);
  }
  return { users, items, interactions };
}

// ---------------------------------------------------------------------------
// items.csv

const ITEM_COLUMNS = ["external_id", "kind", "title", "release_year", "description", "features"];

function parseItems(text: string, problems: CsvCatalogProblem[]): ItemRecord[] {
  const table = readTable(text, "items.csv", ["external_id", "kind", "title"], problems);
  if (table === null) return [];
  const items: ItemRecord[] = [];
  const seen = new Map<string, number>();
  for (const row of table.rows) {
    const cell = table.cell(row);
    const report = (column: string, message: string, value: string | null = cell(column) ?? null) =>
      problems.push({ file: "items.csv", line: row.line, column, value, message });

    const externalId = cell("external_id") ?? "";
    if (externalId === "") report("external_id", "external_id must not be empty", null);
    else if (seen.has(externalId)) report("external_id", `duplicate external_id, first on line ${seen.get(externalId)}`);
    else seen.set(externalId, row.line);

    const kindRaw = cell("kind") ?? "";
    const kind = ITEM_KINDS.find((k) => k === kindRaw.toUpperCase());
    if (kind === undefined) report("kind", `unknown kind, expected one of ${ITEM_KINDS.join(", ")}`);

    const title = cell("title") ?? "";
    if (title === "") report("title", "title must not be empty", null);

    let releaseYear: number | null = null;
    const yearRaw = cell("release_year") ?? "";
    if (yearRaw !== "") {
      if (/^\d{1,4}$/.test(yearRaw)) releaseYear = Number(yearRaw);
      else report("release_year", "release_year must be a whole year such as 1995, or empty");
    }

    const descriptionRaw = cell("description") ?? "";
    const features = parseFeatures(cell("features") ?? "", (message, value) => report("features", message, value));

    const attributes: ItemRecord["attributes"] = {};
    for (const column of table.extraColumns(ITEM_COLUMNS)) attributes[column] = emptyToNull(cell(column));

    items.push({
      externalId,
      kind: kind ?? "OTHER",
      title,
      releaseYear,
      description: descriptionRaw === "" ? null : descriptionRaw,
      attributes,
      features,
    });
  }
  return items;
}

// "genre:Sci-Fi|director:Jane Doe|tag:space opera:2.5". The value runs from the
// first colon to the last; a part after a second colon must be the weight, so
// a value containing ":" needs an explicit weight ("tag:a:b:1"). A "|" inside
// a value is written "\|" ("tag:rock\|pop"), and a backslash right before a
// "|" or another backslash is written "\\"; any other backslash stays as
// written ("AC\DC").
export function parseFeatures(raw: string, report: (message: string, value: string) => void): FeatureRecord[] {
  const features: FeatureRecord[] = [];
  const seen = new Set<string>();
  if (raw.trim() === "") return features;
  for (const part of splitFeatures(raw)) {
    const text = part.trim();
    const first = text.indexOf(":");
    if (first <= 0) {
      report("each feature must be written facet:value or facet:value:weight", text);
      continue;
    }
    const facet = text.slice(0, first).trim().toLowerCase();
    let value = text.slice(first + 1).trim();
    let weight = 1;
    const last = text.lastIndexOf(":");
    if (last > first) {
      const weightRaw = text.slice(last + 1).trim();
      weight = Number(weightRaw);
      if (weightRaw === "" || !Number.isFinite(weight) || weight <= 0) {
        report("feature weight (after the last colon) must be a finite number > 0", text);
        continue;
      }
      value = text.slice(first + 1, last).trim();
    }
    if (value === "") {
      report("feature value must not be empty", text);
      continue;
    }
    const key = `${facet}\u0000${value}`;
    if (seen.has(key)) {
      report(`duplicate feature ${facet}:${value} on the same item`, text);
      continue;
    }
    seen.add(key);
    features.push({ facet, value, weight });
  }
  return features;
}

// Splits on the "|" not escaped by a backslash, and unescapes "\|" and "\\".
export function splitFeatures(raw: string): string[] {
  const parts: string[] = [];
  let current = "";
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i];
    if (c === "\\" && (raw[i + 1] === "|" || raw[i + 1] === "\\")) {
      current += raw[++i];
    } else if (c === "|") {
      parts.push(current);
      current = "";
    } else {
      current += c;
    }
  }
  parts.push(current);
  return parts;
}

// ---------------------------------------------------------------------------
// users.csv

function parseUsers(text: string, problems: CsvCatalogProblem[]): UserRecord[] {
  const table = readTable(text, "users.csv", ["external_id"], problems);
  if (table === null) return [];
  const users: UserRecord[] = [];
  const seen = new Map<string, number>();
  for (const row of table.rows) {
    const cell = table.cell(row);
    const externalId = cell("external_id") ?? "";
    const report = (message: string, value: string | null) =>
      problems.push({ file: "users.csv", line: row.line, column: "external_id", value, message });
    if (externalId === "") report("external_id must not be empty", null);
    else if (seen.has(externalId)) report(`duplicate external_id, first on line ${seen.get(externalId)}`, externalId);
    else seen.set(externalId, row.line);
    // Attribute values stay strings: "01234" is a zip code, not a number.
    const attributes: UserRecord["attributes"] = {};
    for (const column of table.extraColumns(["external_id"])) attributes[column] = emptyToNull(cell(column));
    users.push({ externalId, attributes });
  }
  return users;
}

// ---------------------------------------------------------------------------
// interactions.csv

function parseInteractions(
  text: string,
  items: readonly ItemRecord[],
  users: UserRecord[],
  problems: CsvCatalogProblem[],
  options: ReadOptions,
): InteractionRecord[] {
  const table = readTable(text, "interactions.csv", ["user_id", "item_id", "type"], problems);
  if (table === null) return [];
  const itemIds = new Set(items.map((item) => item.externalId));
  const userIds = new Set(users.map((user) => user.externalId));
  const interactions: InteractionRecord[] = [];
  // Events without a time, counted per user: the n-th is stored at
  // 1970-01-01T00:00:00Z + n ms (TIMELESS_EPOCH), so file order is history
  // order and importing the same file again writes the same rows.
  const timeless = new Map<string, number>();
  for (const row of table.rows) {
    const cell = table.cell(row);
    const before = problems.length;
    const report = (column: string, message: string, value: string | null = cell(column) ?? null) =>
      problems.push({ file: "interactions.csv", line: row.line, column, value, message });

    const userId = cell("user_id") ?? "";
    if (userId === "") report("user_id", "user_id must not be empty", null);
    const itemId = cell("item_id") ?? "";
    if (itemId === "") report("item_id", "item_id must not be empty", null);
    else if (!itemIds.has(itemId)) report("item_id", "item_id is not an external_id in items.csv");

    const typeRaw = cell("type") ?? "";
    const type = INTERACTION_TYPES.find((t) => t === typeRaw.toUpperCase());
    if (type === undefined) report("type", `unknown type, expected one of ${INTERACTION_TYPES.join(", ")}`);

    // A RATING needs its value; for the other types an empty value means one event.
    const valueRaw = cell("value") ?? "";
    let value = 1;
    if (valueRaw !== "") {
      value = Number(valueRaw);
      if (!Number.isFinite(value)) report("value", "value must be a finite number");
      else if (type === "RATING" && options.ratingScale && !isOnScale(value, options.ratingScale)) report("value", scaleProblem(options.ratingScale));
      else if (type !== undefined && type !== "RATING" && value < 0) report("value", `a ${type} amount (plays, minutes, copies) must be 0 or more`);
    } else if (type === "RATING") {
      report("value", "a RATING needs a value", null);
    }

    // No time (no column, or an empty cell): placed by file order, see above.
    const occurredRaw = cell("occurred_at") ?? "";
    const occurredAt = occurredRaw === "" ? null : parseTimestamp(occurredRaw);
    if (typeof occurredAt === "string") report("occurred_at", occurredAt, occurredRaw);

    if (problems.length > before || type === undefined || typeof occurredAt === "string") continue;
    if (!userIds.has(userId)) {
      userIds.add(userId);
      users.push({ externalId: userId, attributes: {} });
    }
    let at = occurredAt;
    if (at === null) {
      const n = timeless.get(userId) ?? 0;
      timeless.set(userId, n + 1);
      at = new Date(TIMELESS_EPOCH + n);
    }
    interactions.push({ userExternalId: userId, itemExternalId: itemId, type, value, occurredAt: at });
  }
  return interactions;
}

// Where events without a time are placed: the epoch, one millisecond apart
// per user in file order. Older than any dated event, so they come first in a
// history and never count in a popularity window but ALL_TIME.
export const TIMELESS_EPOCH = 0;

const ISO_8601 =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

// ISO-8601 date or date-time, or unix seconds. Returns the Date, or a message
// saying what is wrong. A date-time without an offset is read as UTC so that
// the result never depends on the importing machine's time zone.
export function parseTimestamp(raw: string): Date | string {
  const text = raw.trim();
  if (text === "") return "occurred_at must not be empty";
  if (/^-?\d+(\.\d+)?$/.test(text)) {
    const seconds = Number(text);
    // 1e11 seconds is the year 5138: a larger number is almost surely milliseconds.
    if (Math.abs(seconds) >= 1e11) return "unix time must be in seconds, this looks like milliseconds";
    return new Date(Math.round(seconds * 1000));
  }
  const m = ISO_8601.exec(text);
  if (m === null) return "occurred_at must be ISO-8601 (2024-03-01 or 2024-03-01T12:30:00Z) or unix seconds";
  const [year, month, day, hour, minute, second] = [m[1], m[2], m[3], m[4], m[5], m[6]].map((s) =>
    s === undefined ? 0 : Number(s),
  );
  const millis = m[7] === undefined ? 0 : Number(m[7].slice(0, 3).padEnd(3, "0"));
  const local = Date.UTC(year, month - 1, day, hour, minute, second, millis);
  const check = new Date(local);
  // Date.UTC rolls 2024-02-30 over to March; a round trip catches that.
  if (
    check.getUTCFullYear() !== year ||
    check.getUTCMonth() !== month - 1 ||
    check.getUTCDate() !== day ||
    hour > 23 ||
    minute > 59 ||
    second > 59
  ) {
    return "occurred_at is not a real date or time";
  }
  let offsetMinutes = 0;
  const zone = m[8];
  if (zone !== undefined && zone !== "Z") {
    const digits = zone.slice(1).replace(":", "");
    offsetMinutes = (zone[0] === "-" ? -1 : 1) * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2)));
  }
  return new Date(local - offsetMinutes * 60_000);
}

// ---------------------------------------------------------------------------
// Shared table handling: header lookup by name, so columns may come in any order.

interface Table {
  rows: CsvRecord[];
  cell(row: CsvRecord): (column: string) => string | undefined;
  extraColumns(known: readonly string[]): string[];
}

function readTable(
  text: string,
  file: string,
  required: readonly string[],
  problems: CsvCatalogProblem[],
): Table | null {
  let records: CsvRecord[];
  try {
    records = parseCsv(text);
  } catch (error) {
    if (!(error instanceof CsvSyntaxError)) throw error;
    problems.push({ file, line: error.line, column: null, value: null, message: `${error.detail} (at character ${error.column})` });
    return null;
  }
  if (records.length === 0) {
    problems.push({ file, line: null, column: null, value: null, message: "file is empty, expected a header row" });
    return null;
  }
  const header = records[0].fields.map((name) => name.trim());
  const index = new Map<string, number>();
  let ok = true;
  header.forEach((name, i) => {
    if (index.has(name)) {
      problems.push({ file, line: records[0].line, column: name, value: null, message: "column appears twice in the header" });
      ok = false;
    }
    index.set(name, i);
  });
  for (const name of required) {
    if (!index.has(name)) {
      problems.push({
        file,
        line: records[0].line,
        column: name,
        value: header.join(","),
        message: `missing required column (the header must include ${required.join(", ")})`,
      });
      ok = false;
    }
  }
  if (!ok) return null;
  const rows = records.slice(1).filter((row) => {
    if (row.fields.length === header.length) return true;
    problems.push({
      file,
      line: row.line,
      column: null,
      value: null,
      message: `expected ${header.length} fields like the header, got ${row.fields.length} (quote values that contain commas)`,
    });
    return false;
  });
  return {
    rows,
    cell: (row) => (column) => {
      const i = index.get(column);
      return i === undefined ? undefined : row.fields[i].trim();
    },
    extraColumns: (known) => header.filter((name) => name !== "" && !known.includes(name)),
  };
}

function emptyToNull(value: string | undefined): string | null {
  return value === undefined || value === "" ? null : value;
}
