// `npm run model -- <command>`: item factors and interactions in and out as
// Parquet / Arrow files, so training can run on another engine (Spark MLlib's
// ALS is the reference; docs/SCALING.md) while this server serves.
//
//   export --model ials [--version N] --out <dir>
//   import --dir <dir> [--name ials] [--activate] [--item-ids <dir>] [--param name=value ...]
//   export-interactions --out <dir> [--users-per-file N]
//
// Exit codes: 0 done, 1 bad input or a database problem (a readable message,
// no stack; an import that fails saves nothing), 2 a usage error.
import { resolve } from "node:path";
import { openDatabase } from "../app";
import { ConfigError, loadConfig, type Config } from "../config";
import { databaseUnreachable } from "./databaseErrors";
import type { Database } from "../db/Database";
import { MigrationError } from "../db/migrate";
import { InterchangeError } from "../interchange/InterchangeError";
import type { Logger } from "../logger";
import { exportItemFactors, type ExportFactorsReport } from "../serving/itemFactorsExport";
import { factorModelNames, importItemFactors, type ImportFactorsReport } from "../serving/itemFactorsImport";
import { DEFAULT_USERS_PER_FILE, exportInteractions, type ExportInteractionsReport } from "../serving/interactionsExport";
import { ParamError, parseParamAssignment } from "../serving/trainingParams";
import type { ProgressStream } from "./progress";

export const USAGE = `usage: npm run model -- <command> [options]

commands:
  export --model ials [--version N] --out <dir>
      writes the version's item factors (default: the active version) as Parquet in Spark's ALSModel layout
      (itemFactors/: id int, features array<float>) and as an Arrow IPC file (itemFactors.arrow), the items'
      external ids (itemIds/: id int, external_id string) and marquee-model.json (parameters, training mode, source)
  import --dir <dir> [--name ials] [--activate] [--item-ids <dir>] [--param name=value ...]
      reads such a folder, or a Spark ALSModel.save folder (its itemFactors/), checks every row and id, and saves
      a new version of the iALS model (not active unless --activate). --item-ids names the id map (the folder
      export-interactions wrote, or an itemIds/ folder); --param sets what the files do not record
      (regularization, alpha, weightedRegularization)
  export-interactions --out <dir> [--users-per-file ${DEFAULT_USERS_PER_FILE}]
      writes what iALS trains on, for Spark's ALS: interactions/ (user int, item int, rating float, timestamp long),
      userIds/ and itemIds/ (id int, external_id string) and marquee-interactions.json

The exports replace their own files and folders in <dir> (itemFactors/, itemIds/, interactions/, ...), nothing else.
Reads and writes DATABASE_URL when set, otherwise the embedded database in MARQUEE_DATA_DIR (default .marquee).`;

export class UsageError extends Error {
  override name = "UsageError";
}

export type ModelCommand =
  | { command: "export"; model: string; version?: number; out: string }
  | { command: "import"; dir: string; name: string; activate: boolean; itemIds?: string; params: Record<string, unknown> }
  | { command: "export-interactions"; out: string; usersPerFile: number };

// Options as `--name value` or `--name=value`; flags alone.
function options(argv: readonly string[], valued: readonly string[], flags: readonly string[]): { values: Map<string, string[]>; flags: Set<string> } {
  const values = new Map<string, string[]>();
  const set = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const eq = arg.indexOf("=");
    const key = eq > 0 ? arg.slice(0, eq) : arg;
    if (flags.includes(key) && eq < 0) {
      set.add(key);
      continue;
    }
    if (!valued.includes(key)) throw new UsageError(`unknown argument ${JSON.stringify(arg)}`);
    const value = eq > 0 ? arg.slice(eq + 1) : argv[++i];
    if (value === undefined || value === "") throw new UsageError(`${key} needs a value`);
    values.set(key, [...(values.get(key) ?? []), value]);
  }
  return { values, flags: set };
}

function one(values: Map<string, string[]>, key: string, required: boolean): string | undefined {
  const given = values.get(key);
  if (given && given.length > 1) throw new UsageError(`${key} is given ${given.length} times`);
  if (required && !given) throw new UsageError(`${key} is required`);
  return given?.[0];
}

function positiveInteger(text: string | undefined, key: string): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < 1) throw new UsageError(`${key} must be a positive integer; got ${JSON.stringify(text)}`);
  return n;
}

export function parseModelArgs(argv: readonly string[], cwd: string = process.cwd()): ModelCommand | "help" {
  if (argv.length === 0) throw new UsageError("name a command: export, import or export-interactions");
  if (argv.some((a) => a === "--help" || a === "-h")) return "help";
  const [command, ...rest] = argv;
  if (command === "export") {
    const { values } = options(rest, ["--model", "--version", "--out"], []);
    const model = one(values, "--model", true)!;
    if (!factorModelNames().includes(model)) throw new UsageError(`--model ${model}: only iALS item factors can be exported (${factorModelNames().join(", ")})`);
    const version = positiveInteger(one(values, "--version", false), "--version");
    return { command, model, ...(version !== undefined ? { version } : {}), out: resolve(cwd, one(values, "--out", true)!) };
  }
  if (command === "import") {
    const { values, flags } = options(rest, ["--dir", "--name", "--item-ids", "--param"], ["--activate"]);
    const name = one(values, "--name", false) ?? "ials";
    if (!factorModelNames().includes(name)) throw new UsageError(`--name ${name}: item factors can be imported as ${factorModelNames().join(", ")}`);
    const params: Record<string, unknown> = {};
    for (const assignment of values.get("--param") ?? []) {
      try {
        parseParamAssignment(params, assignment);
      } catch (error) {
        if (error instanceof ParamError) throw new UsageError(`--param must be name=value, e.g. alpha=10; got ${JSON.stringify(assignment)}`);
        throw error;
      }
    }
    const itemIds = one(values, "--item-ids", false);
    return {
      command,
      dir: resolve(cwd, one(values, "--dir", true)!),
      name,
      activate: flags.has("--activate"),
      ...(itemIds !== undefined ? { itemIds: resolve(cwd, itemIds) } : {}),
      params,
    };
  }
  if (command === "export-interactions") {
    const { values } = options(rest, ["--out", "--users-per-file"], []);
    return { command, out: resolve(cwd, one(values, "--out", true)!), usersPerFile: positiveInteger(one(values, "--users-per-file", false), "--users-per-file") ?? DEFAULT_USERS_PER_FILE };
  }
  throw new UsageError(`unknown command ${JSON.stringify(command)}; expected export, import or export-interactions`);
}

export interface ModelIo {
  stdout: ProgressStream;
  stderr: ProgressStream;
  env?: Record<string, string | undefined>;
  cwd?: string;
  // Tests hand in their database; otherwise it is opened from the configuration.
  db?: Database;
}

const n = (x: number) => x.toLocaleString("en-US");
const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;

export function formatExport(r: ExportFactorsReport): string {
  return [
    `exported ${r.name} v${r.version}: ${n(r.items)} items × ${r.nFactors} factors to ${r.out} in ${r.seconds.toFixed(2)} s`,
    ...(r.missingItems > 0 ? [`  ${n(r.missingItems)} items of the version are no longer in the catalog and were left out`] : []),
    ...r.files.map((f) => `  ${f.path}  ${mib(f.bytes)}`),
    "",
  ].join("\n");
}

export function formatImport(r: ImportFactorsReport): string {
  const v = r.version;
  return [
    `imported ${n(r.items)} items × ${r.nFactors} factors (${r.source.engine}) as ${v.name} v${v.version}${r.activated ? ", active" : ", not activated"} in ${r.seconds.toFixed(2)} s`,
    `  params ${JSON.stringify(r.params)}`,
    ...Object.entries(r.paramsFrom).map(([key, from]) => `    ${key} from ${from}`),
    `  histories folded in as ${r.training.implicitRatings} on ${r.training.ratingScale.min}..${r.training.ratingScale.max}, from ${r.trainingFrom}`,
    ...(r.index ? [`  HNSW index over the factors stored with the version: ${(r.index.bytes / 2 ** 20).toFixed(1)} MB, built in ${r.index.seconds.toFixed(1)} s`] : []),
    ...r.warnings.map((w) => `  warning: ${w}`),
    ...(r.activated ? [] : [`  serve it with: activateModel(name: "${v.name}", version: ${v.version}) or the dashboard's models page`]),
    "",
  ].join("\n");
}

export function formatInteractions(r: ExportInteractionsReport): string {
  return [
    `exported ${n(r.rows)} (user, item) rows of ${n(r.users)} users and ${n(r.items)} items to ${r.out} in ${r.parts} part${r.parts === 1 ? "" : "s"}, ${r.seconds.toFixed(2)} s`,
    ...r.files.map((f) => `  ${f.path}  ${mib(f.bytes)}`),
    "",
  ].join("\n");
}

function cliLogger(stream: ProgressStream): Logger {
  const line = (message: string) => stream.write(`${message}\n`);
  return { debug: () => undefined, info: line, warn: (m) => line(`warning: ${m}`), error: (m) => line(`error: ${m}`) };
}

async function run(args: ModelCommand, config: Config, db: Database): Promise<string> {
  if (args.command === "export") return formatExport(await exportItemFactors(db, { name: args.model, ...(args.version !== undefined ? { version: args.version } : {}), out: args.out }));
  if (args.command === "import") {
    return formatImport(
      await importItemFactors(db, {
        dir: args.dir,
        name: args.name,
        activate: args.activate,
        ...(args.itemIds !== undefined ? { itemIds: args.itemIds } : {}),
        params: args.params,
        ratingScale: config.ratingScale,
        implicitRatings: config.implicitRatings,
      }),
    );
  }
  return formatInteractions(await exportInteractions(db, { out: args.out, usersPerFile: args.usersPerFile, ratingScale: config.ratingScale, implicitRatings: config.implicitRatings }));
}

function readableMessage(error: unknown, config: Config | undefined): string | undefined {
  if (error instanceof InterchangeError || error instanceof ConfigError || error instanceof MigrationError) return error.message;
  const unreachable = databaseUnreachable(error, config);
  if (unreachable) return unreachable;
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (typeof code === "string" && ["ENOENT", "EACCES", "ENOTDIR", "EEXIST", "ENOSPC", "EROFS"].includes(code)) return (error as Error).message;
  return undefined;
}

export async function main(argv: readonly string[], io: ModelIo): Promise<number> {
  let args: ModelCommand | "help";
  try {
    args = parseModelArgs(argv, io.cwd);
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
    // A bulk command: no statement timeout (the API keeps its own).
    const db = io.db ?? (await openDatabase({ ...config, databaseStatementTimeoutMs: 0 }, cliLogger(io.stderr)));
    try {
      io.stdout.write(await run(args, config, db));
    } finally {
      if (!io.db) await db.close();
    }
    return 0;
  } catch (error) {
    const message = readableMessage(error, config);
    io.stderr.write(`model ${args.command} failed: ${message ?? ((error as Error)?.stack ?? String(error))}\n`);
    return 1;
  }
}

if (require.main === module) {
  main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr }).then(
    (code) => {
      process.exitCode = code;
    },
    (error) => {
      process.stderr.write(`model failed: ${(error as Error)?.stack ?? String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
