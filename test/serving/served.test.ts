// `npm run evaluate -- --served` end to end on a tiny dataset: the fold's
// training part imported into a scratch database, models trained by
// trainModel, the real server asked over HTTP for every test user, and the
// lists scored beside the offline evaluator's. What the server returns must be
// the stored model's own fold-in lists, list for list, so the served and
// in-process figures are equal; the offline figure is computed for the same fold.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { loadConfig } from "../../src/config";
import { main, parseServedArgs } from "../../src/cli/evaluate";
import { runServedEvaluation, type ServedReport } from "../../src/cli/evaluateServed";
import { databaseTargets } from "../support/testDatabase";

// 30 users in three taste groups of 8 films each; every user rates 6 films of
// their group (4 or 5 stars) and 3 others (1 to 3 stars), one a minute.
function writeTinyDataset(dir: string): void {
  let state = 12345;
  const next = () => (state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const movies = ["movieId,title,genres"];
  for (let i = 1; i <= 24; i++) movies.push(`${i},Film ${i} (2001),${["Drama", "Comedy", "Sci-Fi"][Math.floor((i - 1) / 8)]}`);
  const ratings = ["userId,movieId,rating,timestamp"];
  let t = 1_000_000_000;
  for (let u = 1; u <= 30; u++) {
    const group = u % 3;
    const own = Array.from({ length: 8 }, (_, k) => group * 8 + k + 1).sort(() => next() - 0.5).slice(0, 6);
    const others = Array.from({ length: 24 }, (_, k) => k + 1).filter((i) => Math.floor((i - 1) / 8) !== group).sort(() => next() - 0.5).slice(0, 3);
    for (const i of own) ratings.push(`${u},${i},${4 + Math.round(next())},${(t += 60)}`);
    for (const i of others) ratings.push(`${u},${i},${1 + Math.round(next() * 2)},${(t += 60)}`);
  }
  writeFileSync(join(dir, "movies.csv"), `${movies.join("\r\n")}\r\n`);
  writeFileSync(join(dir, "ratings.csv"), `${ratings.join("\r\n")}\r\n`);
}

const sink = () => {
  const out: string[] = [];
  return { out, stream: { write: (s: string) => (out.push(s), true), isTTY: false } };
};

describe.each(databaseTargets())("served check on %s", (target) => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "marquee-served-"));
    writeTinyDataset(dir);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("serves every test user the stored model's own lists, scores them, and puts the offline figure beside them", async () => {
    const config = loadConfig(target === "postgres" ? { DATABASE_URL: process.env.DATABASE_URL } : {});
    const before = target === "postgres" ? await databases() : [];
    const stdout = sink();
    const stderr = sink();
    const json = join(dir, "served.json");
    const report: ServedReport = await runServedEvaluation(
      { ...parseServedArgs(["--served", "--dataset", dir, "--models", "hybrid,popular", "--explain", "--liked", "4", "--users-per-request", "7", "--json", json]) },
      config,
      { stdout: stdout.stream, stderr: stderr.stream, plainProgress: true },
    );
    expect(report).toMatchObject({ dataset: "ml-latest-small", protocol: "gorse-5fold", fold: 0, seed: 0, ratingScale: { min: 0.5, max: 5 }, implicitRatings: "graded", liked: 4 });
    expect(report.results.map((r) => [r.model, r.strategy])).toEqual([["hybrid", "HYBRID"], ["popular", "POPULAR"]]);
    for (const r of report.results) {
      expect(r.users).toBeGreaterThan(20);
      expect(r.requests).toBe(Math.ceil(r.users / 7));
      // HTTP adds nothing: every served list is the in-process fold-in list.
      expect(r.coldUsers).toBe(0);
      expect(r.identicalLists).toBe(r.users);
      expect(r.served).toEqual(r.foldIn);
      for (const figures of [r.offline, r.trained!, r.served]) {
        for (const name of ["precision@10", "recall@10", "map@10", "ndcg@10", "mrr@10", "coverage"] as const) {
          expect(figures[name]).toBeGreaterThanOrEqual(0);
          expect(figures[name]).toBeLessThanOrEqual(1);
        }
      }
      expect(r.served["ndcg@10"]).toBeGreaterThan(0);
      expect(r.served["ndcg@10 liked"]).toBeGreaterThan(0);
    }
    // Popularity has no user state: trained, folded in and offline rank alike.
    const popular = report.results[1];
    expect(popular.trained).toEqual(popular.served);
    expect(popular.offline["ndcg@10"]).toBeCloseTo(popular.served["ndcg@10"], 10);
    expect(stdout.out.join("")).toMatch(/\| hybrid \(HYBRID\) \| \d+ \| offline evaluator \| 0\.\d{4} \|/);
    expect(stdout.out.join("")).toMatch(/\| {2}\| {2}\| \*\*served over HTTP\*\* \|/);
    expect(JSON.parse(readFileSync(json, "utf8"))).toEqual(JSON.parse(JSON.stringify(report)));
    // The scratch database is gone.
    if (target === "postgres") expect(await databases()).toEqual(before);
  }, 180_000);
});

async function databases(): Promise<string[]> {
  const c = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await c.connect();
  try {
    return (await c.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname LIKE '%\\_served\\_%' ORDER BY datname`)).rows.map((r) => r.datname);
  } finally {
    await c.end();
  }
}

describe("evaluate --served arguments", () => {
  it("parses its options and refuses what it cannot serve", async () => {
    expect(parseServedArgs(["--served", "--fold", "2", "--implicit-ratings", "threshold:3.5", "--rating-scale", "1..5"])).toMatchObject({
      protocol: "gorse-5fold",
      fold: 2,
      models: ["hybrid"],
      implicitRatings: { kind: "threshold", rating: 3.5 },
      ratingScale: { min: 1, max: 5 },
      explain: false,
    });
    expect(() => parseServedArgs(["--served", "--protocol", "surprise-5fold"])).toThrow('--served needs one ranking protocol (msr-stratified, gorse-5fold); got "surprise-5fold"');
    expect(() => parseServedArgs(["--served", "--implicit-ratings", "median"])).toThrow('--implicit-ratings must be graded, user-mean, midpoint or threshold:<rating>; got "median"');
    expect(() => parseServedArgs(["--served", "--rating-scale", "5..1"])).toThrow(/--rating-scale must look like/);
    expect(() => parseServedArgs(["--served", "--out", "x"])).toThrow("Unknown option --out with --served");
    const err = sink();
    // EASE is a part of the hybrid: the API has no strategy that serves it alone.
    expect(await main(["--served", "--models", "ease"], { stdout: sink().stream, stderr: err.stream })).toBe(2);
    expect(err.out.join("")).toMatch(/^ease serves no strategy of its own/);
    const both = sink();
    expect(await main(["--served", "--models", "ials,bpr"], { stdout: sink().stream, stderr: both.stream })).toBe(2);
    expect(both.out.join("")).toMatch(/^ials and bpr both serve MATRIX_FACTORIZATION; evaluate them in separate runs/);
  });
});
