// Offline evaluation on MovieLens under the published protocols.
//
//   npm run evaluate -- [--dataset <dir>] [--protocol surprise-5fold|msr-stratified|gorse-5fold|all]
//                       [--models a,b,c] [--seed n] [--json <file>] [--out <dir>]
//                       [--msr-filter-by item|user]
//
// Prints one markdown table per protocol with the published figures beside
// ours; --json writes the results, --out the SVG charts and report.html.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { htmlReport } from "../evaluation/htmlReport";
import { join, resolve } from "node:path";
import { MODEL_REGISTRY, type RegistryEntry } from "../engine/registry";
import { writeCharts } from "../evaluation/charts";
import { DEFAULT_DATASET_DIR, DatasetNotFoundError, loadDataset } from "../evaluation/datasets";
import { PROTOCOLS, PROTOCOL_NAMES, type ProtocolName } from "../evaluation/protocols";
import { markdownReport } from "../evaluation/report";
import { evaluateAlgorithm, type EvaluationResult } from "../evaluation/runner";
import { createProgress, type ProgressStream } from "./progress";

export interface EvaluateArgs {
  dataset: string;
  protocols: ProtocolName[];
  models: string[];
  seed?: number;
  json?: string;
  out?: string;
  msrFilterBy: "user" | "item";
}

export interface CliIo {
  stdout: ProgressStream;
  stderr: ProgressStream;
  // Plain progress lines instead of a bar (CI, pipes).
  plainProgress?: boolean;
  registry?: Readonly<Record<string, RegistryEntry>>;
}

const USAGE = `usage: evaluate [--dataset <dir>] [--protocol ${PROTOCOL_NAMES.join("|")}|all]
                [--models a,b,c] [--seed n] [--json <file>] [--out <dir>] [--msr-filter-by item|user]`;

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
  const known = new Set(["dataset", "protocol", "models", "seed", "json", "out", "msr-filter-by"]);
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
  const filterBy = values.get("msr-filter-by") ?? "item";
  if (filterBy !== "item" && filterBy !== "user") throw new UsageError(`--msr-filter-by must be item or user, got "${filterBy}"`);
  return {
    dataset: resolve(values.get("dataset") ?? DEFAULT_DATASET_DIR),
    protocols: protocols as ProtocolName[],
    models,
    seed,
    json: values.get("json"),
    out: values.get("out"),
    msrFilterBy: filterBy,
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
    const folds = PROTOCOLS[protocol].folds(table, seed, { msrFilterBy: args.msrFilterBy });
    for (const name of args.models) {
      if (PROTOCOLS[protocol].requiresPredict && withoutPredict.has(name)) {
        results.push(skippedWithoutPredict(name, protocol, table.name, seed, folds.length));
        io.stderr.write(`${protocol} ${name}: skipped (no predict())\n`);
        continue;
      }
      const progress = createProgress(`${protocol} ${name}`, { stream: io.stderr, plain: io.plainProgress });
      const result = evaluateAlgorithm(table, registry[name].algorithm, protocol, {
        seed,
        name,
        folds,
        protocolOptions: { msrFilterBy: args.msrFilterBy },
        onProgress: (e) => {
          // Fit takes most of each fold; predicting the rest.
          const within = e.stage === "fit" ? 0.8 * e.fraction : 0.8 + 0.2 * e.fraction;
          progress.update((e.fold + within) / e.folds, `fold ${e.fold + 1}/${e.folds} ${e.stage}`);
        },
      });
      progress.done(result.skipped ? `skipped (${result.skipped})` : "");
      if (result.hasPredict === false) withoutPredict.add(name);
      results.push(result);
    }
  }
  // Back to the order asked for.
  results.sort((a, b) => args.protocols.indexOf(a.protocol) - args.protocols.indexOf(b.protocol));
  io.stdout.write(`${markdownReport(results, args.protocols)}\n`);
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

export function main(argv: readonly string[], io: CliIo): number {
  const registry = io.registry ?? MODEL_REGISTRY;
  try {
    runEvaluate(parseArgs(argv, registry), io);
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(`${error.message ? `${error.message}\n` : ""}${USAGE}\n`);
      return 2;
    }
    if (error instanceof DatasetNotFoundError) {
      io.stderr.write(`${error.message}\n`);
      return 1;
    }
    throw error;
  }
}

if (require.main === module) {
  process.exitCode = main(process.argv.slice(2), {
    stdout: process.stdout,
    stderr: process.stderr,
    // Wiring only; move to src/config.ts once it exists.
    plainProgress: !process.stderr.isTTY || process.env.CI === "true",
  });
}
