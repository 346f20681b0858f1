// Item factors as Spark MLlib's ALSModel keeps them: a table of `id: int`
// (not null) and `features: array<float>` (the elements not null), written
// by ALSModel.save as the Parquet dataset `itemFactors/` and read back by
// ALSModel.load, so a Spark job reads ours with spark.read.parquet and we
// read Spark's. We also write the same table as an Arrow IPC file
// (`itemFactors.arrow`) for tools that map Arrow directly (pyarrow, Polars,
// DuckDB) and read it back when there is no Parquet folder.
import fs from "node:fs";
import path from "node:path";
import { Field, Float32, Int32, List, makeData, RecordBatch, Schema, Struct, Table } from "apache-arrow";
import { datasetFiles, readArrowFile, readParquetFile } from "./columnarFiles";
import { floatListColumn, int32Column } from "./arrowColumns";
import { InterchangeError } from "./InterchangeError";

export const ITEM_FACTORS_DIR = "itemFactors";
export const ITEM_FACTORS_ARROW = "itemFactors.arrow";

// Spark's schema: `id` int not null, `features` array<float> whose elements are not null.
const FEATURES_TYPE = new List(new Field("element", new Float32(), false));
export const ITEM_FACTORS_SCHEMA = new Schema([new Field("id", new Int32(), false), new Field("features", FEATURES_TYPE, true)]);

// One row per item: ids[r] and factors[r·k .. r·k + k).
export function itemFactorsTable(ids: Int32Array, factors: Float32Array, nFactors: number): Table {
  const n = ids.length;
  if (factors.length !== n * nFactors) throw new Error(`itemFactorsTable: ${factors.length} values for ${n} items of ${nFactors} factors`);
  const valueOffsets = new Int32Array(n + 1);
  for (let r = 0; r <= n; r++) valueOffsets[r] = r * nFactors;
  const features = makeData({ type: FEATURES_TYPE, length: n, nullCount: 0, valueOffsets, child: makeData({ type: new Float32(), length: n * nFactors, nullCount: 0, data: factors }) });
  const id = makeData({ type: new Int32(), length: n, nullCount: 0, data: ids });
  const rows = makeData({ type: new Struct(ITEM_FACTORS_SCHEMA.fields), length: n, nullCount: 0, children: [id, features] });
  return new Table(ITEM_FACTORS_SCHEMA, new RecordBatch(ITEM_FACTORS_SCHEMA, rows));
}

export interface ItemFactorRows {
  // In the order read: file by file, row by row.
  ids: Int32Array;
  factors: Float32Array;
  nFactors: number;
  // The file each row came from (for messages about a row).
  fileOf(row: number): string;
}

// The item factors under `dir`: the Parquet dataset `itemFactors/` (all its
// parts), or else `itemFactors.arrow`. Every row needs an id (once in the
// whole dataset) and `nFactors` finite factors (the first row's count when
// `nFactors` is not given).
export function readItemFactors(dir: string, nFactors?: number): ItemFactorRows {
  const folder = path.join(dir, ITEM_FACTORS_DIR);
  const arrowFile = path.join(dir, ITEM_FACTORS_ARROW);
  let parts: { file: string; read: () => Table }[];
  if (fs.existsSync(folder)) parts = datasetFiles(folder).map((file) => ({ file, read: () => readParquetFile(file) }));
  else if (fs.existsSync(arrowFile)) parts = [{ file: arrowFile, read: () => readArrowFile(arrowFile) }];
  else {
    throw new InterchangeError(
      `no item factors in ${dir}: expected ${folder} (Parquet part files with columns id: int and features: array<float>, as Spark's ALSModel.save and npm run model -- export write them) or ${arrowFile}`,
    );
  }
  const idParts: Int32Array[] = [];
  const valueParts: Float32Array[] = [];
  const starts: number[] = [];
  const seen = new Map<number, string>();
  let width = nFactors;
  let rows = 0;
  for (const { file, read } of parts) {
    const table = read();
    const ids = int32Column(table, "id", file);
    for (const id of ids) {
      const earlier = seen.get(id);
      if (earlier !== undefined) throw new InterchangeError(`${file}: item id ${id} appears twice${earlier === file ? "" : ` (also in ${earlier})`}; each item needs one row of factors`);
      seen.set(id, file);
    }
    const { values, width: k } = floatListColumn(table, "features", file, (r) => `item id ${ids[r]}`, width);
    if (ids.length > 0) width = k;
    starts.push(rows);
    idParts.push(ids);
    valueParts.push(values);
    rows += ids.length;
  }
  if (rows === 0 || width === undefined) throw new InterchangeError(`no item factors in ${parts.map((p) => p.file).join(", ")}: the files hold no rows`);
  const k = width;
  const ids = new Int32Array(rows);
  const factors = new Float32Array(rows * k);
  idParts.forEach((part, n) => {
    ids.set(part, starts[n]);
    factors.set(valueParts[n], starts[n] * k);
  });
  return {
    ids,
    factors,
    nFactors: k,
    fileOf(row) {
      let n = 0;
      while (n + 1 < starts.length && starts[n + 1] <= row) n++;
      return parts[n].file;
    },
  };
}
