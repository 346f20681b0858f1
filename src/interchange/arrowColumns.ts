// Typed columns out of an Arrow table read from someone else's file, checked
// as they are taken: the column is there, of a usable type, without nulls,
// and each value in range. Every complaint names the file and the column
// (and the row's id where there is one).
import { DataType, type Table, type Vector } from "apache-arrow";
import { InterchangeError } from "./InterchangeError";

function columnOf(table: Table, name: string, file: string): Vector {
  const column = table.getChild(name);
  if (!column) {
    const found = table.schema.fields.map((f) => `${f.name}: ${f.type}`).join(", ");
    throw new InterchangeError(`${file} has no column "${name}" (its columns: ${found || "none"})`);
  }
  return column;
}

// An integer column as int32 (Spark's ids are Int; an int64 column is
// accepted while its values fit).
export function int32Column(table: Table, name: string, file: string): Int32Array {
  const column = columnOf(table, name, file);
  if (!DataType.isInt(column.type)) throw new InterchangeError(`${file}: column "${name}" must hold integers; it is ${column.type}`);
  const out = new Int32Array(column.length);
  for (let r = 0; r < column.length; r++) {
    const value = column.get(r) as number | bigint | null;
    if (value === null || value === undefined) throw new InterchangeError(`${file}: column "${name}" is empty (null) in row ${r}`);
    const n = Number(value);
    if (n < -(2 ** 31) || n > 2 ** 31 - 1) throw new InterchangeError(`${file}: column "${name}" holds ${value} in row ${r}, outside the 32-bit integers Spark's ids are`);
    out[r] = n;
  }
  return out;
}

export function stringColumn(table: Table, name: string, file: string): string[] {
  const column = columnOf(table, name, file);
  if (!DataType.isUtf8(column.type) && !DataType.isLargeUtf8(column.type) && !DataType.isUtf8View(column.type)) {
    throw new InterchangeError(`${file}: column "${name}" must hold text; it is ${column.type}`);
  }
  const out = new Array<string>(column.length);
  for (let r = 0; r < column.length; r++) {
    const value = column.get(r) as string | null;
    if (value === null || value === undefined) throw new InterchangeError(`${file}: column "${name}" is empty (null) in row ${r}`);
    out[r] = value;
  }
  return out;
}

export function float32Column(table: Table, name: string, file: string): Float32Array {
  const column = columnOf(table, name, file);
  if (!DataType.isFloat(column.type) && !DataType.isInt(column.type)) throw new InterchangeError(`${file}: column "${name}" must hold numbers; it is ${column.type}`);
  const out = new Float32Array(column.length);
  for (let r = 0; r < column.length; r++) {
    const value = column.get(r) as number | bigint | null;
    if (value === null || value === undefined || !Number.isFinite(Number(value))) throw new InterchangeError(`${file}: column "${name}" holds ${value} in row ${r}; a finite number is needed`);
    out[r] = Number(value);
  }
  return out;
}

// A column of equal-length lists of finite numbers (Spark's `features:
// array<float>`) as one row-major float32 array. `rowName(r)` says which row
// a complaint is about (e.g. its id); `width`, when known, is the length
// every list must have.
export function floatListColumn(table: Table, name: string, file: string, rowName: (r: number) => string, width?: number): { values: Float32Array; width: number } {
  const column = columnOf(table, name, file);
  const type = column.type;
  if (!(DataType.isList(type) || DataType.isFixedSizeList(type) || DataType.isLargeList(type)) || !DataType.isFloat(type.children[0].type)) {
    throw new InterchangeError(`${file}: column "${name}" must hold lists of floats (Spark's array<float>); it is ${type}`);
  }
  let k = width;
  let values: Float32Array | undefined = k === undefined ? undefined : new Float32Array(column.length * k);
  for (let r = 0; r < column.length; r++) {
    const list = column.get(r) as Vector | null;
    if (list === null || list === undefined) throw new InterchangeError(`${file}: ${rowName(r)} has no ${name} (null)`);
    if (k === undefined) {
      k = list.length;
      if (k === 0) throw new InterchangeError(`${file}: ${rowName(r)} has an empty ${name} list`);
      values = new Float32Array(column.length * k);
    }
    if (list.length !== k) {
      throw new InterchangeError(`${file}: ${rowName(r)} has ${list.length} factor${list.length === 1 ? "" : "s"} in ${name}, where ${r === 0 ? "the model has" : "the rows before it have"} ${k}`);
    }
    const row = list.toArray() as Float32Array | Float64Array;
    for (let f = 0; f < k; f++) {
      if (list.nullCount > 0 && !list.isValid(f)) throw new InterchangeError(`${file}: ${rowName(r)} has null at ${name}[${f}]; every factor must be a finite number`);
      // A double past float32's range would become Infinity when stored.
      if (!Number.isFinite(Math.fround(row[f]))) throw new InterchangeError(`${file}: ${rowName(r)} has ${row[f]} at ${name}[${f}]; every factor must be a finite number (as a float)`);
    }
    values!.set(row, r * k);
  }
  return { values: values ?? new Float32Array(0), width: k ?? 0 };
}
