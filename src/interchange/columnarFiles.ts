// Arrow tables on disk, in the two forms other engines read: Parquet
// (through parquet-wasm, the Rust `parquet` crate compiled to WebAssembly:
// Snappy, Zstd, Gzip, LZ4 and Brotli, every encoding Spark writes) and the
// Arrow IPC file format (apache-arrow). Parquet folders follow Spark's
// dataset layout: part files side by side, `_SUCCESS`, `.crc` and other
// files starting with `_` or `.` skipped, as Spark's reader skips them.
import fs from "node:fs";
import path from "node:path";
import { tableFromIPC, tableToIPC, type Table } from "apache-arrow";
import { Compression, readParquet as readParquetBytes, Table as WasmTable, writeParquet as writeParquetBytes, WriterPropertiesBuilder } from "parquet-wasm";
import { InterchangeError } from "./InterchangeError";

// Spark writes Snappy by default (spark.sql.parquet.compression.codec), and
// every Parquet reader has it.
export function parquetBytes(table: Table): Uint8Array {
  const properties = new WriterPropertiesBuilder().setCompression(Compression.SNAPPY).setCreatedBy("marquee").build();
  return writeParquetBytes(WasmTable.fromIPCStream(tableToIPC(table, "stream")), properties);
}

export function tableFromParquet(bytes: Uint8Array, file: string): Table {
  let ipc: Uint8Array;
  try {
    ipc = readParquetBytes(bytes).intoIPCStream();
  } catch (error) {
    throw new InterchangeError(`${file} is not a readable Parquet file: ${error instanceof Error ? error.message : String(error)}`);
  }
  return tableFromIPC(ipc);
}

export function writeParquetFile(file: string, table: Table): number {
  const bytes = parquetBytes(table);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, bytes);
  return bytes.byteLength;
}

export function readParquetFile(file: string): Table {
  return tableFromParquet(readFile(file), file);
}

export function writeArrowFile(file: string, table: Table): number {
  const bytes = tableToIPC(table, "file");
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, bytes);
  return bytes.byteLength;
}

export function readArrowFile(file: string): Table {
  const bytes = readFile(file);
  try {
    return tableFromIPC(bytes);
  } catch (error) {
    throw new InterchangeError(`${file} is not a readable Arrow IPC file: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function readFile(file: string): Uint8Array {
  if (!fs.existsSync(file)) throw new InterchangeError(`${file} does not exist`);
  return fs.readFileSync(file);
}

// The part file name Spark would give the n-th part (without its job uuid).
export function partFileName(n: number): string {
  return `part-${String(n).padStart(5, "0")}.snappy.parquet`;
}

// The data files of a Parquet dataset folder, in name order (Spark's part
// numbers sort so). Refuses a folder that is missing or holds none.
export function datasetFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) throw new InterchangeError(`${dir} does not exist`);
  if (!fs.statSync(dir).isDirectory()) throw new InterchangeError(`${dir} is not a folder of Parquet part files`);
  const files = fs
    .readdirSync(dir)
    .filter((name) => !name.startsWith("_") && !name.startsWith("."))
    .sort()
    .map((name) => path.join(dir, name))
    .filter((file) => fs.statSync(file).isFile());
  if (files.length === 0) throw new InterchangeError(`${dir} holds no Parquet part files`);
  return files;
}

// Writes each table as the next part of a dataset folder, then Spark's
// `_SUCCESS` marker once all are written.
export class ParquetDatasetWriter {
  private parts = 0;
  private rows = 0;
  private bytes = 0;
  constructor(readonly dir: string) {
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir, { recursive: true });
  }
  write(table: Table): void {
    this.bytes += writeParquetFile(path.join(this.dir, partFileName(this.parts++)), table);
    this.rows += table.numRows;
  }
  get written(): { parts: number; rows: number } {
    return { parts: this.parts, rows: this.rows };
  }
  finish(): { dir: string; parts: number; rows: number; bytes: number } {
    fs.writeFileSync(path.join(this.dir, "_SUCCESS"), "");
    return { dir: this.dir, parts: this.parts, rows: this.rows, bytes: this.bytes };
  }
}
