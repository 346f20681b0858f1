// `npm run model -- export`: a stored iALS version's item factors, named by
// the items' external ids, with what serving them needs, in the layout a
// Spark job reads (docs/SCALING.md):
//
//   <out>/itemFactors/part-00000.snappy.parquet   id: int, features: array<float>   (Spark's ALSModel itemFactors)
//   <out>/itemFactors.arrow                       the same table, Arrow IPC file
//   <out>/itemIds/part-00000.snappy.parquet       id: int, external_id: string
//   <out>/marquee-model.json                      params, training mode, source
//
// `id` is the item's position in the version; the map gives its external id,
// so the files mean the same in any database that holds the same catalog.
import fs from "node:fs";
import path from "node:path";
import { performance } from "node:perf_hooks";
import type { Database } from "../db/Database";
import { externalIdsOfItems } from "../db/itemRepository";
import { loadModelVersion } from "../db/modelRepository";
import { serializedArray } from "../engine/algorithms/serializedArray";
import { formatImplicitRatingRule } from "../engine/data/implicitRatings";
import { ParquetDatasetWriter, writeArrowFile } from "../interchange/columnarFiles";
import { idMapTable, ITEM_IDS_DIR } from "../interchange/idMapFiles";
import { InterchangeError } from "../interchange/InterchangeError";
import { ITEM_FACTORS_ARROW, ITEM_FACTORS_DIR, itemFactorsTable } from "../interchange/itemFactorsFiles";
import { MODEL_MANIFEST, writeJson, type FactorSource, type ModelManifest } from "../interchange/manifests";
import { trainingModeOf, type StoredTrainingMode } from "./ServedModel";

export interface ExportFactorsOptions {
  name: string;
  // Default: the active version.
  version?: number;
  out: string;
  now?: Date;
}

export interface ExportFactorsReport {
  name: string;
  version: number;
  out: string;
  items: number;
  nFactors: number;
  // Positions whose item is no longer in the catalog (left out of the files).
  missingItems: number;
  files: { path: string; bytes: number }[];
  seconds: number;
}

export async function exportItemFactors(db: Database, options: ExportFactorsOptions): Promise<ExportFactorsReport> {
  const started = performance.now();
  const stored = await loadModelVersion(db, options.name, options.version);
  if (!stored) {
    throw new InterchangeError(
      options.version === undefined
        ? `${options.name} has no active version; name one with --version (npm run train -- --model ials trains one)`
        : `${options.name} has no version ${options.version}`,
    );
  }
  const { serialized } = stored;
  if (serialized.algorithm !== "ials") throw new InterchangeError(`${stored.name} v${stored.version} is a ${serialized.algorithm} model; only iALS item factors can be exported`);
  const factors = serializedArray("ials", serialized, "itemFactors", Float32Array);
  const nFactors = Number(serialized.meta.nFactors ?? serialized.params.nFactors);
  const positions = stored.index.items;
  if (factors.length !== positions.length * nFactors) throw new Error(`${stored.name} v${stored.version}: ${factors.length} item factors for ${positions.length} items of ${nFactors}`);

  const external = await externalIdsOfItems(db, Array.from(positions));
  const kept: number[] = [];
  for (let p = 0; p < positions.length; p++) if (external.has(positions[p])) kept.push(p);
  const ids = Int32Array.from(kept);
  const values = new Float32Array(kept.length * nFactors);
  kept.forEach((p, r) => values.set(factors.subarray(p * nFactors, (p + 1) * nFactors), r * nFactors));
  const table = itemFactorsTable(ids, values, nFactors);

  fs.mkdirSync(options.out, { recursive: true });
  const files: { path: string; bytes: number }[] = [];
  const factorsDataset = new ParquetDatasetWriter(path.join(options.out, ITEM_FACTORS_DIR));
  factorsDataset.write(table);
  files.push(dataset(factorsDataset.finish()));
  const arrowFile = path.join(options.out, ITEM_FACTORS_ARROW);
  files.push({ path: arrowFile, bytes: writeArrowFile(arrowFile, table) });
  const idsDataset = new ParquetDatasetWriter(path.join(options.out, ITEM_IDS_DIR));
  idsDataset.write(idMapTable(ids, kept.map((p) => external.get(positions[p])!)));
  files.push(dataset(idsDataset.finish()));

  // How this version folds histories in (the rule it was trained with).
  const mode = trainingModeOf(stored.dataStats.training as Partial<StoredTrainingMode> | undefined);
  // A version that was itself imported keeps naming the engine that trained it.
  const origin = stored.metrics.source as FactorSource | undefined;
  const manifest: ModelManifest = {
    format: "marquee-item-factors",
    formatVersion: 1,
    algorithm: "ials",
    nItems: kept.length,
    nFactors,
    params: { ...serialized.params },
    training: { explicit: false, ratingScale: mode.ratingScale, implicitRatings: formatImplicitRatingRule(mode.implicitRatings) },
    source: { ...(origin ?? { engine: "marquee" }), model: stored.name, version: stored.version, createdAt: stored.createdAt.toISOString() },
    files: { itemFactors: ITEM_FACTORS_DIR, itemFactorsArrow: ITEM_FACTORS_ARROW, itemIds: ITEM_IDS_DIR },
    exportedAt: (options.now ?? new Date()).toISOString(),
  };
  const manifestFile = path.join(options.out, MODEL_MANIFEST);
  writeJson(manifestFile, manifest);
  files.push({ path: manifestFile, bytes: fs.statSync(manifestFile).size });
  return {
    name: stored.name,
    version: stored.version,
    out: options.out,
    items: kept.length,
    nFactors,
    missingItems: positions.length - kept.length,
    files,
    seconds: (performance.now() - started) / 1000,
  };
}

function dataset(written: { dir: string; bytes: number }): { path: string; bytes: number } {
  return { path: written.dir, bytes: written.bytes };
}
