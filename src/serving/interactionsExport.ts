// `npm run model -- export-interactions`: what iALS trains on, for Spark
// MLlib's ALS to train on instead (docs/SCALING.md):
//
//   <out>/interactions/part-NNNNN.snappy.parquet  user: int, item: int, rating: float, timestamp: long
//   <out>/userIds/part-NNNNN.snappy.parquet       id: int, external_id: string
//   <out>/itemIds/part-00000.snappy.parquet       id: int, external_id: string
//   <out>/marquee-interactions.json               training mode, columns, counts
//
// One row per (user, item): the value iALS would train on (buildTrainingSet's
// implicit confidences, so a rating goes through this server's implicit
// rating rule and amounts are log-scaled) and the time of the latest event.
// Spark's implicit ALS reads `rating` exactly as iALS does: confidence
// 1 + alpha·|rating|, preference 1 when rating > 0, else 0. Users are read
// and written a chunk at a time (one part file each) from one snapshot, so
// memory is bounded by the chunk, not the user base; ids are dense positions
// in database id order, the same as a trained model's.
import fs from "node:fs";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { Field, Float32, Int32, Int64, makeData, RecordBatch, Schema, Struct, Table } from "apache-arrow";
import type { Database } from "../db/Database";
import { readInteractionsByUserChunks } from "../db/trainingDataRepository";
import { buildTrainingSet } from "../engine/data/buildTrainingSet";
import { formatImplicitRatingRule, type ImplicitRatingRule } from "../engine/data/implicitRatings";
import { ParquetDatasetWriter } from "../interchange/columnarFiles";
import { idMapTable, ITEM_IDS_DIR, USER_IDS_DIR } from "../interchange/idMapFiles";
import { INTERACTIONS_MANIFEST, writeJson, type InteractionsManifest } from "../interchange/manifests";

export const INTERACTIONS_DIR = "interactions";

export const INTERACTIONS_SCHEMA = new Schema([
  new Field("user", new Int32(), false),
  new Field("item", new Int32(), false),
  new Field("rating", new Float32(), false),
  new Field("timestamp", new Int64(), false),
]);

export function interactionsTable(users: Int32Array, items: Int32Array, ratings: Float32Array, timestamps: BigInt64Array): Table {
  const n = users.length;
  const children = [
    makeData({ type: new Int32(), length: n, nullCount: 0, data: users }),
    makeData({ type: new Int32(), length: n, nullCount: 0, data: items }),
    makeData({ type: new Float32(), length: n, nullCount: 0, data: ratings }),
    makeData({ type: new Int64(), length: n, nullCount: 0, data: timestamps }),
  ];
  return new Table(INTERACTIONS_SCHEMA, new RecordBatch(INTERACTIONS_SCHEMA, makeData({ type: new Struct(INTERACTIONS_SCHEMA.fields), length: n, nullCount: 0, children })));
}

export interface ExportInteractionsOptions {
  out: string;
  // Users per part file (and per read); default 100,000.
  usersPerFile?: number;
  ratingScale: { min: number; max: number };
  implicitRatings: ImplicitRatingRule;
  now?: Date;
}

export interface ExportInteractionsReport {
  out: string;
  users: number;
  items: number;
  rows: number;
  parts: number;
  files: { path: string; bytes: number }[];
  seconds: number;
}

export const DEFAULT_USERS_PER_FILE = 100_000;

export async function exportInteractions(db: Database, options: ExportInteractionsOptions): Promise<ExportInteractionsReport> {
  const started = performance.now();
  fs.mkdirSync(options.out, { recursive: true });
  const interactions = new ParquetDatasetWriter(path.join(options.out, INTERACTIONS_DIR));
  const userIds = new ParquetDatasetWriter(path.join(options.out, USER_IDS_DIR));
  const itemIds = new ParquetDatasetWriter(path.join(options.out, ITEM_IDS_DIR));
  let nItems = 0;
  let nUsers = 0;
  await readInteractionsByUserChunks(
    db,
    options.usersPerFile ?? DEFAULT_USERS_PER_FILE,
    (items) => {
      nItems = items.length;
      itemIds.write(idMapTable(Int32Array.from(items, (_, k) => k), items.map((i) => i.externalId)));
    },
    (chunk) => {
      const set = buildTrainingSet(chunk.interactions, {
        nUsers: chunk.users.length,
        nItems,
        explicit: false,
        ratingScale: options.ratingScale,
        implicitRatings: options.implicitRatings,
      });
      const { indptr, indices, values } = set.ratings;
      const n = indices.length;
      const users = new Int32Array(n);
      for (let u = 0; u < chunk.users.length; u++) users.fill(chunk.firstUser + u, indptr[u], indptr[u + 1]);
      const timestamps = BigInt64Array.from(set.timestamps!, (t) => BigInt(Math.floor(t)));
      if (n > 0) interactions.write(interactionsTable(users, Int32Array.from(indices), Float32Array.from(values), timestamps));
      userIds.write(idMapTable(Int32Array.from(chunk.users, (_, k) => chunk.firstUser + k), chunk.users.map((u) => u.externalId)));
      nUsers += chunk.users.length;
    },
  );
  // Spark needs at least one part to read the schema from.
  if (interactions.written.rows === 0) interactions.write(interactionsTable(new Int32Array(0), new Int32Array(0), new Float32Array(0), new BigInt64Array(0)));
  if (userIds.written.parts === 0) userIds.write(idMapTable(new Int32Array(0), []));
  const written = [interactions.finish(), userIds.finish(), itemIds.finish()];
  const manifest: InteractionsManifest = {
    format: "marquee-interactions",
    formatVersion: 1,
    training: { explicit: false, ratingScale: options.ratingScale, implicitRatings: formatImplicitRatingRule(options.implicitRatings) },
    counts: { users: nUsers, items: nItems, rows: written[0].rows, parts: written[0].parts },
    columns: {
      user: "int: the user's id in userIds/ (0, 1, ... in database order)",
      item: "int: the item's id in itemIds/",
      rating: "float: what iALS trains on, one per (user, item): graded ratings and log-scaled amounts summed; negative for a dislike or skip. Spark ALS(implicitPrefs=True) reads it as confidence 1 + alpha·|rating|, preference rating > 0",
      timestamp: "long: seconds since the epoch of the user's latest event with the item",
    },
    files: { interactions: INTERACTIONS_DIR, userIds: USER_IDS_DIR, itemIds: ITEM_IDS_DIR },
    exportedAt: (options.now ?? new Date()).toISOString(),
  };
  const manifestFile = path.join(options.out, INTERACTIONS_MANIFEST);
  writeJson(manifestFile, manifest);
  return {
    out: options.out,
    users: nUsers,
    items: nItems,
    rows: written[0].rows,
    parts: written[0].parts,
    files: [...written.map((w) => ({ path: w.dir, bytes: w.bytes })), { path: manifestFile, bytes: fs.statSync(manifestFile).size }],
    seconds: (performance.now() - started) / 1000,
  };
}
