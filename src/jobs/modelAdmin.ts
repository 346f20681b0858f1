// Use cases behind the model administration API: list models and versions,
// queue a training job, activate a version, roll back. Activation changes
// what this replica serves before the call returns; other replicas follow at
// their watcher's next tick.
import type { Database } from "../db/Database";
import { enqueueJob, findJob, type JobRow } from "../db/jobRepository";
import { activateModelVersion, listModelVersions, rollbackModel as rollbackModelVersion, type ModelVersionRow } from "../db/modelRepository";
import { BadUserInputError, NotFoundError } from "../graphql/errors";
import { activeVersionsChanged } from "../serving/activeVersionWatcher";
import { trainableModels } from "../serving/trainModel";
import { findServingAlgorithm } from "../serving/servingAlgorithms";
import { checkParams, effectiveParams, ParamError } from "../serving/trainingParams";
import { wakeWorkers } from "./jobSignals";
import { TRAIN_JOB, type TrainJobPayload } from "./trainJob";

export const DEFAULT_TRAIN_SEED = 42;

// A version as the API and the dashboard show it (its training parameters included).
export type ModelVersionView = ModelVersionRow;

export interface ModelInfoView {
  name: string;
  trainable: boolean;
  active: ModelVersionView | null;
  versions: ModelVersionView[];
}

// Every trainable model (trained or not) and every stored one, by name; versions newest first.
export async function listModels(db: Database): Promise<ModelInfoView[]> {
  const rows = await listModelVersions(db);
  const trainable = new Set(trainableModels());
  const names = [...new Set([...trainable, ...rows.map((r) => r.name)])].sort();
  return names.map((name) => {
    const versions = rows.filter((r) => r.name === name);
    return { name, trainable: trainable.has(name), active: versions.find((v) => v.isActive) ?? null, versions };
  });
}

export async function jobById(db: Database, id: string): Promise<JobRow> {
  const job = /^\d{1,9}$/.test(id) ? await findJob(db, Number(id)) : null;
  if (!job) throw new NotFoundError("job", [id], "id");
  return job;
}

export async function requestTraining(
  db: Database,
  args: { name: string; activate?: boolean | null; seed?: number | null; params?: Record<string, unknown> | null; challenge?: boolean | null },
): Promise<JobRow> {
  // A challenger's activation is the gate's to decide: activate: false with it would ask for both.
  if (args.challenge && args.activate === false) throw new BadUserInputError("activate", false, "cannot be false with challenge: true (the challenger gate decides whether the version is activated)");
  const known = trainableModels();
  const entry = findServingAlgorithm(args.name);
  if (!entry) throw new BadUserInputError("name", args.name, `must be a model that can be trained: ${known.join(", ")}`);
  let params: Record<string, unknown>;
  try {
    params = checkParams(entry, args.params);
    // Rules between parameters (kNN's minK <= k) are checked on the merged ones.
    effectiveParams(entry, params);
  } catch (error) {
    if (error instanceof ParamError) throw new BadUserInputError(error.parameter === "params" ? "params" : `params.${error.parameter}`, error.value, error.problem);
    throw error;
  }
  const payload: TrainJobPayload = { name: args.name, activate: args.activate ?? true, seed: args.seed ?? DEFAULT_TRAIN_SEED, params, ...(args.challenge ? { challenge: true } : {}) };
  const job = await enqueueJob(db, TRAIN_JOB, { ...payload });
  wakeWorkers(db);
  return job;
}

export async function activateVersion(db: Database, name: string, version: number): Promise<ModelVersionView> {
  const activated = await activateModelVersion(db, name, version);
  if (!activated) throw new NotFoundError("model version", [`${name}@${version}`], "version");
  await activeVersionsChanged(db);
  return activated;
}

export async function rollbackVersion(db: Database, name: string): Promise<ModelVersionView> {
  const back = await rollbackModelVersion(db, name);
  if (!back) throw new BadUserInputError("name", name, "has no previously active version to roll back to");
  await activeVersionsChanged(db);
  return back;
}
