// Use cases behind the model administration API: list models and versions,
// queue a training job, activate a version, roll back. Activation changes
// what this replica serves before the call returns; other replicas follow at
// their watcher's next tick.
import type { Database } from "../db/Database";
import { enqueueJob, findJob, modelVersionParams, type JobRow } from "../db/jobRepository";
import { activateModelVersion, listModelVersions, rollbackModel as rollbackModelVersion, type ModelVersionRow } from "../db/modelRepository";
import { BadUserInputError, NotFoundError } from "../graphql/errors";
import { activeVersionsChanged } from "../serving/activeVersionWatcher";
import { trainableModels } from "../serving/trainModel";
import { wakeWorkers } from "./jobSignals";
import { TRAIN_JOB, type TrainJobPayload } from "./trainJob";

export const DEFAULT_TRAIN_SEED = 42;

export interface ModelVersionView extends ModelVersionRow {
  params: Record<string, unknown>;
}

export interface ModelInfoView {
  name: string;
  trainable: boolean;
  active: ModelVersionView | null;
  versions: ModelVersionView[];
}

// Every trainable model (trained or not) and every stored one, by name; versions newest first.
export async function listModels(db: Database): Promise<ModelInfoView[]> {
  const [rows, params] = await Promise.all([listModelVersions(db), modelVersionParams(db)]);
  const trainable = new Set(trainableModels());
  const names = [...new Set([...trainable, ...rows.map((r) => r.name)])].sort();
  return names.map((name) => {
    const versions = rows.filter((r) => r.name === name).map((r) => ({ ...r, params: params.get(r.id) ?? {} }));
    return { name, trainable: trainable.has(name), active: versions.find((v) => v.isActive) ?? null, versions };
  });
}

export async function jobById(db: Database, id: string): Promise<JobRow> {
  const job = /^\d{1,9}$/.test(id) ? await findJob(db, Number(id)) : null;
  if (!job) throw new NotFoundError("job", [id], "id");
  return job;
}

export async function requestTraining(db: Database, args: { name: string; activate?: boolean | null; seed?: number | null }): Promise<JobRow> {
  const known = trainableModels();
  if (!known.includes(args.name)) throw new BadUserInputError("name", args.name, `must be a model that can be trained: ${known.join(", ")}`);
  const payload: TrainJobPayload = { name: args.name, activate: args.activate ?? true, seed: args.seed ?? DEFAULT_TRAIN_SEED };
  const job = await enqueueJob(db, TRAIN_JOB, { ...payload });
  wakeWorkers(db);
  return job;
}

async function withParams(db: Database, row: ModelVersionRow): Promise<ModelVersionView> {
  return { ...row, params: (await modelVersionParams(db, [row.id])).get(row.id) ?? {} };
}

export async function activateVersion(db: Database, name: string, version: number): Promise<ModelVersionView> {
  const activated = await activateModelVersion(db, name, version);
  if (!activated) throw new NotFoundError("model version", [`${name}@${version}`], "version");
  await activeVersionsChanged(db);
  return withParams(db, activated);
}

export async function rollbackVersion(db: Database, name: string): Promise<ModelVersionView> {
  const back = await rollbackModelVersion(db, name);
  if (!back) throw new BadUserInputError("name", name, "has no previously active version to roll back to");
  await activeVersionsChanged(db);
  return withParams(db, back);
}
