// importCatalog writes a whole catalog in one transaction and is idempotent;
// `npm run import` wraps it for MovieLens and CSV folders. Checked on every
// target database: counts, a re-import that changes nothing, a changed rating,
// an unlinked feature, a failing import that writes nothing, and the CLI end
// to end (exit codes, summary, messages) on a tiny CSV catalog.
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { main as importMain, parseImportArgs } from "../../src/cli/import";
import { createDatabase } from "../../src/db/createDatabase";
import type { Database } from "../../src/db/Database";
import type { CatalogData } from "../../src/importers/CatalogData";
import { ImportError, importCatalog } from "../../src/services/importService";
import { parseCsvCatalog } from "../../src/importers/csvCatalog";
import { templatePath } from "../support/pgliteTemplate";
import { databaseTargets, openTestDatabase, type TestDatabase } from "../support/testDatabase";

const ROOT = path.resolve(__dirname, "../..");
const TSX = path.join(ROOT, "node_modules/.bin/tsx");
const CLI = path.join(ROOT, "src/cli/import.ts");

function catalog(): CatalogData {
  const at = (day: number) => new Date(Date.UTC(2026, 0, day, 12, 0, 0, 250));
  return {
    users: [
      { externalId: "u1", attributes: { country: "NO" } },
      { externalId: "u2", attributes: { country: null } },
    ],
    items: [
      {
        externalId: "m1",
        kind: "MOVIE",
        title: "The Silent Harbor",
        releaseYear: 2019,
        description: "A keeper of a lighthouse, and a signal.",
        attributes: { studio: "North" },
        features: [
          { facet: "genre", value: "Sci-Fi", weight: 1 },
          { facet: "director", value: "Ada Lane", weight: 1 },
          { facet: "tag", value: "slow burn", weight: 2.5 },
        ],
      },
      {
        externalId: "a1",
        kind: "MUSIC",
        title: "Neon Tides",
        releaseYear: null,
        description: null,
        attributes: {},
        features: [{ facet: "genre", value: "Electronic", weight: 1 }],
      },
      { externalId: "g1", kind: "GAME", title: "Ember Saga", releaseYear: 2024, description: null, attributes: {}, features: [] },
    ],
    interactions: [
      { userExternalId: "u1", itemExternalId: "m1", type: "RATING", value: 4.5, occurredAt: at(1) },
      { userExternalId: "u1", itemExternalId: "m1", type: "VIEW", value: 1, occurredAt: at(1) },
      { userExternalId: "u1", itemExternalId: "a1", type: "PLAY", value: 3, occurredAt: at(2) },
      { userExternalId: "u2", itemExternalId: "g1", type: "PURCHASE", value: 1, occurredAt: at(3) },
      // A user only the interactions name: created with no attributes.
      { userExternalId: "u3", itemExternalId: "m1", type: "RATING", value: 2, occurredAt: at(4) },
    ],
  };
}

interface Counts {
  users: number;
  items: number;
  features: number;
  item_features: number;
  interactions: number;
}

async function counts(db: Database): Promise<Counts> {
  const [row] = await db.sql.query<Counts>(
    `SELECT (SELECT count(*) FROM users)::int AS users, (SELECT count(*) FROM items)::int AS items,
            (SELECT count(*) FROM features)::int AS features, (SELECT count(*) FROM item_features)::int AS item_features,
            (SELECT count(*) FROM interactions)::int AS interactions`,
  );
  return row;
}

async function stamps(db: Database): Promise<string[]> {
  const rows = await db.sql.query<{ s: string }>(
    `SELECT 'u ' || external_id || ' ' || updated_at::text AS s FROM users
     UNION ALL SELECT 'i ' || external_id || ' ' || updated_at::text FROM items ORDER BY 1`,
  );
  return rows.map((r) => r.s);
}

async function featuresOf(db: Database, externalId: string): Promise<string[]> {
  const rows = await db.sql.query<{ f: string }>(
    `SELECT f.facet || ':' || f.value || ':' || fi.weight AS f
       FROM items i JOIN item_features fi ON fi.item_id = i.id JOIN features f ON f.id = fi.feature_id
      WHERE i.external_id = $1 ORDER BY 1`,
    [externalId],
  );
  return rows.map((r) => r.f);
}

describe.each(databaseTargets())("importCatalog on %s", (target) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await openTestDatabase(target);
  });
  afterAll(() => t.dispose());

  it("writes users, items, features and interactions, reporting progress per phase", async () => {
    const phases: string[] = [];
    const summary = await importCatalog(t.db, catalog(), (p) => {
      if (p.done === p.total) phases.push(`${p.phase} ${p.done}`);
    });
    expect(summary).toEqual({ users: 3, items: 3, interactions: { created: 5, updated: 0, unchanged: 0 } });
    expect(phases).toEqual(["users 2", "items 3", "interactions 5"]);
    expect(await counts(t.db)).toEqual({ users: 3, items: 3, features: 4, item_features: 4, interactions: 5 });
    expect(await featuresOf(t.db, "m1")).toEqual(["director:Ada Lane:1", "genre:Sci-Fi:1", "tag:slow burn:2.5"]);
    const u3 = await t.db.prisma.user.findUnique({ where: { externalId: "u3" } });
    expect(u3!.attributes).toEqual({});
    const rating = await t.db.prisma.interaction.findFirst({ where: { user: { externalId: "u1" }, type: "RATING" } });
    expect(rating).toMatchObject({ value: 4.5, occurredAt: new Date(Date.UTC(2026, 0, 1, 12, 0, 0, 250)) });
  });

  it("changes nothing when the same catalog is imported again", async () => {
    const before = await stamps(t.db);
    const countsBefore = await counts(t.db);
    const summary = await importCatalog(t.db, catalog());
    expect(summary).toEqual({ users: 3, items: 3, interactions: { created: 0, updated: 0, unchanged: 5 } });
    expect(await counts(t.db)).toEqual(countsBefore);
    // Not even touched: updated_at would move on any UPDATE.
    expect(await stamps(t.db)).toEqual(before);
  });

  it("updates a changed rating, and only that", async () => {
    const data = catalog();
    data.interactions[0].value = 3.5;
    const summary = await importCatalog(t.db, data);
    expect(summary.interactions).toEqual({ created: 0, updated: 1, unchanged: 4 });
    const rating = await t.db.prisma.interaction.findFirst({ where: { user: { externalId: "u1" }, item: { externalId: "m1" }, type: "RATING" } });
    expect(rating!.value).toBe(3.5);
    expect((await counts(t.db)).interactions).toBe(5);
  });

  it("unlinks a feature removed from an item, keeps the feature, and touches only that item", async () => {
    const data = catalog();
    data.interactions[0].value = 3.5;
    data.items[0].features = data.items[0].features.filter((f) => f.facet !== "tag");
    data.items[0].features[0] = { ...data.items[0].features[0], weight: 0.5 };
    const before = await stamps(t.db);
    const summary = await importCatalog(t.db, data);
    expect(summary.interactions).toEqual({ created: 0, updated: 0, unchanged: 5 });
    expect(await featuresOf(t.db, "m1")).toEqual(["director:Ada Lane:1", "genre:Sci-Fi:0.5"]);
    expect(await featuresOf(t.db, "a1")).toEqual(["genre:Electronic:1"]);
    expect(await counts(t.db)).toMatchObject({ features: 4, item_features: 3 });
    // m1's features changed, so m1's updated_at moved (another replica's
    // catalog cache sees it on its next refresh); nothing else was touched.
    const after = await stamps(t.db);
    expect(after.filter((s) => !s.startsWith("i m1 "))).toEqual(before.filter((s) => !s.startsWith("i m1 ")));
    expect(after.find((s) => s.startsWith("i m1 "))).not.toEqual(before.find((s) => s.startsWith("i m1 ")));
  });

  it("writes nothing at all when an interaction names an unknown item", async () => {
    const before = await counts(t.db);
    const stampsBefore = await stamps(t.db);
    const data = catalog();
    data.users.push({ externalId: "u-new", attributes: {} });
    data.items.push({ externalId: "new-item", kind: "BOOK", title: "New", releaseYear: null, description: null, attributes: {}, features: [{ facet: "genre", value: "New", weight: 1 }] });
    data.items[1].title = "Neon Tides (remastered)";
    data.interactions.push({ userExternalId: "u-new", itemExternalId: "nope", type: "VIEW", value: 1, occurredAt: new Date(Date.UTC(2026, 1, 1)) });
    data.interactions.push({ userExternalId: "u1", itemExternalId: "new-item", type: "VIEW", value: 1, occurredAt: new Date(Date.UTC(2026, 1, 1)) });
    const failure = importCatalog(t.db, data);
    await expect(failure).rejects.toThrow(ImportError);
    await expect(failure).rejects.toThrow(/user u-new names unknown item nope/);
    expect(await counts(t.db)).toEqual(before);
    expect(await stamps(t.db)).toEqual(stampsBefore);
    expect(await t.db.prisma.item.findUnique({ where: { externalId: "a1" } })).toMatchObject({ title: "Neon Tides" });
  });

  it("merges repeats of one event across the whole source: the last value wins", async () => {
    const data = catalog();
    const at = new Date(Date.UTC(2026, 2, 1));
    data.interactions.push(
      { userExternalId: "u2", itemExternalId: "a1", type: "RATING", value: 1, occurredAt: at },
      ...data.interactions.slice(0, 2),
      { userExternalId: "u2", itemExternalId: "a1", type: "RATING", value: 5, occurredAt: at },
    );
    data.interactions[0].value = 3.5;
    const summary = await importCatalog(t.db, data);
    expect(summary.interactions).toEqual({ created: 1, updated: 0, unchanged: 5 });
    const merged = await t.db.prisma.interaction.findMany({ where: { user: { externalId: "u2" }, item: { externalId: "a1" } } });
    expect(merged.map((i) => i.value)).toEqual([5]);
  });

  it("refuses a rating outside the given scale before writing anything", async () => {
    const before = await counts(t.db);
    const data = catalog();
    data.interactions.push({ userExternalId: "u-new", itemExternalId: "m1", type: "RATING", value: 8, occurredAt: new Date(Date.UTC(2026, 3, 1)) });
    const failure = importCatalog(t.db, data, undefined, { ratingScale: { min: 0.5, max: 5 } });
    await expect(failure).rejects.toThrow(new ImportError("rating 8 of user u-new for item m1 is outside the rating scale 0.5..5 (MARQUEE_RATING_SCALE)"));
    expect(await counts(t.db)).toEqual(before);
  });

  it("stores events without a time in file order and writes nothing new when the file is imported again", async () => {
    const data = parseCsvCatalog({
      items: "external_id,kind,title,features\nt1,MUSIC,One,genre:rock\\|pop|tag:AC\\DC\nt2,MUSIC,Two,\nt3,MUSIC,Three,\n",
      interactions: "user_id,item_id,type,value\nlistener,t2,PLAY,5\nlistener,t1,PLAY,\nlistener,t3,RATING,4\nlistener,t2,PLAY,2\n",
    });
    expect((await importCatalog(t.db, data)).interactions).toEqual({ created: 4, updated: 0, unchanged: 0 });
    expect((await importCatalog(t.db, data)).interactions).toEqual({ created: 0, updated: 0, unchanged: 4 });
    const history = await t.db.sql.query<{ item: string; type: string; value: number; at: string }>(
      `SELECT it.external_id AS item, i.type::text AS type, i.value, to_char(i.occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.MS') AS at
         FROM interactions i JOIN users u ON u.id = i.user_id JOIN items it ON it.id = i.item_id
        WHERE u.external_id = 'listener' ORDER BY i.occurred_at, i.id`,
    );
    expect(history).toEqual([
      { item: "t2", type: "PLAY", value: 5, at: "1970-01-01 00:00:00.000" },
      { item: "t1", type: "PLAY", value: 1, at: "1970-01-01 00:00:00.001" },
      { item: "t3", type: "RATING", value: 4, at: "1970-01-01 00:00:00.002" },
      { item: "t2", type: "PLAY", value: 2, at: "1970-01-01 00:00:00.003" },
    ]);
    expect(await featuresOf(t.db, "t1")).toEqual(["genre:rock|pop:1", "tag:AC\\DC:1"]);
  });
});

// ---------------------------------------------------------------------------
// The CLI

function writeCatalog(dir: string, files: Record<string, string>): string {
  fs.mkdirSync(dir, { recursive: true });
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
  return dir;
}

const GOOD_CSV = {
  "items.csv": [
    "external_id,kind,title,release_year,description,features",
    'm1,MOVIE,The Silent Harbor,2019,"A keeper of a lighthouse, and a signal.",genre:Sci-Fi|director:Ada Lane|tag:slow burn:2.5',
    "a1,MUSIC,Neon Tides,2021,,genre:Electronic|artist:Nova Lane",
    "g1,GAME,Ember Saga,2024,,genre:RPG|platform:PC|platform:Switch",
    "",
  ].join("\n"),
  "users.csv": "external_id,country\nu1,NO\nu2,SE\n",
  "interactions.csv": [
    "user_id,item_id,type,value,occurred_at",
    "u1,m1,RATING,4.5,2024-03-01T20:15:00Z",
    "u1,a1,PLAY,3,2024-03-02",
    "u2,g1,PURCHASE,,1709296200",
    "u3,m1,VIEW,,2024-03-03 10:00:00.250+02:00",
    "",
  ].join("\n"),
};

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runCli(args: string[], env: Record<string, string | undefined>): Promise<Run> {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, NODE_OPTIONS: "", LOG_LEVEL: "warn" };
  delete childEnv.DATABASE_URL;
  delete childEnv.MARQUEE_DATA_DIR;
  for (const [k, v] of Object.entries(env)) if (v !== undefined) childEnv[k] = v;
  return new Promise((resolve, reject) => {
    const child = spawn(TSX, [CLI, ...args], { cwd: ROOT, env: childEnv, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

describe.each(databaseTargets())("npm run import -- csv on %s", (target) => {
  let t: TestDatabase | undefined;
  let env: Record<string, string>;
  let dataDir: string | undefined;
  beforeAll(async () => {
    if (target === "postgres") {
      t = await openTestDatabase("postgres");
      env = { DATABASE_URL: t.url! };
    } else {
      // Start the folder from the migrated template: a fresh folder's initdb
      // costs PGlite seconds that say nothing about the CLI.
      dataDir = tempDir("marquee-import-cli-");
      const seed = await createDatabase({ dataDir, pgliteDump: new Blob([fs.readFileSync(templatePath())]) });
      await seed.close();
      env = { MARQUEE_DATA_DIR: dataDir };
    }
  });
  afterAll(async () => {
    await t?.dispose();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  // Two runs of a child process that loads Prisma (and PGlite): slow on a busy machine.
  it("imports a CSV catalog, then re-running it changes nothing", async () => {
    const dir = writeCatalog(tempDir("marquee-csv-"), GOOD_CSV);
    const first = await runCli(["csv", dir], env);
    expect({ code: first.code, stderr: first.stderr }).toMatchObject({ code: 0 });
    expect(first.stdout).toContain(`imported CSV catalog from ${dir}`);
    expect(first.stdout).toMatch(/users\s+3 \(3 created\)/);
    expect(first.stdout).toMatch(/items\s+3 \(3 created\)/);
    expect(first.stdout).toMatch(/interactions\s+4 created, 0 updated, 0 unchanged/);
    expect(first.stdout).toMatch(/time\s+parse \d+\.\d\d s, write \d+\.\d\d s, total \d+\.\d\d s/);
    expect(first.stderr).toMatch(/writing interactions: done 4 interactions/);

    const second = await runCli(["csv", dir], env);
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/users\s+3 \(0 created\)/);
    expect(second.stdout).toMatch(/items\s+3 \(0 created\)/);
    expect(second.stdout).toMatch(/interactions\s+0 created, 0 updated, 4 unchanged/);

    // What landed, read back from the database the CLI wrote to.
    const db = t ? t.db : await createDatabase({ dataDir });
    try {
      expect(await counts(db)).toEqual({ users: 3, items: 3, features: 8, item_features: 8, interactions: 4 });
      expect(await featuresOf(db, "m1")).toEqual(["director:Ada Lane:1", "genre:Sci-Fi:1", "tag:slow burn:2.5"]);
    } finally {
      if (!t) await db.close();
    }
    fs.rmSync(dir, { recursive: true, force: true });
  }, 180_000);
});

describe("npm run import: bad input and usage", () => {
  it("exits 1 on a broken CSV catalog, naming every problem's file and line, without a stack", async () => {
    const dir = writeCatalog(tempDir("marquee-csv-bad-"), {
      "items.csv": "external_id,kind,title\nm1,MOVIE,Harbor\nm2,FILM,Two\nm3,MOVIE,Three,extra\n",
      "interactions.csv": "user_id,item_id,type,value,occurred_at\nu1,m1,RATING,4,2024-02-30\n",
    });
    const dataDir = tempDir("marquee-import-cli-bad-");
    const run = await runCli(["csv", dir], { MARQUEE_DATA_DIR: dataDir });
    expect(run.code).toBe(1);
    expect(run.stdout).toBe("");
    expect(run.stderr).toContain(`import failed: CSV catalog in ${dir} has`);
    expect(run.stderr).toMatch(/items\.csv line 3, column "kind": unknown kind.*\(got "FILM"\)/);
    expect(run.stderr).toMatch(/items\.csv line 4: expected 3 fields/);
    expect(run.stderr).toMatch(/interactions\.csv line 2, column "occurred_at"/);
    expect(run.stderr).not.toMatch(/\n\s+at /);
    // Bad input is caught before the database is opened.
    expect(fs.readdirSync(dataDir)).toEqual([]);
    fs.rmSync(dir, { recursive: true, force: true });
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  function capture() {
    const out: string[] = [];
    return { out, stream: { isTTY: false, write: (s: string) => out.push(s) } };
  }

  it("exits 1 naming file, line and value when ratings lie outside MARQUEE_RATING_SCALE, writing nothing (in process)", async () => {
    const dataDir = tempDir("marquee-import-cli-scale-");
    const csv = writeCatalog(tempDir("marquee-csv-scale-"), {
      "items.csv": "external_id,kind,title\nm1,MOVIE,Harbor\n",
      "interactions.csv": "user_id,item_id,type,value\nu1,m1,RATING,4\nu2,m1,RATING,8\n",
    });
    const err = capture();
    expect(await importMain(["csv", csv], { stdout: capture().stream, stderr: err.stream, env: { MARQUEE_DATA_DIR: dataDir } })).toBe(1);
    expect(err.out.join("")).toBe(
      `import failed: CSV catalog in ${csv} has 1 problem:\n  interactions.csv line 3, column "value": rating outside the rating scale 0.5..5 (MARQUEE_RATING_SCALE) (got "8")\n`,
    );
    // The same file on a 0..10 scale would read; MovieLens under a whole-star scale refuses its half stars.
    const latest = writeCatalog(tempDir("marquee-mlsmall-scale-"), {
      "movies.csv": "movieId,title,genres\n1,Toy Story (1995),Comedy\n",
      "ratings.csv": "userId,movieId,rating,timestamp\n1,1,4.0,964982703\n2,1,0.5,964982704\n",
    });
    const ml = capture();
    expect(await importMain(["movielens-latest", latest], { stdout: capture().stream, stderr: ml.stream, env: { MARQUEE_DATA_DIR: dataDir, MARQUEE_RATING_SCALE: "1..5" } })).toBe(1);
    expect(ml.out.join("")).toBe(
      `import failed: MovieLens latest in ${latest}: ratings.csv: 1 rating outside the rating scale 1..5 (MARQUEE_RATING_SCALE): line 3 (got 0.5). Nothing was written; set MARQUEE_RATING_SCALE to the scale the data uses (e.g. 1..10)\n`,
    );
    // Refused while reading: the database was never opened.
    expect(fs.readdirSync(dataDir)).toEqual([]);
    for (const dir of [dataDir, csv, latest]) fs.rmSync(dir, { recursive: true, force: true });
  });

  it("exits 2 with the usage on a usage error (in process)", async () => {
    const err = capture();
    expect(await importMain(["tsv", "/tmp"], { stdout: capture().stream, stderr: err.stream, env: {} })).toBe(2);
    expect(err.out.join("")).toContain('Unknown source "tsv"; expected movielens-100k, movielens-latest, csv');
    expect(err.out.join("")).toContain("usage: npm run import -- <source> [dir]");
    const out = capture();
    expect(await importMain(["--help"], { stdout: out.stream, stderr: capture().stream, env: {} })).toBe(0);
    expect(out.out.join("")).toContain("usage: npm run import -- <source> [dir]");
  });

  it("names the absent folder or files (in process)", async () => {
    const err = capture();
    const code = await importMain(["movielens-100k", "/nonexistent/ml-100k"], { stdout: capture().stream, stderr: err.stream, env: {} });
    expect(code).toBe(1);
    expect(err.out.join("")).toBe("import failed: No folder at /nonexistent/ml-100k (MovieLens 100K expected there)\n");

    const half = writeCatalog(tempDir("marquee-ml-"), { "u.data": "1\t1\t5\t881250949\n" });
    const err2 = capture();
    expect(await importMain(["movielens-100k", half], { stdout: capture().stream, stderr: err2.stream, env: {} })).toBe(1);
    expect(err2.out.join("")).toBe(
      `import failed: MovieLens 100K in ${half} is incomplete: missing ${["u.item", "u.genre", "u.user"].map((f) => path.join(half, f)).join(", ")}\n`,
    );
    const err3 = capture();
    expect(await importMain(["csv", half], { stdout: capture().stream, stderr: err3.stream, env: {} })).toBe(1);
    expect(err3.out.join("")).toContain(`missing ${path.join(half, "items.csv")}`);
    fs.rmSync(half, { recursive: true, force: true });
  });

  it("parses arguments: MovieLens folders default to the shared datasets, csv needs one", () => {
    expect(parseImportArgs(["movielens-100k"])).toEqual({ source: "movielens-100k", dir: path.resolve(ROOT, "../shared/datasets/ml-100k") });
    expect(parseImportArgs(["movielens-latest"])).toEqual({ source: "movielens-latest", dir: path.resolve(ROOT, "../shared/datasets/ml-latest-small") });
    expect(parseImportArgs(["csv", "cat"], "/data")).toEqual({ source: "csv", dir: "/data/cat" });
    expect(parseImportArgs(["--help"])).toBe("help");
    expect(() => parseImportArgs([])).toThrow(/Name a source/);
    expect(() => parseImportArgs(["csv"])).toThrow(/csv needs the folder to read/);
    expect(() => parseImportArgs(["csv", "a", "b"])).toThrow(/Unexpected argument "b"/);
    expect(() => parseImportArgs(["csv", "a", "--fast"])).toThrow(/Unknown option --fast/);
  });
});
