// Offline evaluation on MovieLens under the published protocols.
//
//   npm run evaluate -- [--dataset <dir>] [--protocol surprise-5fold|msr-stratified|gorse-5fold|leave-last-out|all]
//                       [--models a,b,c] [--seed n] [--json <file>] [--out <dir>]
//                       [--msr-filter-by item|user] [--target test|validation]
//                       [--msr-filter-by item|user] [--threads n]
//   npm run evaluate -- --served [--dataset <dir>] [--protocol gorse-5fold|msr-stratified] [--fold n]
//                       [--models hybrid,...] [--seed n] [--rating-scale min..max]
//                       [--implicit-ratings graded|user-mean|midpoint|threshold:<r>] [--explain] [--liked <r>] [--json <file>]
//
// Prints one markdown table per protocol with the published figures beside
// ours; --json writes the results, --out the SVG charts and report.html.
// --threads runs a protocol's folds on that many threads (foldThreads.ts;
// default MARQUEE_TRAIN_THREADS, else the cores), each fold's fit on one.
// --served scores what the API returns for one fold instead (evaluateServed.ts).
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { htmlReport } from "../evaluation/htmlReport";
import { join, resolve } from "node:path";
import { MODEL_REGISTRY, type RegistryEntry } from "../engine/registry";
import { writeCharts } from "../evaluation/charts";
import { DEFAULT_DATASET_DIR, DatasetNotFoundError, loadDataset } from "../evaluation/datasets";
import { PROTOCOLS, PROTOCOL_NAMES, type ProtocolName } from "../evaluation/protocols";
import { markdownReport } from "../evaluation/report";
import type { EvaluationResult } from "../evaluation/runner";
import { evaluateFolds } from "../evaluation/foldThreads";
import { createProgress, type ProgressStream } from "./progress";
import { ConfigError, loadConfig } from "../config";
import { parseImplicitRatingRule } from "../engine/data/implicitRatings";
import { runServedEvaluation, ServedUsageError, type ServedArgs } from "./evaluateServed";

export interface EvaluateArgs {
  dataset: string;
  protocols: ProtocolName[];
  models: string[];
  seed?: number;
  json?: string;
  out?: string;
  msrFilterBy: "user" | "item";
  // leave-last-out: the held-out item scored (validation: the second-to-last, for choosing settings).
  target: "test" | "validation";
  // Threads the folds of a protocol run on (1 when absent).
  threads?: number;
}

export interface CliIo {
  stdout: ProgressStream;
  stderr: ProgressStream;
  // Plain progress lines instead of a bar (CI, pipes).
  plainProgress?: boolean;
  registry?: Readonly<Record<string, RegistryEntry>>;
  // --served: the environment it reads DATABASE_URL and MARQUEE_IMPLICIT_RATINGS from.
  env?: Record<string, string | undefined>;
}

const USAGE = `usage: evaluate [--dataset <dir>] [--protocol ${PROTOCOL_NAMES.join("|")}|leave-last-out|all]
                [--models a,b,c] [--seed n] [--json <file>] [--out <dir>] [--msr-filter-by item|user]
                [--target test|validation]   leave-last-out: score the last item of each user (test) or,
                                             training without the last two, the second-to-last (validation)
                [--threads n]  folds on n threads (default MARQUEE_TRAIN_THREADS, else the cores)
       evaluate --served [--dataset <dir>] [--protocol gorse-5fold|msr-stratified] [--fold n] [--models hybrid,...]
                [--seed n] [--rating-scale min..max] [--implicit-ratings graded|user-mean|midpoint|threshold:<r>]
                [--explain] [--liked <rating>] [--users-per-request n] [--concurrency n] [--json <file>]
         imports the fold's training part into a scratch database (PGlite in memory, or a new database
         on the DATABASE_URL server, dropped afterwards), trains the models with trainModel, asks the
         real server for every test user's top 10 over HTTP and scores them beside the offline figure`;

export class UsageError extends Error {}

export function parseArgs(argv: readonly string[], registry: Readonly<Record<string, RegistryEntry>>): EvaluateArgs {
  const values = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith("--")) throw new UsageError(`Unexpected argument "${arg}"`);
    const eq = arg.indexOf("=");
    if (eq > 0) values.set(arg.slice(2, eq), arg.slice(eq + 1));
    else if (arg === "--help" || arg === "-h") values.set("help", "");
    else {
      const value = argv[i + 1];
      if (value === undefined || value.startsWith("--")) throw new UsageError(`${arg} needs a value`);
      values.set(arg.slice(2), value);
      i++;
    }
  }
  if (values.has("help")) throw new UsageError("");
  const known = new Set(["dataset", "protocol", "models", "seed", "json", "out", "msr-filter-by", "target", "threads"]);
  for (const key of values.keys()) if (!known.has(key)) throw new UsageError(`Unknown option --${key}`);

  const protocol = values.get("protocol") ?? "all";
  const protocols = protocol === "all" ? [...PROTOCOL_NAMES] : protocol.split(",").map((p) => p.trim());
  for (const p of protocols) {
    if (!(p in PROTOCOLS)) throw new UsageError(`Unknown protocol "${p}"; expected ${PROTOCOL_NAMES.join(", ")} or all`);
  }
  const models = values.has("models")
    ? values.get("models")!.split(",").map((m) => m.trim()).filter((m) => m !== "")
    : Object.keys(registry);
  for (const m of models) {
    if (!registry[m]) throw new UsageError(`Unknown model "${m}"; available: ${Object.keys(registry).join(", ")}`);
  }
  let seed: number | undefined;
  if (values.has("seed")) {
    seed = Number(values.get("seed"));
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new UsageError(`--seed must be an integer in [0, 2^32), got "${values.get("seed")}"`);
  }
  let threads: number | undefined;
  if (values.has("threads")) {
    threads = Number(values.get("threads"));
    if (!/^\d+$/.test(values.get("threads")!) || threads < 1 || threads > 256) throw new UsageError(`--threads must be an integer from 1 to 256, got "${values.get("threads")}"`);
  }
  const filterBy = values.get("msr-filter-by") ?? "item";
  if (filterBy !== "item" && filterBy !== "user") throw new UsageError(`--msr-filter-by must be item or user, got "${filterBy}"`);
  const target = values.get("target") ?? "test";
  if (target !== "test" && target !== "validation") throw new UsageError(`--target must be test or validation, got "${target}"`);
  return {
    dataset: resolve(values.get("dataset") ?? DEFAULT_DATASET_DIR),
    protocols: protocols as ProtocolName[],
    models,
    seed,
    json: values.get("json"),
    out: values.get("out"),
    msrFilterBy: filterBy,
    target,
    ...(threads !== undefined ? { threads } : {}),
  };
}

// --served's own options (the shared ones: --dataset, --protocol, --models, --seed, --json).
export function parseServedArgs(argv: readonly string[]): ServedArgs {
  const values = new Map<string, string>();
  const flags = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith("--")) throw new UsageError(`Unexpected argument "${arg}"`);
    const eq = arg.indexOf("=");
    if (eq > 0) values.set(arg.slice(2, eq), arg.slice(eq + 1));
    else if (arg === "--served" || arg === "--explain") flags.add(arg.slice(2));
    else if (arg === "--help" || arg === "-h") throw new UsageError("");
    else {
      const value = argv[i + 1];
      if (value === undefined || value.startsWith("--")) throw new UsageError(`${arg} needs a value`);
      values.set(arg.slice(2), value);
      i++;
    }
  }
  const known = new Set(["dataset", "protocol", "fold", "models", "seed", "rating-scale", "implicit-ratings", "liked", "users-per-request", "concurrency", "json"]);
  for (const key of values.keys()) if (!known.has(key)) throw new UsageError(`Unknown option --${key} with --served`);
  const protocol = values.get("protocol") ?? "gorse-5fold";
  if (!(protocol in PROTOCOLS) || !PROTOCOLS[protocol as ProtocolName].ranking) {
    throw new UsageError(`--served needs one ranking protocol (${PROTOCOL_NAMES.filter((p) => PROTOCOLS[p].ranking).join(", ")}); got "${protocol}"`);
  }
  const whole = (name: string, fallback: number, min: number, max: number): number => {
    if (!values.has(name)) return fallback;
    const raw = values.get(name)!;
    const n = Number(raw);
    if (!/^\d+$/.test(raw) || n < min || n > max) throw new UsageError(`--${name} must be an integer from ${min} to ${max}, got "${raw}"`);
    return n;
  };
  const liked = (raw: string): number => {
    const n = Number(raw);
    if (raw.trim() === "" || !Number.isFinite(n)) throw new UsageError(`--liked must be a rating, got "${raw}"`);
    return n;
  };
  let ratingScale: ServedArgs["ratingScale"];
  if (values.has("rating-scale")) {
    try {
      ratingScale = loadConfig({ MARQUEE_RATING_SCALE: values.get("rating-scale") }).ratingScale;
    } catch (error) {
      if (error instanceof ConfigError) throw new UsageError(error.message.replace("MARQUEE_RATING_SCALE", "--rating-scale"));
      throw error;
    }
  }
  let implicitRatings: ServedArgs["implicitRatings"];
  if (values.has("implicit-ratings")) {
    implicitRatings = parseImplicitRatingRule(values.get("implicit-ratings")!);
    if (!implicitRatings) throw new UsageError(`--implicit-ratings must be graded, user-mean, midpoint or threshold:<rating>; got "${values.get("implicit-ratings")}"`);
  }
  return {
    dataset: resolve(values.get("dataset") ?? DEFAULT_DATASET_DIR),
    protocol: protocol as ProtocolName,
    fold: whole("fold", 0, 0, 99),
    models: (values.get("models") ?? "hybrid").split(",").map((m) => m.trim()).filter((m) => m !== ""),
    ...(values.has("seed") ? { seed: whole("seed", 0, 0, 0xffffffff) } : {}),
    ...(ratingScale ? { ratingScale } : {}),
    ...(implicitRatings ? { implicitRatings } : {}),
    explain: flags.has("explain"),
    ...(values.has("liked") ? { liked: liked(values.get("liked")!) } : {}),
    usersPerRequest: whole("users-per-request", 25, 1, 100),
    concurrency: whole("concurrency", 4, 1, 64),
    ...(values.has("json") ? { json: values.get("json")! } : {}),
  };
}

export function runEvaluate(args: EvaluateArgs, io: CliIo): EvaluationResult[] {
  const registry = io.registry ?? MODEL_REGISTRY;
  const table = loadDataset(args.dataset);
  io.stderr.write(`${table.name}: ${table.users.length} ratings, ${table.nUsers} users, ${table.nItems} items (${args.dataset})\n`);
  const results: EvaluationResult[] = [];
  // Ranking protocols first: they tell which models lack predict(), so the
  // rating-only protocol can skip those without fitting them again.
  const order = [...args.protocols].sort(
    (a, b) => Number(PROTOCOLS[a].requiresPredict) - Number(PROTOCOLS[b].requiresPredict),
  );
  const withoutPredict = new Set<string>();
  for (const protocol of order) {
    // Split once per protocol; every model sees the same folds.
    const seed = args.seed ?? PROTOCOLS[protocol].defaultSeed;
    const folds = PROTOCOLS[protocol].folds(table, seed, { msrFilterBy: args.msrFilterBy, target: args.target });
    for (const name of args.models) {
      if (PROTOCOLS[protocol].requiresPredict && withoutPredict.has(name)) {
        results.push(skippedWithoutPredict(name, protocol, table.name, seed, folds.length));
        io.stderr.write(`${protocol} ${name}: skipped (no predict())\n`);
        continue;
      }
      const progress = createProgress(`${protocol} ${name}`, { stream: io.stderr, plain: io.plainProgress });
      const result = evaluateFolds(table, name, registry[name].algorithm, protocol, {
        seed,
        name,
        folds,
        protocolOptions: { msrFilterBy: args.msrFilterBy, target: args.target },
        onProgress: (e) => {
          // Fit takes most of each fold; predicting the rest.
          const within = e.stage === "fit" ? 0.8 * e.fraction : 0.8 + 0.2 * e.fraction;
          progress.update((e.fold + within) / e.folds, `fold ${e.fold + 1}/${e.folds} ${e.stage}`);
        },
      }, args.threads ?? 1);
      progress.done(result.skipped ? `skipped (${result.skipped})` : "");
      if (result.hasPredict === false) withoutPredict.add(name);
      results.push(result);
    }
  }
  // Back to the order asked for.
  results.sort((a, b) => args.protocols.indexOf(a.protocol) - args.protocols.indexOf(b.protocol));
  io.stdout.write(`${markdownReport(results, args.protocols, { target: args.target })}\n`);
  const ran = results.filter((r) => !r.skipped);
  if (args.json) {
    const rows = ran.map((r) => ({
      model: r.model,
      protocol: r.protocol,
      dataset: r.dataset,
      metrics: r.metrics,
      fitSeconds: r.fitSeconds,
      predictSeconds: r.predictSeconds,
    }));
    writeFileSync(args.json, `${JSON.stringify(rows, null, 2)}\n`);
    io.stderr.write(`wrote ${args.json}\n`);
  }
  if (args.out) {
    mkdirSync(args.out, { recursive: true });
    const files = writeCharts(ran, args.out);
    for (const file of files) io.stderr.write(`wrote ${join(args.out, file)}\n`);
    const charts = files.map((file) => ({ title: file.replace(/\.svg$/, "").replace(/-/g, " "), svg: readFileSync(join(args.out!, file), "utf8") }));
    const report = join(args.out, "report.html");
    writeFileSync(report, htmlReport(`Marquee evaluation: ${args.protocols.join(", ")}`, markdownReport(results, args.protocols), charts));
    io.stderr.write(`wrote ${report}\n`);
  }
  return results;
}

function skippedWithoutPredict(model: string, protocol: ProtocolName, dataset: string, seed: number, folds: number): EvaluationResult {
  return {
    model,
    protocol,
    dataset,
    seed,
    folds,
    metrics: {},
    fitSeconds: 0,
    predictSeconds: 0,
    hasPredict: false,
    skipped: `${model} has no predict(); ${protocol} measures rating prediction only`,
  };
}

export function main(argv: readonly string[], io: CliIo): number | Promise<number> {
  if (argv.includes("--served")) return mainServed(argv, io);
  const registry = io.registry ?? MODEL_REGISTRY;
  try {
    const args = parseArgs(argv, registry);
    runEvaluate({ ...args, threads: args.threads ?? loadConfig(io.env ?? {}).trainThreads }, io);
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(`${error.message ? `${error.message}\n` : ""}${USAGE}\n`);
      return 2;
    }
    if (error instanceof DatasetNotFoundError || error instanceof ConfigError) {
      io.stderr.write(`${error.message}\n`);
      return 1;
    }
    throw error;
  }
}

async function mainServed(argv: readonly string[], io: CliIo): Promise<number> {
  try {
    const args = parseServedArgs(argv);
    const config = loadConfig(io.env ?? {});
    await runServedEvaluation(args, config, io);
    return 0;
  } catch (error) {
    if (error instanceof UsageError || error instanceof ServedUsageError) {
      io.stderr.write(`${error.message ? `${error.message}\n` : ""}${USAGE}\n`);
      return 2;
    }
    if (error instanceof DatasetNotFoundError || error instanceof ConfigError) {
      io.stderr.write(`${error.message}\n`);
      return 1;
    }
    throw error;
  }
}

if (require.main === module) {
  Promise.resolve(
    main(process.argv.slice(2), {
      stdout: process.stdout,
      stderr: process.stderr,
      // Wiring only; move to src/config.ts once it exists.
      plainProgress: !process.stderr.isTTY || process.env.CI === "true",
      env: process.env,
    }),
  ).then(
    (code) => {
      process.exitCode = code;
    },
    (error) => {
      process.stderr.write(`evaluate failed: ${(error as Error)?.stack ?? String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
