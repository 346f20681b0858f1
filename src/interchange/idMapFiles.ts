// The integer ids Spark's ALS needs, mapped to the external ids users and
// items have in the catalog: a Parquet dataset of `id: int` (not null) and
// `external_id: string` (not null), written beside the interactions for
// Spark (`userIds/`, `itemIds/`) and beside exported item factors
// (`itemIds/`), and read back to name the items of imported factors.
import path from "node:path";
import { Field, Int32, Schema, Table, Utf8, makeData, RecordBatch, Struct, vectorFromArray } from "apache-arrow";
import { datasetFiles, readParquetFile } from "./columnarFiles";
import { int32Column, stringColumn } from "./arrowColumns";
import { InterchangeError } from "./InterchangeError";

export const USER_IDS_DIR = "userIds";
export const ITEM_IDS_DIR = "itemIds";

export const ID_MAP_SCHEMA = new Schema([new Field("id", new Int32(), false), new Field("external_id", new Utf8(), false)]);

export function idMapTable(ids: Int32Array, externalIds: readonly string[]): Table {
  if (ids.length !== externalIds.length) throw new Error(`idMapTable: ${ids.length} ids for ${externalIds.length} external ids`);
  const id = makeData({ type: new Int32(), length: ids.length, nullCount: 0, data: ids });
  const external = vectorFromArray(externalIds as string[], new Utf8()).data[0];
  const rows = makeData({ type: new Struct(ID_MAP_SCHEMA.fields), length: ids.length, nullCount: 0, children: [id, external] });
  return new Table(ID_MAP_SCHEMA, new RecordBatch(ID_MAP_SCHEMA, rows));
}

export interface IdMapRead {
  // Integer id -> external id.
  byId: Map<number, string>;
  dir: string;
}

// Every part of an id map folder; an id or an external id twice is refused
// (the map must name one item per id, both ways).
export function readIdMap(dir: string): IdMapRead {
  const byId = new Map<number, string>();
  const byExternal = new Map<string, number>();
  for (const file of datasetFiles(dir)) {
    const table = readParquetFile(file);
    const ids = int32Column(table, "id", file);
    const externalIds = stringColumn(table, "external_id", file);
    for (let r = 0; r < ids.length; r++) {
      if (byId.has(ids[r])) throw new InterchangeError(`${file}: id ${ids[r]} is mapped twice (to ${JSON.stringify(byId.get(ids[r]))} and ${JSON.stringify(externalIds[r])})`);
      const other = byExternal.get(externalIds[r]);
      if (other !== undefined) throw new InterchangeError(`${file}: external id ${JSON.stringify(externalIds[r])} has two ids (${other} and ${ids[r]})`);
      byId.set(ids[r], externalIds[r]);
      byExternal.set(externalIds[r], ids[r]);
    }
  }
  return { byId, dir: path.resolve(dir) };
}
