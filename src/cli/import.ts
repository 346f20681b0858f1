// `npm run import -- <source> [dir]`: reads a catalog (MovieLens 100K,
// MovieLens latest, or Marquee's CSV format) and writes it into DATABASE_URL,
// or the embedded database in MARQUEE_DATA_DIR, in one transaction. Writing
// the same source again changes nothing, so an import can simply be re-run.
//
// Exit codes: 0 done, 1 bad input or a database problem (a readable message,
// no stack), 2 a usage error (the usage is printed).
import { existsSync, statSync } from "node:fs";
import { resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { openDatabase } from "../app";
import { analyzeTables } from "../db/analyzeTables";
import { ConfigError, loadConfig, type Config } from "../config";
import { databaseUnreachable } from "./databaseErrors";
import type { Database } from "../db/Database";
import { MigrationError } from "../db/migrate";
import type { CatalogData } from "../importers/CatalogData";
import { CsvSyntaxError } from "../importers/csv";
import { CsvCatalogError, formatProblem, readCsvCatalog } from "../importers/csvCatalog";
import { RatingOutOfScaleError, type ReadOptions } from "../importers/ratingScale";
import { readMovieLens100k } from "../importers/movielens100k";
import { readMovieLensLatest } from "../importers/movielensLatest";
import type { Logger } from "../logger";
import { ImportError, importCatalog, type ImportProgress, type ImportSummary } from "../services/importService";
import { createProgress, type Progress, type ProgressStream } from "./progress";

export type SourceName = "movielens-100k" | "movielens-latest" | "csv";

interface Source {
  label: string;
  // Files that must be in the folder; the reader treats the others as optional.
  requiredFiles: readonly string[];
  // /work/shared/datasets/... when the project root is /work/main.
  defaultDir?: string;
  read(dir: string, options: ReadOptions): CatalogData;
}

export const SOURCES: Readonly<Record<SourceName, Source>> = {
  "movielens-100k": {
    label: "MovieLens 100K",
    requiredFiles: ["u.data", "u.item", "u.genre", "u.user"],
    defaultDir: resolve(__dirname, "../../../shared/datasets/ml-100k"),
    read: readMovieLens100k,
  },
  "movielens-latest": {
    label: "MovieLens latest",
    requiredFiles: ["movies.csv", "ratings.csv"],
    defaultDir: resolve(__dirname, "../../../shared/datasets/ml-latest-small"),
    read: readMovieLensLatest,
  },
  csv: {
    label: "CSV catalog",
    requiredFiles: ["items.csv"],
    read: readCsvCatalog,
  },
};

const SOURCE_NAMES = Object.keys(SOURCES) as SourceName[];

export const USAGE = `usage: npm run import -- <source> [dir]

sources:
  movielens-100k [dir]    MovieLens 100K (u.data, u.item, u.genre, u.user); dir defaults to ${SOURCES["movielens-100k"].defaultDir}
  movielens-latest [dir]  MovieLens latest (movies.csv, ratings.csv, tags.csv); dir defaults to ${SOURCES["movielens-latest"].defaultDir}
  csv <dir>               Marquee's CSV catalog (items.csv, users.csv, interactions.csv), see docs/IMPORT_FORMAT.md

Writes into DATABASE_URL when set, otherwise the embedded database in MARQUEE_DATA_DIR (default .marquee).
Re-running an import changes nothing.`;

export class UsageError extends Error {
  override name = "UsageError";
}

// Bad input: a missing folder or file, or a file the reader rejected.
export class InputError extends Error {
  override name = "InputError";
}

export interface ImportArgs {
  source: SourceName;
  dir: string;
}

export function parseImportArgs(argv: readonly string[], cwd: string = process.cwd()): ImportArgs | "help" {
  if (argv.some((a) => a === "--help" || a === "-h")) return "help";
  const options = argv.filter((a) => a.startsWith("-"));
  if (options.length > 0) throw new UsageError(`Unknown option ${options[0]}`);
  if (argv.length === 0) throw new UsageError("Name a source to import");
  const [name, dir, ...rest] = argv;
  if (!SOURCE_NAMES.includes(name as SourceName)) {
    throw new UsageError(`Unknown source "${name}"; expected ${SOURCE_NAMES.join(", ")}`);
  }
  if (rest.length > 0) throw new UsageError(`Unexpected argument "${rest[0]}"`);
  const source = SOURCES[name as SourceName];
  const chosen = dir ?? source.defaultDir;
  if (chosen === undefined) throw new UsageError(`${name} needs the folder to read: npm run import -- ${name} <dir>`);
  return { source: name as SourceName, dir: resolve(cwd, chosen) };
}

// Says which path is absent before any reader runs, so the message names it.
export function checkSourceFolder(args: ImportArgs): void {
  const source = SOURCES[args.source];
  if (!existsSync(args.dir)) throw new InputError(`No folder at ${args.dir} (${source.label} expected there)`);
  if (!statSync(args.dir).isDirectory()) throw new InputError(`${args.dir} is not a folder (${source.label} expected there)`);
  const missing = source.requiredFiles.filter((file) => !existsSync(resolve(args.dir, file)));
  if (missing.length > 0) {
    throw new InputError(
      `${source.label} in ${args.dir} is incomplete: missing ${missing.map((f) => resolve(args.dir, f)).join(", ")}`,
    );
  }
}

export function readSource(args: ImportArgs, options: ReadOptions = {}): CatalogData {
  checkSourceFolder(args);
  try {
    return SOURCES[args.source].read(args.dir, options);
  } catch (error) {
    if (error instanceof CsvCatalogError) {
      const problems = error.problems.map(formatProblem);
      throw new InputError(
        `${SOURCES[args.source].label} in ${args.dir} has ${problems.length} problem${problems.length === 1 ? "" : "s"}:\n  ${problems.join("\n  ")}`,
      );
    }
    // The readers report bad lines as plain Errors naming the file and line;
    // anything else (a TypeError, say) is a bug and keeps its stack.
    if (error instanceof CsvSyntaxError || error instanceof RatingOutOfScaleError || (error instanceof Error && error.constructor === Error)) {
      throw new InputError(`${SOURCES[args.source].label} in ${args.dir}: ${error.message}`);
    }
    throw error;
  }
}

export interface ImportIo {
  stdout: ProgressStream;
  stderr: ProgressStream;
  // Plain progress lines instead of a redrawn bar (CI, pipes); by default when stderr is not a TTY.
  plainProgress?: boolean;
  env?: Record<string, string | undefined>;
  cwd?: string;
}

export interface ImportReport {
  source: SourceName;
  dir: string;
  database: string;
  summary: ImportSummary;
  usersCreated: number;
  itemsCreated: number;
  parseSeconds: number;
  writeSeconds: number;
}

async function countRows(db: Database): Promise<{ users: number; items: number }> {
  const [row] = await db.sql.query<{ users: number; items: number }>(
    `SELECT (SELECT count(*) FROM users)::int AS users, (SELECT count(*) FROM items)::int AS items`,
  );
  return row;
}

// One progress bar per phase of the write (users, items, interactions).
function phaseProgress(io: ImportIo): { onProgress(p: ImportProgress): void; finish(): void } {
  let current: { phase: ImportProgress["phase"]; bar: Progress; total: number } | undefined;
  const finish = () => {
    if (current) current.bar.done(`${current.total.toLocaleString("en-US")} ${current.phase}`);
    current = undefined;
  };
  return {
    onProgress(p) {
      if (current?.phase !== p.phase) {
        finish();
        current = { phase: p.phase, bar: createProgress(`writing ${p.phase}`, { stream: io.stderr, plain: io.plainProgress }), total: p.total };
      }
      current.total = p.total;
      current.bar.update(p.total === 0 ? 1 : p.done / p.total, `${p.done.toLocaleString("en-US")}/${p.total.toLocaleString("en-US")}`);
    },
    finish,
  };
}

function cliLogger(stream: ProgressStream): Logger {
  const line = (message: string, fields?: Record<string, unknown>) =>
    stream.write(`${message}${fields ? ` ${Object.values(fields).map((v) => (Array.isArray(v) ? v.join(", ") : String(v))).join(" ")}` : ""}\n`);
  return { debug: () => undefined, info: line, warn: (m, f) => line(`warning: ${m}`, f), error: (m, f) => line(`error: ${m}`, f) };
}

export async function runImport(args: ImportArgs, config: Config, io: ImportIo): Promise<ImportReport> {
  const parseStart = performance.now();
  // Ratings are checked against the configured scale as the API checks them.
  const data = readSource(args, { ratingScale: config.ratingScale });
  const parseSeconds = (performance.now() - parseStart) / 1000;
  io.stderr.write(
    `read ${SOURCES[args.source].label} from ${args.dir} in ${parseSeconds.toFixed(2)} s: ` +
      `${data.users.length.toLocaleString("en-US")} users, ${data.items.length.toLocaleString("en-US")} items, ` +
      `${data.interactions.length.toLocaleString("en-US")} interactions\n`,
  );

  // A bulk command: no statement timeout (the API keeps its own).
  const db = await openDatabase({ ...config, databaseStatementTimeoutMs: 0 }, cliLogger(io.stderr));
  try {
    const before = await countRows(db);
    const progress = phaseProgress(io);
    const writeStart = performance.now();
    let summary: ImportSummary;
    try {
      summary = await importCatalog(db, data, progress.onProgress, { ratingScale: config.ratingScale });
    } finally {
      progress.finish();
    }
    const writeSeconds = (performance.now() - writeStart) / 1000;
    await analyzeTables(db);
    const after = await countRows(db);
    return {
      source: args.source,
      dir: args.dir,
      database: db.description,
      summary,
      usersCreated: after.users - before.users,
      itemsCreated: after.items - before.items,
      parseSeconds,
      writeSeconds,
    };
  } finally {
    await db.close();
  }
}

export function formatReport(r: ImportReport): string {
  const n = (x: number) => x.toLocaleString("en-US");
  const { interactions } = r.summary;
  return [
    `imported ${SOURCES[r.source].label} from ${r.dir}`,
    `into ${r.database}`,
    `  users         ${n(r.summary.users)} (${n(r.usersCreated)} created)`,
    `  items         ${n(r.summary.items)} (${n(r.itemsCreated)} created)`,
    `  interactions  ${n(interactions.created)} created, ${n(interactions.updated)} updated, ${n(interactions.unchanged)} unchanged`,
    `  time          parse ${r.parseSeconds.toFixed(2)} s, write ${r.writeSeconds.toFixed(2)} s, total ${(r.parseSeconds + r.writeSeconds).toFixed(2)} s`,
    "",
  ].join("\n");
}

// What a user can act on without a stack trace; anything else is a bug.
function readableMessage(error: unknown, config: Config | undefined): string | undefined {
  if (error instanceof InputError || error instanceof ConfigError || error instanceof MigrationError) return error.message;
  if (error instanceof ImportError) return `the catalog is inconsistent, nothing was written: ${error.message}`;
  return databaseUnreachable(error, config);
}

export async function main(argv: readonly string[], io: ImportIo): Promise<number> {
  let args: ImportArgs | "help";
  try {
    args = parseImportArgs(argv, io.cwd);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr.write(`${error.message}\n\n${USAGE}\n`);
    return 2;
  }
  if (args === "help") {
    io.stdout.write(`${USAGE}\n`);
    return 0;
  }
  let config: Config | undefined;
  try {
    config = loadConfig(io.env ?? process.env, io.cwd ?? process.cwd());
    const report = await runImport(args, config, io);
    io.stdout.write(formatReport(report));
    return 0;
  } catch (error) {
    const message = readableMessage(error, config);
    io.stderr.write(`import failed: ${message ?? ((error as Error)?.stack ?? String(error))}\n`);
    return 1;
  }
}

if (require.main === module) {
  main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr }).then(
    (code) => {
      process.exitCode = code;
    },
    (error) => {
      process.stderr.write(`import failed: ${(error as Error)?.stack ?? String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
