// `npm run train -- --model <name>[,<name>...]|all [--seed 42] [--no-activate] [--no-evaluate]
//   [--param name=value ...] [--params '{"name": value}']`:
// trains on everything in DATABASE_URL (or the embedded database), saves a
// new version with its training parameters and held-out evaluation figures
// (unless --no-evaluate) and activates it. Running servers swap to it through
// their watcher. Parameters are checked against each named model's own
// (src/serving/trainingParams.ts) before anything is read.
import { loadConfig, ConfigError } from "../config";
import { openDatabase } from "../app";
import { activateModelVersion } from "../db/modelRepository";
import { readTrainingData } from "../db/trainingDataRepository";
import { createLogger } from "../logger";
import { createProgress } from "./progress";
import { trainableModels, TrainError, trainModel } from "../serving/trainModel";
import { findServingAlgorithm } from "../serving/servingAlgorithms";
import { effectiveParams, ParamError, parseParamAssignment } from "../serving/trainingParams";

interface Args {
  models: string[];
  seed: number;
  activate: boolean;
  evaluate: boolean;
  // Given with --param / --params: the same for every model named.
  params: Record<string, unknown>;
}

export function parseTrainArgs(argv: readonly string[]): Args {
  let model: string | undefined;
  let seed = 42;
  let activate = true;
  let evaluate = true;
  const params: Record<string, unknown> = {};
  const jsonParams = (text: string | undefined) => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text ?? "");
    } catch {
      throw new TrainError(`--params must be a JSON object, e.g. '{"alpha": 10}'; got ${JSON.stringify(text)}`);
    }
    if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) throw new TrainError(`--params must be a JSON object, e.g. '{"alpha": 10}'; got ${text}`);
    // Own properties even for a key such as __proto__, so it is refused as unknown rather than lost.
    for (const [key, value] of Object.entries(parsed)) Object.defineProperty(params, key, { value, enumerable: true, writable: true, configurable: true });
  };
  const assign = (text: string | undefined) => {
    try {
      parseParamAssignment(params, text ?? "");
    } catch (error) {
      if (error instanceof ParamError) throw new TrainError(`--param must be name=value, e.g. alpha=10; got ${JSON.stringify(text)}`);
      throw error;
    }
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--model") model = argv[++i];
    else if (arg.startsWith("--model=")) model = arg.slice("--model=".length);
    else if (arg === "--seed") seed = Number(argv[++i]);
    else if (arg.startsWith("--seed=")) seed = Number(arg.slice("--seed=".length));
    else if (arg === "--no-activate") activate = false;
    else if (arg === "--no-evaluate") evaluate = false;
    else if (arg === "--param") assign(argv[++i]);
    else if (arg.startsWith("--param=")) assign(arg.slice("--param=".length));
    else if (arg === "--params") jsonParams(argv[++i]);
    else if (arg.startsWith("--params=")) jsonParams(arg.slice("--params=".length));
    else throw new TrainError(`unknown argument ${JSON.stringify(arg)}`);
  }
  if (!Number.isSafeInteger(seed)) throw new TrainError(`--seed must be an integer`);
  const known = trainableModels();
  if (model === undefined) throw new TrainError(`--model is required: one of ${known.join(", ")} or all`);
  // Several names, comma-separated, share one read of the training data.
  const models = model === "all" ? known : [...new Set(model.split(",").map((m) => m.trim()))];
  for (const m of models) if (!known.includes(m)) throw new TrainError(`unknown model ${JSON.stringify(m)}; known: ${known.join(", ")}, all`);
  // Every model named must know every parameter given.
  for (const m of models) {
    try {
      effectiveParams(findServingAlgorithm(m)!, params);
    } catch (error) {
      if (error instanceof ParamError) throw new TrainError(`invalid --param for ${m}: ${error.message}`);
      throw error;
    }
  }
  return { models, seed, activate, evaluate, params };
}

async function main(): Promise<void> {
  const args = parseTrainArgs(process.argv.slice(2));
  const config = loadConfig();
  const logger = createLogger(config.logLevel === "debug" ? "debug" : "warn");
  // A bulk command: no statement timeout (the API keeps its own).
  const db = await openDatabase({ ...config, databaseStatementTimeoutMs: 0 }, logger);
  try {
    const data = await readTrainingData(db);
    process.stdout.write(`${db.description}: ${data.users.size} users, ${data.items.size} items, ${data.interactions.length} interactions\n`);
    for (const name of args.models) {
      const progress = createProgress(`train ${name}`);
      progress.update(0, "fitting");
      const result = await trainModel(db, name, { seed: args.seed, ratingScale: config.ratingScale, implicitRatings: config.implicitRatings, data, evaluate: args.evaluate, params: args.params, memoryBudgetBytes: config.trainMemoryMb * 2 ** 20, threads: config.trainThreads, onProgress: (f) => progress.update(f, f < 0.5 || !args.evaluate ? "fitting" : "evaluating") });
      progress.done();
      const v = result.version;
      const activated = args.activate ? await activateModelVersion(db, v.name, v.version) : null;
      const figures = ["ndcg@10", "precision@10", "recall@10", "rmse", "mae"]
        .filter((k) => typeof v.metrics[k] === "number")
        .map((k) => `${k} ${(v.metrics[k] as number).toFixed(4)}`);
      process.stdout.write(
        `${v.name} v${v.version} (${v.algorithm}) fitted in ${result.fitSeconds.toFixed(2)} s${figures.length ? `; holdout ${figures.join(", ")}` : ""}${activated ? ", active" : ", not activated"}\n` +
          `  params ${JSON.stringify(v.params)}\n`,
      );
    }
  } finally {
    await db.close();
  }
}

if (require.main === module) {
  main().catch((error) => {
    const known = error instanceof ConfigError || error instanceof TrainError;
    process.stderr.write(`train failed: ${known ? error.message : (error as Error)?.stack ?? String(error)}\n`);
    process.exit(known ? 2 : 1);
  });
}
