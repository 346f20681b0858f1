// `npm run model -- import`: item factors trained elsewhere (exported by
// Marquee, or written by Spark MLlib's ALS) become a new version of an iALS
// model, served as MATRIX_FACTORIZATION like a trained one: users are folded
// in from their history at request time, and a catalog of 20,000+ items gets
// its HNSW index built here and stored with the version, as training does.
//
// Everything is checked before anything is written, and a problem names the
// file and the id: factor ids missing from the id map, external ids the
// catalog does not hold, rows of another width, numbers that are not finite.
// What the fold-in needs and the columns do not say comes from, in order:
// --param, marquee-model.json, Spark's metadata (rank; Spark always weights
// λ), and for the training mode (how histories become values) the manifest,
// then the interactions export's manifest beside the id map, then this
// server's configuration. The version's metrics record each source.
import fs from "node:fs";
import path from "node:path";
import { performance } from "node:perf_hooks";
import type { Database } from "../db/Database";
import { itemIdsOfExternalIds } from "../db/itemRepository";
import { activateModelVersion, saveModelVersion, type ModelVersionRow } from "../db/modelRepository";
import { ials } from "../engine/algorithms/ials";
import { formatImplicitRatingRule, type ImplicitRatingRule } from "../engine/data/implicitRatings";
import { NO_USER_STATE } from "../engine/userState";
import { ITEM_IDS_DIR, readIdMap } from "../interchange/idMapFiles";
import { InterchangeError } from "../interchange/InterchangeError";
import { readItemFactors } from "../interchange/itemFactorsFiles";
import { readInteractionsManifest, readModelManifest, readSparkMetadata, type FactorSource, type TrainingModeRecord } from "../interchange/manifests";
import { findServingAlgorithm, SERVING_ALGORITHMS } from "./servingAlgorithms";
import { checkParams, ParamError } from "./trainingParams";

export interface ImportFactorsOptions {
  dir: string;
  // The model name to add a version to (an iALS one); default ials.
  name?: string;
  activate?: boolean;
  // The folder of the id map (itemIds/, or a folder holding itemIds/, such
  // as the one export-interactions wrote); default <dir>/itemIds.
  itemIds?: string;
  // iALS parameters given on the command line; they win over the files'.
  params?: Record<string, unknown>;
  // This server's configuration: the training mode when no file records one.
  ratingScale: { min: number; max: number };
  implicitRatings: ImplicitRatingRule;
  now?: Date;
}

export interface ImportFactorsReport {
  version: ModelVersionRow;
  activated: boolean;
  items: number;
  nFactors: number;
  params: Record<string, unknown>;
  paramsFrom: Record<string, string>;
  training: TrainingModeRecord;
  trainingFrom: string;
  source: FactorSource;
  warnings: string[];
  // The HNSW index stored with the version (catalogs of 20,000+ items).
  index?: { bytes: number; seconds: number };
  seconds: number;
}

// The model names whose versions hold iALS factors.
export function factorModelNames(): string[] {
  return SERVING_ALGORITHMS.filter((a) => a.algorithm.name === "ials").map((a) => a.name);
}

// Shown in messages: at most this many offending ids.
const SHOWN = 10;

function listed<T>(all: readonly T[], show: (x: T) => string): string {
  const head = all.slice(0, SHOWN).map(show).join(", ");
  return all.length > SHOWN ? `${head} and ${all.length - SHOWN} more` : head;
}

export async function importItemFactors(db: Database, options: ImportFactorsOptions): Promise<ImportFactorsReport> {
  const started = performance.now();
  const name = options.name ?? "ials";
  const entry = findServingAlgorithm(name);
  if (!entry || entry.algorithm.name !== "ials") throw new InterchangeError(`${JSON.stringify(name)} is not an iALS model; item factors can be imported as ${factorModelNames().join(", ")}`);
  const dir = path.resolve(options.dir);
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new InterchangeError(`no folder at ${dir}`);

  // Parameters, each with where it came from.
  const manifest = readModelManifest(dir);
  const spark = readSparkMetadata(dir);
  const params: Record<string, unknown> = {};
  const paramsFrom: Record<string, string> = {};
  const take = (values: Record<string, unknown>, from: string) => {
    for (const [key, value] of Object.entries(values)) {
      Object.defineProperty(params, key, { value, enumerable: true, writable: true, configurable: true });
      paramsFrom[key] = from;
    }
  };
  if (spark) take({ ...(spark.rank !== undefined ? { nFactors: spark.rank } : {}), weightedRegularization: true }, spark.file);
  if (manifest) take(manifest.params, manifest.file);
  if (options.params) take(options.params, "--param");
  try {
    checkParams(entry, params);
  } catch (error) {
    if (error instanceof ParamError) throw new InterchangeError(`invalid iALS parameter from ${paramsFrom[error.parameter.split(".")[0]] ?? "the files"}: ${error.message}`);
    throw error;
  }
  const missing = ["regularization", "alpha"].filter((key) => params[key] === undefined);
  if (missing.length > 0) {
    throw new InterchangeError(
      `the ${missing.join(" and ")} the factors were trained with ${missing.length > 1 ? "are" : "is"} needed to fold users in, and ${dir} does not record ${missing.length > 1 ? "them" : "it"}` +
        `${spark ? " (Spark's ALSModel keeps only its rank)" : ""}: give ${missing.map((m) => `--param ${m}=…`).join(" ")}` +
        ` (Spark's regParam and alpha), or write them into ${path.join(dir, "marquee-model.json")}`,
    );
  }
  if (params.weightedRegularization === undefined) take({ weightedRegularization: false }, "default (λ not weighted)");

  // The factors, checked row by row, and the map of their ids.
  const rows = readItemFactors(dir, params.nFactors as number | undefined);
  if (params.nFactors === undefined) take({ nFactors: rows.nFactors }, "the width of the factors");
  const idsDir = idMapFolder(dir, options.itemIds);
  if (!fs.existsSync(idsDir)) {
    throw new InterchangeError(
      `no id map at ${idsDir}: the factors' integer ids must be mapped to the catalog's item ids; ` +
        `give the folder npm run model -- export-interactions wrote for the Spark job with --item-ids <dir>`,
    );
  }
  const idMap = readIdMap(idsDir);
  const unmapped: number[] = [];
  const externalIds = new Array<string>(rows.ids.length);
  for (let r = 0; r < rows.ids.length; r++) {
    const external = idMap.byId.get(rows.ids[r]);
    if (external === undefined) unmapped.push(r);
    else externalIds[r] = external;
  }
  if (unmapped.length > 0) {
    throw new InterchangeError(
      `${unmapped.length} item id${unmapped.length === 1 ? " is" : "s are"} not in the id map ${idsDir}: ${listed(unmapped, (r) => `${rows.ids[r]} (${rows.fileOf(r)})`)}; nothing was imported`,
    );
  }
  const catalog = await itemIdsOfExternalIds(db, externalIds);
  const unknown = externalIds.map((_, r) => r).filter((r) => !catalog.has(externalIds[r]));
  if (unknown.length > 0) {
    throw new InterchangeError(
      `${unknown.length} item${unknown.length === 1 ? " is" : "s are"} not in the catalog: ${listed(unknown, (r) => `${JSON.stringify(externalIds[r])} (id ${rows.ids[r]} in ${rows.fileOf(r)})`)}; ` +
        `import the catalog first (npm run import) or leave them out of the files; nothing was imported`,
    );
  }

  // Positions in database id order, as a trained version indexes its items.
  const k = rows.nFactors;
  const order = externalIds.map((_, r) => r).sort((a, b) => catalog.get(externalIds[a])! - catalog.get(externalIds[b])!);
  const items = Int32Array.from(order, (r) => catalog.get(externalIds[r])!);
  const itemFactors = new Float32Array(order.length * k);
  order.forEach((r, p) => itemFactors.set(rows.factors.subarray(r * k, (r + 1) * k), p * k));

  // How histories become values: as the factors were trained on them.
  const warnings: string[] = [];
  const idsManifest = readInteractionsManifest(path.dirname(idsDir));
  const configured: TrainingModeRecord = { explicit: false, ratingScale: options.ratingScale, implicitRatings: formatImplicitRatingRule(options.implicitRatings) };
  const recorded = manifest?.training ? { training: manifest.training, from: manifest.file } : idsManifest ? { training: idsManifest.training, from: idsManifest.file } : undefined;
  const training = recorded?.training ?? configured;
  const trainingFrom = recorded?.from ?? "this server's configuration (MARQUEE_RATING_SCALE, MARQUEE_IMPLICIT_RATINGS)";
  if (recorded && (training.implicitRatings !== configured.implicitRatings || training.ratingScale.min !== configured.ratingScale.min || training.ratingScale.max !== configured.ratingScale.max)) {
    warnings.push(
      `the factors were trained with ratings read by ${training.implicitRatings} on ${training.ratingScale.min}..${training.ratingScale.max} (${recorded.from}); ` +
        `this server reads new ratings by ${configured.implicitRatings} on ${configured.ratingScale.min}..${configured.ratingScale.max}. The version folds histories in as the factors were trained`,
    );
  }

  const source: FactorSource = manifest?.source ?? { engine: spark ? "spark-als" : "unknown", ...(spark?.sparkVersion ? { sparkVersion: spark.sparkVersion } : {}) };
  const now = options.now ?? new Date();
  const factorsOnly = { algorithm: "ials", params: { ...params }, meta: { nItems: items.length, nFactors: k }, arrays: { itemFactors }, userState: NO_USER_STATE };
  const indexStarted = performance.now();
  const serialized = ials.withServingIndex(factorsOnly);
  const indexSeconds = serialized === factorsOnly ? undefined : (performance.now() - indexStarted) / 1000;
  const version = await saveModelVersion(db, {
    name,
    serialized,
    // Served from histories: no users; items by database id.
    index: { users: new Int32Array(0), items, features: new Int32Array(0) },
    metrics: { origin: "import", source, importedFrom: dir, itemIds: idMap.dir, importedAt: now.toISOString(), paramsFrom, trainingFrom, ...(indexSeconds !== undefined ? { indexSeconds } : {}) },
    dataStats: { items: items.length, training },
    training: { params: { ...params }, given: { ...(options.params ?? {}) } },
  });
  const activated = options.activate ? (await activateModelVersion(db, name, version.version, now)) !== null : false;
  return {
    version,
    activated,
    items: items.length,
    nFactors: k,
    params,
    paramsFrom,
    training,
    trainingFrom,
    source,
    warnings,
    ...(indexSeconds !== undefined ? { index: { bytes: serialized.arrays.itemIndex!.byteLength, seconds: indexSeconds } } : {}),
    seconds: (performance.now() - started) / 1000,
  };
}

// `--item-ids` may name the map itself or a folder holding itemIds/.
function idMapFolder(dir: string, given: string | undefined): string {
  if (given === undefined) return path.join(dir, ITEM_IDS_DIR);
  const resolved = path.resolve(given);
  const inside = path.join(resolved, ITEM_IDS_DIR);
  return fs.existsSync(inside) ? inside : resolved;
}
