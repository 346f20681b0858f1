// MARQUEE_PROCESSES=2 on PostgreSQL: two server processes share the port;
// the demo catalog is loaded once; a process that dies is replaced while the
// other keeps answering; SIGTERM to the primary stops every process. The
// configuration and per-process environment are checked without a database.
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { loadConfig, ConfigError } from "../../src/config";
import { processEnv } from "../../src/cluster";
import { generateDemoCatalog } from "../../src/demo/demoCatalog";
import { databaseTargets, openTestDatabase, type TestDatabase } from "../support/testDatabase";
import { postGraphQL } from "../support/testServer";
import { pollUntil } from "../support/pollUntil";

const ROOT = path.resolve(__dirname, "../..");
const PG = "postgresql://postgres@127.0.0.1:5432/postgres";

describe("MARQUEE_PROCESSES", () => {
  it("is 1 by default, a number of processes, or auto; more than one needs PostgreSQL", () => {
    expect(loadConfig({}).processes).toBe(1);
    expect(loadConfig({ MARQUEE_PROCESSES: "3", DATABASE_URL: PG }).processes).toBe(3);
    expect(loadConfig({ MARQUEE_PROCESSES: "auto", DATABASE_URL: PG }).processes).toBeGreaterThanOrEqual(1);
    expect(() => loadConfig({ MARQUEE_PROCESSES: "2" })).toThrow(new ConfigError('MARQUEE_PROCESSES=2 needs DATABASE_URL: the embedded PGlite database lives in one process'));
    expect(() => loadConfig({ MARQUEE_PROCESSES: "0", DATABASE_URL: PG })).toThrow(/MARQUEE_PROCESSES must be an integer from 1 to 64; got "0"/);
    expect(() => loadConfig({ MARQUEE_PROCESSES: "many", DATABASE_URL: PG })).toThrow(/MARQUEE_PROCESSES must be an integer/);
  });

  it("gives the first process the demo and the job worker, the rest neither, and each a share of the rate limits", () => {
    const config = loadConfig({ MARQUEE_PROCESSES: "3", DATABASE_URL: PG, MARQUEE_RATE_LIMIT_CLIENT: "20", MARQUEE_RATE_LIMIT_SERVICE: "0" });
    const shares = { MARQUEE_PROCESSES: "1", MARQUEE_RATE_LIMIT_CLIENT: "7", MARQUEE_RATE_LIMIT_SERVICE: "0", MARQUEE_RATE_LIMIT_ADMIN: "67" };
    expect(processEnv(config, 0)).toEqual(shares);
    expect(processEnv(config, 2)).toEqual({ ...shares, MARQUEE_DEMO_DATA: "false", MARQUEE_WORKER: "false" });
  });
});

function childrenOf(pid: number): number[] {
  return fs.readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").trim().split(/\s+/).filter(Boolean).map(Number);
}

// Each file's own default timeout and polling interval; a poll that throws (server not up yet) counts as "not yet".
const waitFor = <T,>(what: string, fn: () => Promise<T | undefined | null | false> | T | undefined | null | false, timeoutMs = 60_000) =>
  pollUntil(what, fn, { timeoutMs, intervalMs: 100, ignoreErrors: true });

const postgres = databaseTargets().includes("postgres");

(postgres ? describe : describe.skip)("two server processes on one port (PostgreSQL)", () => {
  let t: TestDatabase;
  let server: ChildProcess;
  let url: string;
  let stdout = "";
  beforeAll(async () => {
    t = await openTestDatabase("postgres");
    const port = 43000 + Math.floor(Math.random() * 2000);
    server = spawn(process.execPath, ["--import", "tsx", "src/index.ts"], {
      cwd: ROOT,
      env: { ...process.env, NODE_OPTIONS: "", DATABASE_URL: t.url, PORT: String(port), HOST: "127.0.0.1", MARQUEE_PROCESSES: "2", MARQUEE_DEMO_DATA: "true", MARQUEE_WORKER: "false", LOG_LEVEL: "silent" },
      stdio: ["ignore", "pipe", "inherit"],
    });
    server.stdout!.on("data", (chunk) => (stdout += String(chunk)));
    url = await waitFor("the ready line", () => /Marquee is ready at (\S+) \(2 processes/.exec(stdout)?.[1], 150_000);
  }, 180_000);
  afterAll(async () => {
    if (server && server.exitCode === null) {
      const exited = new Promise((r) => server.once("exit", r));
      server.kill("SIGKILL");
      await exited;
    }
    await t?.dispose();
  });

  it("loads the demo once, survives a process dying, and stops every process on SIGTERM", async () => {
    const [{ count }] = await t.db.sql.query<{ count: string }>(`SELECT count(*) FROM items`);
    expect(Number(count)).toBe(generateDemoCatalog(42).items.length);
    const before = childrenOf(server.pid!);
    expect(before).toHaveLength(2);
    const recs = { query: `{ recommendations(userId: "demo-user-001", first: 3) { item { id } } }` };
    const first = await postGraphQL(url, recs);
    expect(first.json.errors).toBeUndefined();
    expect(first.json.data.recommendations).toHaveLength(3);

    process.kill(before[1], "SIGKILL");
    const after = await waitFor("a replacement process", () => {
      const now = childrenOf(server.pid!);
      return now.length === 2 && !now.includes(before[1]) ? now : undefined;
    });
    expect(after).toContain(before[0]);
    // Both processes answer the same (each connection is dealt to one of them).
    for (let k = 0; k < 6; k++) expect((await postGraphQL(url, recs)).json).toEqual(first.json);

    const exited = new Promise<number | null>((r) => server.once("exit", (code) => r(code)));
    server.kill("SIGTERM");
    expect(await exited).toBe(0);
    for (const pid of after) expect(() => process.kill(pid, 0)).toThrow();
  }, 120_000);
});
