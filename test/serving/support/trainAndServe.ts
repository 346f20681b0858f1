// Trains, activates and loads models for a test server, the way
// `npm run train` and startApp do.
import type { Database } from "../../../src/db/Database";
import { activateModelVersion, type ModelVersionRow } from "../../../src/db/modelRepository";
import { readTrainingData } from "../../../src/db/trainingDataRepository";
import { loadModelStore } from "../../../src/serving/ModelStore";
import { trainModel } from "../../../src/serving/trainModel";

export const RATING_SCALE = { min: 0.5, max: 5 };

export async function trainAndActivate(db: Database, names: readonly string[], seed = 42): Promise<ModelVersionRow[]> {
  const data = await readTrainingData(db);
  const versions: ModelVersionRow[] = [];
  for (const name of names) {
    const { version } = await trainModel(db, name, { seed, ratingScale: RATING_SCALE, data });
    versions.push((await activateModelVersion(db, name, version.version))!);
  }
  await loadModelStore(db);
  return versions;
}
