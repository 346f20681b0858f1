// The small JSON files beside the columnar ones: what a folder holds and
// what is needed to serve or train from it that the columns do not say.
//
// - marquee-model.json, beside exported item factors (and written by the
//   Spark job of docs/SCALING.md beside its own): the iALS parameters the
//   fold-in needs (nFactors, regularization, alpha, weightedRegularization),
//   how histories were turned into training values (the implicit rating rule
//   and scale), and where the factors came from.
// - marquee-interactions.json, beside the interactions exported for Spark:
//   the same training mode, the columns and counts.
// - Spark's own `metadata/part-00000` of a saved ALSModel (one JSON line
//   with the class and `rank`): read to check the factors' width.
import fs from "node:fs";
import path from "node:path";
import { parseImplicitRatingRule } from "../engine/data/implicitRatings";
import { InterchangeError } from "./InterchangeError";

export const MODEL_MANIFEST = "marquee-model.json";
export const INTERACTIONS_MANIFEST = "marquee-interactions.json";
export const SPARK_METADATA = path.join("metadata", "part-00000");
export const SPARK_ALS_MODEL_CLASS = "org.apache.spark.ml.recommendation.ALSModel";

// How a version reads histories (ServedModel's StoredTrainingMode, as stored).
export interface TrainingModeRecord {
  explicit: boolean;
  ratingScale: { min: number; max: number };
  implicitRatings: string;
}

// Who trained the factors: engine "marquee" (with the model name and
// version) or e.g. "spark-als"; anything else the writer wants to record.
export interface FactorSource {
  engine: string;
  [key: string]: unknown;
}

export interface ModelManifest {
  format: "marquee-item-factors";
  formatVersion: 1;
  algorithm: "ials";
  nItems: number;
  nFactors: number;
  params: Record<string, unknown>;
  training?: TrainingModeRecord;
  source: FactorSource;
  files: { itemFactors: string; itemFactorsArrow: string; itemIds: string };
  exportedAt?: string;
}

export interface InteractionsManifest {
  format: "marquee-interactions";
  formatVersion: 1;
  training: TrainingModeRecord;
  counts: { users: number; items: number; rows: number; parts: number };
  columns: Record<string, string>;
  files: { interactions: string; userIds: string; itemIds: string };
  exportedAt?: string;
}

export function writeJson(file: string, value: unknown): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`);
}

function readJsonObject(file: string): Record<string, unknown> | undefined {
  if (!fs.existsSync(file)) return undefined;
  const text = fs.readFileSync(file, "utf8");
  let parsed: unknown;
  try {
    // Spark's metadata is a single line of JSON, ours an indented object.
    parsed = JSON.parse(text);
  } catch (error) {
    throw new InterchangeError(`${file} is not JSON: ${(error as Error).message}`);
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) throw new InterchangeError(`${file} must hold a JSON object`);
  return parsed as Record<string, unknown>;
}

function checkTraining(value: unknown, file: string): TrainingModeRecord | undefined {
  if (value === undefined) return undefined;
  const t = value as Partial<TrainingModeRecord> | null;
  const scale = t?.ratingScale;
  if (
    t === null ||
    typeof t !== "object" ||
    typeof t.explicit !== "boolean" ||
    !scale ||
    !Number.isFinite(scale.min) ||
    !Number.isFinite(scale.max) ||
    !(scale.min < scale.max) ||
    typeof t.implicitRatings !== "string"
  ) {
    throw new InterchangeError(`${file}: "training" must be { "explicit": false, "ratingScale": { "min": …, "max": … }, "implicitRatings": "graded" | … }; got ${JSON.stringify(value)}`);
  }
  if (t.explicit) throw new InterchangeError(`${file}: "training.explicit" is true, but item factors for iALS are trained on implicit feedback`);
  if (!parseImplicitRatingRule(t.implicitRatings)) throw new InterchangeError(`${file}: "training.implicitRatings" ${JSON.stringify(t.implicitRatings)} is not a rule (graded, user-mean, threshold:<rating>, midpoint)`);
  return { explicit: false, ratingScale: { min: scale.min, max: scale.max }, implicitRatings: t.implicitRatings };
}

// Our manifest, or one a Spark job wrote: only `params` is required.
export function readModelManifest(dir: string): (Partial<ModelManifest> & { params: Record<string, unknown>; file: string }) | undefined {
  const file = path.join(dir, MODEL_MANIFEST);
  const json = readJsonObject(file);
  if (!json) return undefined;
  if (json.format !== undefined && json.format !== "marquee-item-factors") throw new InterchangeError(`${file}: "format" is ${JSON.stringify(json.format)}, not "marquee-item-factors"`);
  if (json.formatVersion !== undefined && json.formatVersion !== 1) throw new InterchangeError(`${file}: "formatVersion" ${JSON.stringify(json.formatVersion)} is newer than this server reads (1)`);
  if (json.algorithm !== undefined && json.algorithm !== "ials") throw new InterchangeError(`${file}: "algorithm" is ${JSON.stringify(json.algorithm)}; only ials factors can be imported`);
  const params = json.params ?? {};
  if (params === null || typeof params !== "object" || Array.isArray(params)) throw new InterchangeError(`${file}: "params" must be an object of iALS parameters`);
  const source = json.source;
  if (source !== undefined && (source === null || typeof source !== "object" || typeof (source as FactorSource).engine !== "string")) {
    throw new InterchangeError(`${file}: "source" must be an object with an "engine" name`);
  }
  return { ...(json as Partial<ModelManifest>), params: params as Record<string, unknown>, training: checkTraining(json.training, file), file };
}

export function readInteractionsManifest(dir: string): (Pick<InteractionsManifest, "training"> & { file: string }) | undefined {
  const file = path.join(dir, INTERACTIONS_MANIFEST);
  const json = readJsonObject(file);
  if (!json) return undefined;
  const training = checkTraining(json.training, file);
  if (!training) throw new InterchangeError(`${file} has no "training" record`);
  return { training, file };
}

// A Spark ALSModel.save folder's metadata: its class and rank.
export function readSparkMetadata(dir: string): { file: string; rank?: number; sparkVersion?: string } | undefined {
  const file = path.join(dir, SPARK_METADATA);
  const json = readJsonObject(file);
  if (!json) return undefined;
  if (json.class !== SPARK_ALS_MODEL_CLASS) throw new InterchangeError(`${file} describes a ${String(json.class)}, not an ${SPARK_ALS_MODEL_CLASS}`);
  return {
    file,
    ...(Number.isInteger(json.rank) ? { rank: json.rank as number } : {}),
    ...(typeof json.sparkVersion === "string" ? { sparkVersion: json.sparkVersion } : {}),
  };
}
