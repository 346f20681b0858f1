// `npm run model -- export | import | export-interactions` on every target
// database: the project's own iALS version exported and imported back is
// served identically through the real GraphQL server; hand-made Spark-shaped
// files (ALSModel.save's itemFactors/ and metadata/, our interactions
// export's id map) import and serve; bad files are refused with a message
// naming the file and the id, and save nothing; the interactions written for
// Spark are exactly what iALS trains on.
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Field, Float32, Int32, List, Table, vectorFromArray } from "apache-arrow";
import { main } from "../../src/cli/model";
import { createDatabase } from "../../src/db/createDatabase";
import type { Database } from "../../src/db/Database";
import { readTrainingData } from "../../src/db/trainingDataRepository";
import type { IalsModel } from "../../src/engine/algorithms/ials";
import { createRng } from "../../src/engine/random";
import { datasetFiles, ParquetDatasetWriter, readParquetFile, writeParquetFile } from "../../src/interchange/columnarFiles";
import { idMapTable, readIdMap } from "../../src/interchange/idMapFiles";
import { itemFactorsTable } from "../../src/interchange/itemFactorsFiles";
import { importCatalog } from "../../src/services/importService";
import { loadModelStore, modelStoreOf } from "../../src/serving/ModelStore";
import { findServingAlgorithm } from "../../src/serving/servingAlgorithms";
import { servingTrainingSet, trainModel } from "../../src/serving/trainModel";
import { templatePath } from "../support/pgliteTemplate";
import { databaseTargets, openTestDatabase, type TestDatabase } from "../support/testDatabase";
import { startTestServer, type TestServer } from "../support/testServer";
import { tinyCatalog } from "../serving/support/tinyCatalog";
import { RATING_SCALE, trainAndActivate } from "../serving/support/trainAndServe";

const ROOT = path.resolve(__dirname, "../..");
const TSX = path.join(ROOT, "node_modules/.bin/tsx");
const CLI = path.join(ROOT, "src/cli/model.ts");
const ENV = { MARQUEE_DEMO_DATA: "false", LOG_LEVEL: "warn" };

const RECS = `query($userId: ID!) {
  recommendations(userId: $userId, first: 9, strategy: MATRIX_FACTORIZATION) {
    item { id } score rank strategy
    reasons { __typename ... on BecauseYouInteracted { item { id } weight } ... on ColdStart { why } ... on Fallback { requested served why } }
  }
}`;
const SIMILAR = `query($itemId: ID!) { similarItems(itemId: $itemId, method: EMBEDDING, first: 8) { item { id } score rank strategy } }`;
const USERS = ["u1", "u2", "u3", "u4", "u5", "ann", "jo", "newbie"];
const ITEMS = ["s1", "c2", "j1"];

let root: string;
beforeAll(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), "marquee-model-cli-"));
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));
let folders = 0;
const tempDir = (label: string) => path.join(root, `${label}-${folders++}`);

async function cli(db: Database, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, { stdout: { write: (s: string) => out.push(s) }, stderr: { write: (s: string) => err.push(s) }, env: ENV, cwd: root, db });
  return { code, stdout: out.join(""), stderr: err.join("") };
}

async function versions(db: Database, name = "ials"): Promise<{ version: number; is_active: boolean }[]> {
  return db.sql.query(`SELECT version, is_active FROM model_versions WHERE name = $1 ORDER BY version`, [name]);
}

// Spark's itemFactors as another engine writes it: ids, lists of floats (nullable elements, as containsNull = true would).
function sparkFactors(rows: [number, number[] | null][]): Table {
  return new Table({
    id: vectorFromArray(rows.map(([id]) => id), new Int32()),
    features: vectorFromArray(rows.map(([, f]) => f), new List(new Field("element", new Float32(), true))),
  });
}

// A Spark ALSModel.save folder: metadata/part-00000 and itemFactors/ in two parts (plus _SUCCESS and a .crc).
function writeSparkModel(dir: string, rows: [number, number[] | null][], rank: number): string {
  fs.mkdirSync(path.join(dir, "metadata"), { recursive: true });
  fs.writeFileSync(
    path.join(dir, "metadata", "part-00000"),
    `${JSON.stringify({ class: "org.apache.spark.ml.recommendation.ALSModel", timestamp: 1764000000000, sparkVersion: "3.5.3", uid: "als_7f", paramMap: { userCol: "user", itemCol: "item" }, defaultParamMap: {}, rank })}\n`,
  );
  const half = Math.ceil(rows.length / 2);
  const parts = path.join(dir, "itemFactors");
  writeParquetFile(path.join(parts, "part-00000-5e1d-c000.snappy.parquet"), sparkFactors(rows.slice(0, half)));
  writeParquetFile(path.join(parts, "part-00001-5e1d-c000.snappy.parquet"), sparkFactors(rows.slice(half)));
  fs.writeFileSync(path.join(parts, "_SUCCESS"), "");
  fs.writeFileSync(path.join(parts, ".part-00000-5e1d-c000.snappy.parquet.crc"), "crc");
  return dir;
}

describe.each(databaseTargets())("npm run model on %s", (target) => {
  let t: TestDatabase;
  let server: TestServer;
  beforeAll(async () => {
    t = await openTestDatabase(target);
    await importCatalog(t.db, tinyCatalog());
    await trainAndActivate(t.db, ["popular", "ials"]);
    server = await startTestServer(t.db);
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
    await t?.dispose();
  });

  async function answers(): Promise<unknown[]> {
    const out: unknown[] = [];
    for (const userId of USERS) out.push(await server.run(RECS, { userId }));
    for (const itemId of ITEMS) out.push(await server.run(SIMILAR, { itemId }));
    return out;
  }

  async function active(): Promise<unknown> {
    await modelStoreOf(t.db).reload();
    return (await server.run(`{ activeModels { name version algorithm } }`)).data.activeModels.find((m: { name: string }) => m.name === "ials");
  }

  it("exports the iALS version, imports it as a new version, and serves exactly the same answers", async () => {
    const before = await answers();
    // The answers come from ials itself, not a fallback.
    expect((before[0] as { data: { recommendations: { strategy: string }[] } }).data.recommendations[0].strategy).toBe("MATRIX_FACTORIZATION");
    expect(JSON.stringify(before)).not.toContain("Fallback");

    const out = tempDir("export");
    const exported = await cli(t.db, ["export", "--model", "ials", "--out", out]);
    expect(exported).toMatchObject({ code: 0, stderr: "" });
    expect(exported.stdout).toMatch(new RegExp(`^exported ials v1: 9 items × 48 factors to ${out} in \\d+\\.\\d\\d s\\n`));
    expect(fs.readdirSync(out).sort()).toEqual(["itemFactors", "itemFactors.arrow", "itemIds", "marquee-model.json"]);
    expect(fs.readdirSync(path.join(out, "itemFactors")).sort()).toEqual(["_SUCCESS", "part-00000.snappy.parquet"]);
    const manifest = JSON.parse(fs.readFileSync(path.join(out, "marquee-model.json"), "utf8"));
    expect(manifest).toEqual({
      format: "marquee-item-factors",
      formatVersion: 1,
      algorithm: "ials",
      nItems: 9,
      nFactors: 48,
      params: { nFactors: 48, nIterations: 8, regularization: 50, alpha: 2, cgSteps: 2, initStd: 0.01, weightedRegularization: false },
      training: { explicit: false, ratingScale: RATING_SCALE, implicitRatings: "graded" },
      source: { engine: "marquee", model: "ials", version: 1, createdAt: expect.any(String) },
      files: { itemFactors: "itemFactors", itemFactorsArrow: "itemFactors.arrow", itemIds: "itemIds" },
      exportedAt: expect.any(String),
    });
    // Items by their external ids, in the version's order.
    expect([...readIdMap(path.join(out, "itemIds")).byId]).toEqual(["s1", "s2", "s3", "s4", "c1", "c2", "c3", "j1", "n1"].map((id, k) => [k, id]));

    const imported = await cli(t.db, ["import", "--dir", out, "--activate"]);
    expect(imported).toMatchObject({ code: 0, stderr: "" });
    expect(imported.stdout).toMatch(/^imported 9 items × 48 factors \(marquee\) as ials v2, active in \d+\.\d\d s\n/);
    expect(imported.stdout).toContain(`    alpha from ${path.join(out, "marquee-model.json")}\n`);
    expect(imported.stdout).toContain(`  histories folded in as graded on 0.5..5, from ${path.join(out, "marquee-model.json")}\n`);
    expect(await active()).toEqual({ name: "ials", version: 2, algorithm: "ials" });
    expect(await answers()).toEqual(before);

    // The version says where it came from; it keeps no users.
    const models = await server.run(`{ models { name versions { version isActive params metrics dataStats } } }`);
    const v2 = models.data.models.find((m: { name: string }) => m.name === "ials").versions.find((v: { version: number }) => v.version === 2);
    expect(v2).toMatchObject({
      isActive: true,
      params: manifest.params,
      metrics: { origin: "import", source: { engine: "marquee", model: "ials", version: 1 }, importedFrom: out, trainingFrom: path.join(out, "marquee-model.json") },
      dataStats: { items: 9, training: { explicit: false, ratingScale: RATING_SCALE, implicitRatings: "graded" } },
    });
    const [stored] = await t.db.sql.query<{ n: number }>(
      `SELECT octet_length(a.data) AS n FROM model_artifacts a JOIN model_versions v ON v.id = a.model_version_id WHERE v.name = 'ials' AND v.version = 2 AND a.key = 'index.users'`,
    );
    expect(Number(stored.n)).toBe(0);

    // The answers hang on what was carried over: another alpha serves other scores.
    const other = await cli(t.db, ["import", "--dir", out, "--activate", "--param", "alpha=20"]);
    expect(other.stdout).toContain("    alpha from --param\n");
    expect(await active()).toEqual({ name: "ials", version: 3, algorithm: "ials" });
    expect(await answers()).not.toEqual(before);
    // Back to the original: the same answers again.
    expect((await cli(t.db, ["import", "--dir", out, "--activate"])).code).toBe(0);
    expect(await active()).toEqual({ name: "ials", version: 4, algorithm: "ials" });
    expect(await answers()).toEqual(before);
  }, 120_000);

  it("writes the interactions for Spark: one row per (user, item), the values iALS trains on, with the id maps", async () => {
    const out = tempDir("interactions");
    const result = await cli(t.db, ["export-interactions", "--out", out, "--users-per-file", "3"]);
    expect(result).toMatchObject({ code: 0, stderr: "" });
    expect(result.stdout).toMatch(new RegExp(`^exported 17 \\(user, item\\) rows of 8 users and 9 items to ${out} in 3 parts, `));
    const data = await readTrainingData(t.db);
    const set = servingTrainingSet(data, findServingAlgorithm("ials")!, { ratingScale: RATING_SCALE });
    const expected: [number, number, number, number][] = [];
    for (let u = 0; u < set.nUsers; u++) {
      for (let e = set.ratings.indptr[u]; e < set.ratings.indptr[u + 1]; e++) expected.push([u, set.ratings.indices[e], Math.fround(set.ratings.values[e]), Math.floor(set.timestamps![e])]);
    }
    const rows: [number, number, number, number][] = [];
    for (const file of datasetFiles(path.join(out, "interactions"))) {
      const table = readParquetFile(file);
      expect(table.schema.fields.map((f) => `${f.name}: ${f.type}`)).toEqual(["user: Int32", "item: Int32", "rating: Float32", "timestamp: Int64"]);
      for (const row of table) rows.push([row.user, row.item, row.rating, Number(row.timestamp)]);
    }
    expect(rows).toEqual(expected);
    // Ids are positions in database order, mapped to the external ids.
    const users = readIdMap(path.join(out, "userIds")).byId;
    const items = readIdMap(path.join(out, "itemIds")).byId;
    expect([...users.keys()]).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect([...users.values()].sort()).toEqual(["ann", "jo", "newbie", "u1", "u2", "u3", "u4", "u5"]);
    expect([...items.values()]).toEqual(["s1", "s2", "s3", "s4", "c1", "c2", "c3", "j1", "n1"]);
    // u1 liked s1 (LIKE weighs 3 × log2(1 + 1) = 3) and later rated it 5 (graded on 0.5..5: 5): 8, at the rating's time.
    const u1 = [...users].find(([, id]) => id === "u1")![0];
    expect(rows.filter(([user, item]) => user === u1 && items.get(item) === "s1")).toEqual([[u1, 0, 8, Date.UTC(2026, 0, 10) / 1000]]);
    expect(JSON.parse(fs.readFileSync(path.join(out, "marquee-interactions.json"), "utf8"))).toMatchObject({
      format: "marquee-interactions",
      training: { explicit: false, ratingScale: RATING_SCALE, implicitRatings: "graded" },
      counts: { users: 8, items: 9, rows: 17, parts: 3 },
    });
  });

  // The folder export-interactions wrote, whose itemIds/ names Spark's integer item ids.
  let forSpark: string;
  let itemId: Map<string, number>;
  beforeAll(async () => {
    forSpark = tempDir("for-spark");
    expect((await cli(t.db, ["export-interactions", "--out", forSpark])).code).toBe(0);
    itemId = new Map([...readIdMap(path.join(forSpark, "itemIds")).byId].map(([id, external]) => [external, id]));
  });
  // Two factors: Sci-Fi along the first, comedy along the second; n1 has no
  // interactions, so Spark has no factors for it.
  const factorsOf = (external: string): number[] => (external.startsWith("s") ? [1, 0.1] : external.startsWith("c") ? [0.1, 1] : [-0.5, -0.5]);
  const sparkRows = (): [number, number[] | null][] => ["s1", "s2", "s3", "s4", "c1", "c2", "c3", "j1"].map((id) => [itemId.get(id)!, factorsOf(id)]);

  it("imports Spark's itemFactors (ids through the interactions export's map) as a version that serves MATRIX_FACTORIZATION", async () => {
    const dir = writeSparkModel(tempDir("spark-model"), sparkRows(), 2);
    const before = await versions(t.db);
    const result = await cli(t.db, ["import", "--dir", dir, "--item-ids", forSpark, "--param", "regularization=0.1", "--param", "alpha=1"]);
    expect(result).toMatchObject({ code: 0, stderr: "" });
    const version = before.length + 1;
    expect(result.stdout).toMatch(new RegExp(`^imported 8 items × 2 factors \\(spark-als\\) as ials v${version}, not activated in `));
    expect(result.stdout).toContain(`    weightedRegularization from ${path.join(dir, "metadata", "part-00000")}\n`);
    expect(result.stdout).toContain(`  histories folded in as graded on 0.5..5, from ${path.join(forSpark, "marquee-interactions.json")}\n`);
    expect(result.stdout).toContain(`  serve it with: activateModel(name: "ials", version: ${version})`);
    expect(await versions(t.db)).toEqual([...before, { version, is_active: false }]);

    const models = await server.run(`{ models { name versions { version params givenParams metrics } } }`);
    const v = models.data.models.find((m: { name: string }) => m.name === "ials").versions.find((x: { version: number }) => x.version === version);
    expect(v).toMatchObject({
      params: { nFactors: 2, weightedRegularization: true, regularization: 0.1, alpha: 1 },
      givenParams: { regularization: 0.1, alpha: 1 },
      metrics: { origin: "import", source: { engine: "spark-als", sparkVersion: "3.5.3" }, itemIds: path.join(forSpark, "itemIds") },
    });

    const activated = await server.run(`mutation($v: Int!) { activateModel(name: "ials", version: $v) { version isActive } }`, { v: version });
    expect(activated.data.activateModel).toEqual({ version, isActive: true });
    await modelStoreOf(t.db).reload();
    // u1 liked s1, s2 and s3: the unseen Sci-Fi film comes first, from the factors.
    const recs = await server.run(RECS, { userId: "u1" });
    expect(recs.data.recommendations[0]).toMatchObject({ item: { id: "s4" }, rank: 1, strategy: "MATRIX_FACTORIZATION", });
    expect(recs.data.recommendations[0].reasons[0].__typename).toBe("BecauseYouInteracted");
    expect(JSON.stringify(recs)).not.toMatch(/Fallback|ColdStart/);
    // u4 liked the comedies: none is left, and every Sci-Fi film outranks the jazz album.
    const u4 = (await server.run(RECS, { userId: "u4" })).data.recommendations.map((r: { item: { id: string } }) => r.item.id);
    expect(u4.slice(0, 5).sort()).toEqual(["j1", "s1", "s2", "s3", "s4"].sort());
    expect(u4[4]).toBe("j1");
  });

  it("refuses bad files with a message naming the file and the id, and saves nothing", async () => {
    const before = await versions(t.db);
    const refused = async (dir: string, args: string[] = [], itemIds = forSpark) => {
      const result = await cli(t.db, ["import", "--dir", dir, "--item-ids", itemIds, "--param", "regularization=0.1", "--param", "alpha=1", ...args]);
      expect({ code: result.code, stdout: result.stdout }).toEqual({ code: 1, stdout: "" });
      expect(result.stderr).toMatch(/^model import failed: /);
      expect(result.stderr).not.toMatch(/\n\s+at /);
      return result.stderr.replace(/^model import failed: /, "").trimEnd();
    };
    const part0 = (dir: string) => path.join(dir, "itemFactors", "part-00000-5e1d-c000.snappy.parquet");
    const part1 = (dir: string) => path.join(dir, "itemFactors", "part-00001-5e1d-c000.snappy.parquet");

    // An id the map does not know.
    let dir = writeSparkModel(tempDir("unmapped"), [...sparkRows(), [99, [1, 1]]], 2);
    expect(await refused(dir)).toBe(`1 item id is not in the id map ${path.join(forSpark, "itemIds")}: 99 (${part1(dir)}); nothing was imported`);

    // Ids mapped to items the catalog does not hold (a map from another catalog).
    dir = writeSparkModel(tempDir("unknown"), sparkRows(), 2);
    const foreign = tempDir("foreign-ids");
    const writer = new ParquetDatasetWriter(path.join(foreign, "itemIds"));
    writer.write(idMapTable(Int32Array.from([...itemId.values()]), [...itemId.keys()].map((id) => (id === "c3" || id === "j1" ? `gone-${id}` : id))));
    writer.finish();
    expect(await refused(dir, [], foreign)).toBe(
      `2 items are not in the catalog: "gone-c3" (id ${itemId.get("c3")} in ${part1(dir)}), "gone-j1" (id ${itemId.get("j1")} in ${part1(dir)}); import the catalog first (npm run import) or leave them out of the files; nothing was imported`,
    );

    // Rows of another width than the first, or than Spark's rank.
    dir = writeSparkModel(tempDir("ragged"), sparkRows().map(([id, f], k) => [id, k === 5 ? [1, 2, 3] : f]), 2);
    expect(await refused(dir)).toBe(`${part1(dir)}: item id ${sparkRows()[5][0]} has 3 factors in features, where the rows before it have 2`);
    dir = writeSparkModel(tempDir("rank"), sparkRows(), 3);
    expect(await refused(dir)).toBe(`${part0(dir)}: item id ${sparkRows()[0][0]} has 2 factors in features, where the model has 3`);

    // Numbers that are not.
    dir = writeSparkModel(tempDir("nan"), sparkRows().map(([id, f], k) => [id, k === 2 ? [NaN, 1] : f]), 2);
    expect(await refused(dir)).toBe(`${part0(dir)}: item id ${sparkRows()[2][0]} has NaN at features[0]; every factor must be a finite number (as a float)`);
    dir = writeSparkModel(tempDir("null"), sparkRows().map(([id, f], k) => [id, k === 7 ? null : f]), 2);
    expect(await refused(dir)).toBe(`${part1(dir)}: item id ${sparkRows()[7][0]} has no features (null)`);

    // Missing files and parameters.
    const missing = tempDir("missing");
    expect(await refused(missing)).toBe(`no folder at ${missing}`);
    fs.mkdirSync(missing);
    expect(await refused(missing)).toMatch(new RegExp(`^no item factors in ${missing}: expected ${path.join(missing, "itemFactors")} \\(Parquet part files`));
    dir = writeSparkModel(tempDir("no-map"), sparkRows(), 2);
    expect(await refused(dir, [], path.join(dir, "nowhere"))).toBe(
      `no id map at ${path.join(dir, "nowhere")}: the factors' integer ids must be mapped to the catalog's item ids; give the folder npm run model -- export-interactions wrote for the Spark job with --item-ids <dir>`,
    );
    const noParams = await cli(t.db, ["import", "--dir", dir, "--item-ids", forSpark]);
    expect(noParams.code).toBe(1);
    expect(noParams.stderr).toBe(
      `model import failed: the regularization and alpha the factors were trained with are needed to fold users in, and ${dir} does not record them (Spark's ALSModel keeps only its rank): ` +
        `give --param regularization=… --param alpha=… (Spark's regParam and alpha), or write them into ${path.join(dir, "marquee-model.json")}\n`,
    );
    expect(await refused(dir, ["--param", "alpha=-1"])).toBe("invalid iALS parameter from --param: alpha: must be a number from 0 to 1000000; got -1");

    expect(await versions(t.db)).toEqual(before);
  });

  it("exports a named version, and says clearly what cannot be exported or imported", async () => {
    const out = tempDir("v1");
    expect((await cli(t.db, ["export", "--model", "ials", "--version", "1", "--out", out])).stdout).toMatch(/^exported ials v1: /);
    expect(await cli(t.db, ["export", "--model", "ials", "--version", "99", "--out", out])).toEqual({ code: 1, stdout: "", stderr: "model export failed: ials has no version 99\n" });
    const usage = await cli(t.db, ["export", "--model", "popular", "--out", out]);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/^--model popular: only iALS item factors can be exported \(ials\)\n\nusage: npm run model -- <command>/);
    expect((await cli(t.db, ["import", "--dir", out, "--name", "bpr"])).stderr).toMatch(/^--name bpr: item factors can be imported as ials\n/);
    expect((await cli(t.db, ["import", "--dir", out, "--param", "alpha"])).stderr).toMatch(/^--param must be name=value, e.g. alpha=10; got "alpha"\n/);
    expect((await cli(t.db, ["train"])).stderr).toMatch(/^unknown command "train"; expected export, import or export-interactions\n/);
    expect((await cli(t.db, ["import", "--dir", out, "--activate=yes"])).stderr).toMatch(/^unknown argument "--activate=yes"\n/);
    expect((await cli(t.db, ["--help"])).code).toBe(0);
  });
});

describe.each(databaseTargets())("an imported catalog of 20,000+ items on %s", (target) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await openTestDatabase(target);
  });
  afterAll(async () => t?.dispose());

  it("gets its HNSW index at import, stored with the version, and is served from it like a trained one", async () => {
    const n = 20_000;
    await t.db.sql.query(`INSERT INTO items (external_id, kind, title) SELECT 'bulk-' || g, 'MOVIE', 'Bulk ' || g FROM generate_series(1, ${n}) g`);
    const dir = tempDir("large");
    const rng = createRng(5);
    const factors = Float32Array.from({ length: n * 4 }, () => rng.next() - 0.5);
    // Our own layout, ids in reverse order of the catalog's.
    const ids = Int32Array.from({ length: n }, (_, k) => k);
    writeParquetFile(path.join(dir, "itemFactors", "part-00000.snappy.parquet"), itemFactorsTable(ids, factors, 4));
    writeParquetFile(path.join(dir, "itemIds", "part-00000.snappy.parquet"), idMapTable(ids, Array.from(ids, (k) => `bulk-${n - k}`)));
    const result = await cli(t.db, ["import", "--dir", dir, "--activate", "--param", "regularization=1", "--param", "alpha=1"]);
    expect(result).toMatchObject({ code: 0, stderr: "" });
    expect(result.stdout).toContain(`  histories folded in as graded on 0.5..5, from this server's configuration (MARQUEE_RATING_SCALE, MARQUEE_IMPLICIT_RATINGS)\n`);
    expect(result.stdout).toMatch(/\n {2}HNSW index over the factors stored with the version: \d+\.\d MB, built in \d+\.\d s\n/);
    const store = await loadModelStore(t.db);
    const served = store.get("ials")!;
    expect(served.items.size).toBe(n);
    expect((served.model as IalsModel).servingIndex).toBe("hnsw");
    // Positions follow the catalog (database id) order: bulk-1 first, whose factors were the last row.
    const [first] = await t.db.sql.query<{ id: number }>(`SELECT id FROM items WHERE external_id = 'bulk-1'`);
    expect(served.itemIds[0]).toBe(first.id);
    expect(Array.from((served.model as IalsModel).itemFactors.subarray(0, 4))).toEqual(Array.from(factors.subarray((n - 1) * 4, n * 4)));
    const history = { items: Int32Array.from([0, 1, 2]), values: Float32Array.from([1, 1, 1]) };
    const top = served.model.topHistory!(history, 5, (i) => i < 3);
    // Scored as the exact fold-in scores them, over the items the graph search reaches.
    const exact = served.model.scoreHistory!(history);
    expect(top).toHaveLength(5);
    for (const { item, score } of top) {
      expect(item).toBeGreaterThanOrEqual(3);
      expect(score).toBe(exact[item]);
    }
  }, 120_000);
});

describe("npm run model as a command", () => {
  let dataDir: string;
  beforeAll(async () => {
    dataDir = tempDir("data");
    const db = await createDatabase({ dataDir, pgliteDump: new Blob([fs.readFileSync(templatePath())]) });
    try {
      await importCatalog(db, tinyCatalog());
      await trainModel(db, "ials", { seed: 42, ratingScale: RATING_SCALE, evaluate: false });
    } finally {
      await db.close();
    }
  }, 120_000);

  it("exports through tsx on the embedded database, with exit code 0", async () => {
    const out = tempDir("spawned");
    const env: NodeJS.ProcessEnv = { ...process.env, NODE_OPTIONS: "", LOG_LEVEL: "warn", MARQUEE_DATA_DIR: dataDir };
    delete env.DATABASE_URL;
    const run = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
      const child = spawn(TSX, [CLI, "export", "--model", "ials", "--version", "1", "--out", out], { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (d) => (stdout += d));
      child.stderr.on("data", (d) => (stderr += d));
      child.on("error", reject);
      child.on("close", (code) => resolve({ code, stdout, stderr }));
    });
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: "" });
    expect(run.stdout).toMatch(/^exported ials v1: 9 items × 48 factors to /);
    expect(readParquetFile(path.join(out, "itemFactors", "part-00000.snappy.parquet")).numRows).toBe(9);
  }, 120_000);
});
