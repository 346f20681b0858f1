// On PostgreSQL a server runs its job worker as a child process: a training
// job is taken by another pid than the server's, the server keeps answering
// while it runs, reloads as soon as the child activates, and stopping the
// server stops the child.
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { databaseTargets, openTestDatabase, type TestDatabase } from "../support/testDatabase";
import { postGraphQL } from "../support/testServer";
import { pollUntil } from "../support/pollUntil";

const ROOT = path.resolve(__dirname, "../..");
const targets = databaseTargets().filter((t) => t === "postgres");

// Each file's own default timeout and polling interval; a poll that throws (server not up yet) counts as "not yet".
const waitFor = <T,>(what: string, fn: () => Promise<T | undefined | null | false> | T | undefined | null | false, timeoutMs = 60_000) =>
  pollUntil(what, fn, { timeoutMs, intervalMs: 100, ignoreErrors: true });

(targets.length > 0 ? describe : describe.skip)("the job worker as a child process (PostgreSQL)", () => {
  let t: TestDatabase;
  let server: ChildProcess;
  let url: string;
  beforeAll(async () => {
    t = await openTestDatabase("postgres");
    const port = 41000 + Math.floor(Math.random() * 2000);
    url = `http://127.0.0.1:${port}/graphql`;
    server = spawn(process.execPath, ["--import", "tsx", "src/index.ts"], {
      cwd: ROOT,
      env: { ...process.env, NODE_OPTIONS: "", DATABASE_URL: t.url, PORT: String(port), HOST: "127.0.0.1", MARQUEE_DEMO_DATA: "true", LOG_LEVEL: "warn", MARQUEE_JOB_POLL_INTERVAL_MS: "100" },
      stdio: ["ignore", "ignore", "inherit"],
    });
    await waitFor("the server", async () => (await fetch(url.replace("/graphql", "/readyz"))).ok, 120_000);
  }, 150_000);
  afterAll(async () => {
    if (server && server.exitCode === null) {
      const exited = new Promise((r) => server.once("exit", r));
      server.kill("SIGTERM");
      await exited;
    }
    await t?.dispose();
  });

  it("trains in another process, reloads at once on activation, and stops with the server", async () => {
    const queued = await postGraphQL(url, { query: `mutation { trainModel(name: "popular", seed: 3) { id } }` });
    const id = queued.json.data.trainModel.id;
    const job = await waitFor("the job", async () => {
      const r = await postGraphQL(url, { query: `query($id: ID!) { job(id: $id) { status modelVersion { version } } }`, variables: { id } });
      return r.json.data.job.status === "SUCCEEDED" ? r.json.data.job : undefined;
    });
    const [row] = await t.db.sql.query<{ locked_by: string }>(`SELECT locked_by FROM jobs WHERE id = $1`, [Number(id)]);
    const workerPid = Number(row.locked_by.split(":")[1]);
    expect(workerPid).not.toBe(server.pid);
    expect(Number.isInteger(workerPid)).toBe(true);
    // The child told the server: it serves the new version well before a watcher tick (5 s).
    await waitFor("the new version served", async () => {
      const r = await postGraphQL(url, { query: `{ activeModels { name version } }` });
      return r.json.data.activeModels.some((m: { name: string; version: number }) => m.name === "popular" && m.version === job.modelVersion.version);
    }, 3000);
    const exited = new Promise((r) => server.once("exit", r));
    server.kill("SIGTERM");
    await exited;
    // The worker process is gone too.
    await waitFor("the worker to exit", async () => {
      try {
        process.kill(workerPid, 0);
        return false;
      } catch {
        return true;
      }
    }, 35_000);
  }, 120_000);
});
