// What startApp calls once the database is ready: load the active model
// versions into this process's ModelStore. On a demo start with nothing
// trained yet it trains the demo's models first, so the very first query is
// personalised and every field answers: popularity, the item and user
// neighbourhoods (ITEM_KNN, USER_KNN and similarUsers), content, baseline
// biases (predictRating), iALS for MATRIX_FACTORIZATION, EASE, and the
// learned HYBRID blend.
import type { ImplicitRatingRule } from "../engine/data/implicitRatings";
import type { Database } from "../db/Database";
import { activateModelVersion } from "../db/modelRepository";
import { readTrainingData } from "../db/trainingDataRepository";
import type { Logger } from "../logger";
import { loadModelStore, type ModelStore } from "./ModelStore";
import { trainModel } from "./trainModel";

export const DEMO_MODELS: readonly string[] = ["popular", "item-knn", "user-knn", "content", "baseline", "ials", "ease", "hybrid", "transitions"];

export interface StartServingOptions {
  // Train and activate DEMO_MODELS when no model is active (the demo start).
  trainIfNone: boolean;
  ratingScale: { min: number; max: number };
  implicitRatings?: ImplicitRatingRule;
  seed?: number;
}

export async function startServing(db: Database, logger: Logger, options: StartServingOptions): Promise<ModelStore> {
  const store = await loadModelStore(db);
  if (store.all().length === 0 && options.trainIfNone) {
    const data = await readTrainingData(db);
    for (const name of DEMO_MODELS) {
      const { version, fitSeconds } = await trainModel(db, name, { seed: options.seed ?? 42, ratingScale: options.ratingScale, ...(options.implicitRatings ? { implicitRatings: options.implicitRatings } : {}), data });
      await activateModelVersion(db, name, version.version);
      logger.info("trained a demo model", { model: name, version: version.version, fitSeconds: Number(fitSeconds.toFixed(3)) });
    }
    await store.reload();
  }
  logger.info("serving models", { models: store.all().map((m) => `${m.name}@${m.version}`) });
  // Served without: their strategies fall back, and every answer says so.
  for (const f of store.failures()) logger.error("could not load an active model version; serving without it", { model: f.name, version: f.version, error: f.message });
  return store;
}
