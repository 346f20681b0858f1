// `npm run train -- --model <name>[,<name>...]|all [--seed 42] [--no-activate] [--no-evaluate]`:
// trains on everything in DATABASE_URL (or the embedded database), saves a
// new version with its held-out evaluation figures (unless --no-evaluate)
// and activates it. Running servers swap to it through their watcher.
import { loadConfig, ConfigError } from "../config";
import { openDatabase } from "../app";
import { activateModelVersion } from "../db/modelRepository";
import { readTrainingData } from "../db/trainingDataRepository";
import { createLogger } from "../logger";
import { createProgress } from "./progress";
import { trainableModels, TrainError, trainModel } from "../serving/trainModel";

interface Args {
  models: string[];
  seed: number;
  activate: boolean;
  evaluate: boolean;
}

export function parseTrainArgs(argv: readonly string[]): Args {
  let model: string | undefined;
  let seed = 42;
  let activate = true;
  let evaluate = true;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--model") model = argv[++i];
    else if (arg.startsWith("--model=")) model = arg.slice("--model=".length);
    else if (arg === "--seed") seed = Number(argv[++i]);
    else if (arg.startsWith("--seed=")) seed = Number(arg.slice("--seed=".length));
    else if (arg === "--no-activate") activate = false;
    else if (arg === "--no-evaluate") evaluate = false;
    else throw new TrainError(`unknown argument ${JSON.stringify(arg)}`);
  }
  if (!Number.isSafeInteger(seed)) throw new TrainError(`--seed must be an integer`);
  const known = trainableModels();
  if (model === undefined) throw new TrainError(`--model is required: one of ${known.join(", ")} or all`);
  // Several names, comma-separated, share one read of the training data.
  const models = model === "all" ? known : [...new Set(model.split(",").map((m) => m.trim()))];
  for (const m of models) if (!known.includes(m)) throw new TrainError(`unknown model ${JSON.stringify(m)}; known: ${known.join(", ")}, all`);
  return { models, seed, activate, evaluate };
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
      const result = await trainModel(db, name, { seed: args.seed, ratingScale: config.ratingScale, implicitRatings: config.implicitRatings, data, evaluate: args.evaluate, onProgress: (f) => progress.update(f, f < 0.5 || !args.evaluate ? "fitting" : "evaluating") });
      progress.done();
      const v = result.version;
      const activated = args.activate ? await activateModelVersion(db, v.name, v.version) : null;
      const figures = ["ndcg@10", "precision@10", "recall@10", "rmse", "mae"]
        .filter((k) => typeof v.metrics[k] === "number")
        .map((k) => `${k} ${(v.metrics[k] as number).toFixed(4)}`);
      process.stdout.write(
        `${v.name} v${v.version} (${v.algorithm}) fitted in ${result.fitSeconds.toFixed(2)} s${figures.length ? `; holdout ${figures.join(", ")}` : ""}${activated ? ", active" : ", not activated"}\n`,
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
