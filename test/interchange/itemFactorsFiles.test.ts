// The file layer alone (no database): item factors and id maps written and
// read back exactly, in Spark's shape, and every kind of bad file refused
// with a message naming the file and the row's id.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Field, Float32, Float64, Int32, Int64, List, Table, Utf8, tableFromArrays, vectorFromArray } from "apache-arrow";
import { datasetFiles, ParquetDatasetWriter, readArrowFile, readParquetFile, writeArrowFile, writeParquetFile } from "../../src/interchange/columnarFiles";
import { idMapTable, readIdMap } from "../../src/interchange/idMapFiles";
import { InterchangeError } from "../../src/interchange/InterchangeError";
import { itemFactorsTable, readItemFactors } from "../../src/interchange/itemFactorsFiles";
import { readModelManifest, readSparkMetadata } from "../../src/interchange/manifests";

let root: string;
beforeAll(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), "marquee-factors-"));
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

let cases = 0;
function folder(): string {
  const dir = path.join(root, `case-${cases++}`);
  fs.mkdirSync(dir);
  return dir;
}

// A table as another engine might write it: built from plain arrays.
function factorTable(ids: number[], features: (number[] | null)[], elementType: Float32 | Float64 = new Float32(), idType: Int32 | Int64 = new Int32()): Table {
  const listType = new List(new Field("element", elementType, true));
  return new Table({
    id: vectorFromArray(idType instanceof Int64 ? ids.map(BigInt) : ids, idType),
    features: vectorFromArray(features, listType),
  });
}

function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(InterchangeError);
    return (error as Error).message;
  }
  throw new Error("expected a refusal");
}

describe("item factors files", () => {
  it("round-trips our table through Parquet and Arrow exactly, in Spark's schema", () => {
    const dir = folder();
    const factors = Float32Array.from([0.1, -2.5, 3e-8, 1e30, -0, 7.25]);
    const table = itemFactorsTable(Int32Array.from([4, 0, 9]), factors, 2);
    writeParquetFile(path.join(dir, "itemFactors", "part-00000.snappy.parquet"), table);
    writeArrowFile(path.join(dir, "itemFactors.arrow"), table);
    const read = readItemFactors(dir);
    expect({ ids: Array.from(read.ids), nFactors: read.nFactors }).toEqual({ ids: [4, 0, 9], nFactors: 2 });
    expect(Array.from(read.factors)).toEqual(Array.from(factors));
    // Spark's ALSModel itemFactors: id int not null, features array<float> whose elements are not null.
    const parquet = readParquetFile(path.join(dir, "itemFactors", "part-00000.snappy.parquet"));
    expect(parquet.schema.fields.map((f) => [f.name, String(f.type), f.nullable])).toEqual([
      ["id", "Int32", false],
      ["features", "List<Float32>", true],
    ]);
    expect(parquet.schema.fields[1].type.children[0].nullable).toBe(false);
    // Without the Parquet folder the Arrow IPC file is read, with the same result.
    fs.rmSync(path.join(dir, "itemFactors"), { recursive: true });
    const fromArrow = readItemFactors(dir);
    expect(Array.from(fromArrow.factors)).toEqual(Array.from(factors));
    expect(readArrowFile(path.join(dir, "itemFactors.arrow")).numRows).toBe(3);
  });

  it("reads a Spark dataset folder: every part, skipping _SUCCESS and .crc files; int64 ids and double factors", () => {
    const dir = folder();
    const parts = path.join(dir, "itemFactors");
    writeParquetFile(path.join(parts, "part-00000-1b2c-c000.snappy.parquet"), factorTable([1, 2], [[1, 2], [3, 4]], new Float64(), new Int64()));
    writeParquetFile(path.join(parts, "part-00001-1b2c-c000.snappy.parquet"), factorTable([3], [[5, 6]], new Float64(), new Int64()));
    fs.writeFileSync(path.join(parts, "_SUCCESS"), "");
    fs.writeFileSync(path.join(parts, ".part-00000-1b2c-c000.snappy.parquet.crc"), "not parquet");
    const read = readItemFactors(dir);
    expect(Array.from(read.ids)).toEqual([1, 2, 3]);
    expect(Array.from(read.factors)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(read.fileOf(2)).toBe(path.join(parts, "part-00001-1b2c-c000.snappy.parquet"));
    expect(datasetFiles(parts)).toHaveLength(2);
  });

  const bad = (table: Table, width?: number) => {
    const dir = folder();
    const file = path.join(dir, "itemFactors", "part-00000.snappy.parquet");
    writeParquetFile(file, table);
    return { file, message: refusal(() => readItemFactors(dir, width)) };
  };

  it("refuses ragged widths, non-finite and null factors, naming the file and the item id", () => {
    let r = bad(factorTable([1, 2, 3], [[1, 2], [3, 4], [5]]));
    expect(r.message).toBe(`${r.file}: item id 3 has 1 factor in features, where the rows before it have 2`);
    r = bad(factorTable([1, 2], [[1, 2], [3, 4]]), 3);
    expect(r.message).toBe(`${r.file}: item id 1 has 2 factors in features, where the model has 3`);
    r = bad(factorTable([1, 2], [[1, 2], [NaN, 4]]));
    expect(r.message).toBe(`${r.file}: item id 2 has NaN at features[0]; every factor must be a finite number (as a float)`);
    r = bad(factorTable([1, 2], [[1, Infinity], [3, 4]]));
    expect(r.message).toBe(`${r.file}: item id 1 has Infinity at features[1]; every factor must be a finite number (as a float)`);
    r = bad(factorTable([1, 2], [[1, 2], [1e300, 4]], new Float64()));
    expect(r.message).toBe(`${r.file}: item id 2 has 1e+300 at features[0]; every factor must be a finite number (as a float)`);
    r = bad(factorTable([1, 2], [[1, 2], null]));
    expect(r.message).toBe(`${r.file}: item id 2 has no features (null)`);
    r = bad(factorTable([1, 2], [[1, 2], [3, null as unknown as number]]));
    expect(r.message).toBe(`${r.file}: item id 2 has null at features[1]; every factor must be a finite number`);
  });

  it("refuses missing columns, wrong types, repeated ids and empty or missing files", () => {
    let r = bad(tableFromArrays({ item: Int32Array.from([1]), x: Float32Array.from([1]) }));
    expect(r.message).toBe(`${r.file} has no column "id" (its columns: item: Int32, x: Float32)`);
    r = bad(new Table({ id: vectorFromArray(["a"], new Utf8()), features: vectorFromArray([[1]], new List(new Field("element", new Float32()))) }));
    expect(r.message).toBe(`${r.file}: column "id" must hold integers; it is Utf8`);
    r = bad(tableFromArrays({ id: Int32Array.from([1]), features: Float32Array.from([1]) }));
    expect(r.message).toBe(`${r.file}: column "features" must hold lists of floats (Spark's array<float>); it is Float32`);
    r = bad(factorTable([1, 2, 1], [[1], [2], [3]]));
    expect(r.message).toBe(`${r.file}: item id 1 appears twice; each item needs one row of factors`);
    r = bad(factorTable([], []));
    expect(r.message).toBe(`no item factors in ${r.file}: the files hold no rows`);

    const empty = folder();
    expect(refusal(() => readItemFactors(empty))).toBe(
      `no item factors in ${empty}: expected ${path.join(empty, "itemFactors")} (Parquet part files with columns id: int and features: array<float>, as Spark's ALSModel.save and npm run model -- export write them) or ${path.join(empty, "itemFactors.arrow")}`,
    );
    fs.mkdirSync(path.join(empty, "itemFactors"));
    fs.writeFileSync(path.join(empty, "itemFactors", "_SUCCESS"), "");
    expect(refusal(() => readItemFactors(empty))).toBe(`${path.join(empty, "itemFactors")} holds no Parquet part files`);
    fs.writeFileSync(path.join(empty, "itemFactors", "part-00000.parquet"), "PAR1 but not really");
    expect(refusal(() => readItemFactors(empty))).toMatch(new RegExp(`^${path.join(empty, "itemFactors", "part-00000.parquet")} is not a readable Parquet file: `));
  });
});

describe("id maps", () => {
  it("round-trips, across parts", () => {
    const dir = path.join(folder(), "itemIds");
    const writer = new ParquetDatasetWriter(dir);
    writer.write(idMapTable(Int32Array.from([0, 1]), ["m1", "élan vital"]));
    writer.write(idMapTable(Int32Array.from([2]), ["g1"]));
    expect(writer.finish()).toMatchObject({ parts: 2, rows: 3 });
    expect(fs.readdirSync(dir).sort()).toEqual(["_SUCCESS", "part-00000.snappy.parquet", "part-00001.snappy.parquet"]);
    expect([...readIdMap(dir).byId]).toEqual([
      [0, "m1"],
      [1, "élan vital"],
      [2, "g1"],
    ]);
  });

  it("refuses an id mapped twice or an external id with two ids", () => {
    const dir = path.join(folder(), "itemIds");
    const file = path.join(dir, "part-00000.snappy.parquet");
    writeParquetFile(file, idMapTable(Int32Array.from([0, 0]), ["a", "b"]));
    expect(refusal(() => readIdMap(dir))).toBe(`${file}: id 0 is mapped twice (to "a" and "b")`);
    writeParquetFile(file, idMapTable(Int32Array.from([0, 1]), ["a", "a"]));
    expect(refusal(() => readIdMap(dir))).toBe(`${file}: external id "a" has two ids (0 and 1)`);
  });
});

describe("manifests", () => {
  it("reads Spark's ALSModel metadata and checks ours", () => {
    const dir = folder();
    fs.mkdirSync(path.join(dir, "metadata"));
    fs.writeFileSync(
      path.join(dir, "metadata", "part-00000"),
      `{"class":"org.apache.spark.ml.recommendation.ALSModel","timestamp":1764000000000,"sparkVersion":"3.5.3","uid":"als_1","paramMap":{"userCol":"user","itemCol":"item"},"defaultParamMap":{},"rank":16}\n`,
    );
    expect(readSparkMetadata(dir)).toEqual({ file: path.join(dir, "metadata", "part-00000"), rank: 16, sparkVersion: "3.5.3" });
    const manifest = path.join(dir, "marquee-model.json");
    fs.writeFileSync(manifest, JSON.stringify({ params: { alpha: 1 }, training: { explicit: false, ratingScale: { min: 1, max: 5 }, implicitRatings: "sometimes" } }));
    expect(refusal(() => readModelManifest(dir))).toBe(`${manifest}: "training.implicitRatings" "sometimes" is not a rule (graded, user-mean, threshold:<rating>, midpoint)`);
    fs.writeFileSync(manifest, JSON.stringify({ algorithm: "bpr", params: {} }));
    expect(refusal(() => readModelManifest(dir))).toBe(`${manifest}: "algorithm" is "bpr"; only ials factors can be imported`);
    fs.writeFileSync(manifest, "{ not json");
    expect(refusal(() => readModelManifest(dir))).toMatch(/marquee-model\.json is not JSON: /);
  });
});
