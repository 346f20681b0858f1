// `DATABASE_URL=... npm run bench:queue -- [--jobs 300] [--latency 20] [--rounds 3]`:
// the project's job queue (src/jobs/JobWorker.ts, src/db/jobRepository.ts)
// against pg-boss 10 and graphile-worker on the same PostgreSQL, in one
// process, candidates alternating within each round. Trivial jobs (the
// handler returns at once), one job at a time per worker (as training runs):
//
// - enqueue→start latency: one job queued, the time until its handler
//   starts; then a seeded pause of 0–1000 ms so the next job lands at a
//   random point of the polling cycle. "wake" candidates are told of the job by the
//   process that queued it (ours: wakeWorkers, as the trainModel mutation
//   does; pg-boss: notifyWorker); "poll" candidates find it by polling once a
//   second (a job queued by another replica); graphile-worker is woken by
//   LISTEN/NOTIFY in every case.
// - throughput: `--jobs` jobs queued one call each (enqueue rate), then a
//   worker started and timed until it has run them all. pg-boss 10's worker
//   fetches one batch (batchSize, 1 here) per polling interval whether or
//   not the last fetch found jobs (src/worker.js), so it runs 1 job a second
//   here: it is given 10 jobs, not `--jobs`.
//
// `npm run bench:queue -- --pglite`: whether each runs on the embedded
// PGlite (a fresh in-memory database each, one session): start time, five
// jobs queued and woken, and a queued job cancelled. pg-boss takes PGlite
// through its `db` option (executeSql); graphile-worker wants a pg.Pool and
// gets a stand-in over the one PGlite session (pgliteAsPool below, not a
// supported configuration of the library: every "client" shares one session,
// so one client's transaction is every client's).
//
// The libraries are not dependencies: install them for a run with
//   npm install --no-save pg-boss@10.4.2 graphile-worker@0.18.0
// Each keeps its tables in a schema of its own (pgboss_bench,
// graphile_worker); ours uses the jobs table with a job kind of its own.
import pg from "pg";
import { loadConfig } from "../config";
import { createDatabase } from "../db/createDatabase";
import type { Database } from "../db/Database";
import { cancelJob, enqueueJob } from "../db/jobRepository";
import { migrate } from "../db/migrate";
import { createRng } from "../engine/random";
import { JobWorker } from "../jobs/JobWorker";
import { wakeWorkers } from "../jobs/jobSignals";
import { createLogger } from "../logger";

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s[Math.min(s.length - 1, Math.floor(q * s.length))];
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function optional(name: string): any {
  try {
    return require(name);
  } catch (error) {
    throw new Error(`${name} is not installed (${(error as Error).message.split("\n")[0]}): npm install --no-save pg-boss@10.4.2 graphile-worker@0.18.0`);
  }
}

// A queue under test: a worker running `onJob` for each job, and a way to queue one.
interface Running {
  enqueue(n: number): Promise<void>;
  stop(): Promise<void>;
}
type Candidate = (url: string, db: Database, onJob: (n: number) => void) => Promise<Running>;

const KIND = "bench-noop";
const POLL_MS = 1000;

function ours(wake: boolean): Candidate {
  return async (_url, db, onJob) => {
    const worker = new JobWorker(
      db,
      {
        [KIND]: async (payload) => {
          onJob(Number(payload.n));
          return {};
        },
      },
      { logger: createLogger("silent"), pollIntervalMs: POLL_MS },
    );
    worker.start();
    return {
      enqueue: async (n) => {
        await enqueueJob(db, KIND, { n });
        if (wake) wakeWorkers(db);
      },
      stop: () => worker.stop(),
    };
  };
}

function pgBoss(notify: boolean): Candidate {
  return async (url, _db, onJob) => {
    const PgBoss = optional("pg-boss");
    const boss = new PgBoss({ connectionString: url, schema: "pgboss_bench", schedule: false, max: 4 });
    boss.on("error", (e: Error) => process.stderr.write(`pg-boss: ${e.message}\n`));
    await boss.start();
    await boss.createQueue(KIND);
    const workerId: string = await boss.work(KIND, { pollingIntervalSeconds: POLL_MS / 1000, batchSize: 1 }, async ([job]: { data: { n: number } }[]) => {
      onJob(job.data.n);
    });
    return {
      enqueue: async (n) => {
        await boss.send(KIND, { n });
        if (notify) boss.notifyWorker(workerId);
      },
      stop: () => boss.stop({ graceful: true, wait: true, close: true }),
    };
  };
}

const graphile: Candidate = async (url, _db, onJob) => {
  const gw = optional("graphile-worker");
  const pool = new pg.Pool({ connectionString: url, max: 4 });
  pool.on("error", () => undefined);
  const runner = await gw.run({
    pgPool: pool,
    concurrency: 1,
    noHandleSignals: true,
    pollInterval: POLL_MS,
    logger: new gw.Logger(() => () => undefined),
    taskList: { [KIND]: async (payload: { n: number }) => onJob(payload.n) },
  });
  return {
    enqueue: (n) => runner.addJob(KIND, { n }).then(() => undefined),
    stop: async () => {
      await runner.stop();
      await pool.end();
    },
  };
};

const candidates: Record<string, Candidate> = {
  "ours (wake)": ours(true),
  "ours (poll 1 s)": ours(false),
  "pg-boss 10 (notifyWorker)": pgBoss(true),
  "pg-boss 10 (poll 1 s)": pgBoss(false),
  "graphile-worker (LISTEN/NOTIFY)": graphile,
};

interface Measure {
  latencyMs: number[];
  enqueuePerSecond: number;
  runPerSecond: number;
}

async function measure(name: string, url: string, db: Database, nLatency: number, jobsAsked: number, seed: number): Promise<Measure> {
  const nJobs = name.startsWith("pg-boss") ? Math.min(10, jobsAsked) : jobsAsked;
  const waiting = new Map<number, () => void>();
  let ran = 0;
  let allRan: (() => void) | undefined;
  const onJob = (n: number) => {
    ran++;
    waiting.get(n)?.();
    if (ran === nJobs) allRan?.();
  };
  const rng = createRng(seed);
  // Latency: one job at a time.
  let running = await candidates[name](url, db, onJob);
  await sleep(200);
  const latencyMs: number[] = [];
  for (let k = 0; k < nLatency; k++) {
    const n = -1 - k;
    const started = new Promise<void>((resolve) => waiting.set(n, resolve));
    const t = performance.now();
    await running.enqueue(n);
    await started;
    latencyMs.push(performance.now() - t);
    await sleep(rng.next() * 1000);
  }
  await running.stop();
  // Throughput: queue nJobs with no worker running, then run them all.
  ran = 0;
  const enqueuer = await enqueueOnly(name, url, db);
  const t0 = performance.now();
  for (let n = 0; n < nJobs; n++) await enqueuer.enqueue(n);
  const enqueueSeconds = (performance.now() - t0) / 1000;
  await enqueuer.stop();
  const done = new Promise<void>((resolve) => (allRan = resolve));
  const t1 = performance.now();
  running = await candidates[name](url, db, onJob);
  await done;
  const runSeconds = (performance.now() - t1) / 1000;
  await running.stop();
  return { latencyMs, enqueuePerSecond: nJobs / enqueueSeconds, runPerSecond: nJobs / runSeconds };
}

// Queues jobs the way each candidate's producer does, without a worker.
async function enqueueOnly(name: string, url: string, db: Database): Promise<Running> {
  if (name.startsWith("ours")) return { enqueue: (n) => enqueueJob(db, KIND, { n }).then(() => undefined), stop: async () => undefined };
  if (name.startsWith("pg-boss")) {
    const PgBoss = optional("pg-boss");
    const boss = new PgBoss({ connectionString: url, schema: "pgboss_bench", schedule: false, supervise: false, max: 2 });
    await boss.start();
    return { enqueue: (n) => boss.send(KIND, { n }).then(() => undefined), stop: () => boss.stop({ graceful: false, wait: true, close: true }) };
  }
  const gw = optional("graphile-worker");
  const utils = await gw.makeWorkerUtils({ connectionString: url });
  return { enqueue: (n) => utils.addJob(KIND, { n }).then(() => undefined), stop: () => utils.release() };
}

// A pg.Pool look-alike over one PGlite session, for graphile-worker.
function pgliteAsPool(lite: any): unknown {
  const { EventEmitter } = require("node:events");
  const query = async (textOrConfig: string | { text: string; values?: unknown[] }, values?: unknown[]) => {
    const text = typeof textOrConfig === "string" ? textOrConfig : textOrConfig.text;
    const vals = typeof textOrConfig === "string" ? values : (textOrConfig.values ?? values);
    const r = vals && vals.length > 0 ? await lite.query(text, vals) : ((await lite.exec(text)).at(-1) ?? { rows: [] });
    return { rows: r.rows, rowCount: r.affectedRows ?? r.rows.length };
  };
  class Client extends EventEmitter {
    query = query;
    release() {}
  }
  class Pool extends EventEmitter {
    async connect() {
      const client = new Client();
      client.on("newListener", (event: string) => {
        if (event !== "notification") return;
        for (const channel of ["jobs:insert", "worker:migrate"]) void lite.listen(`"${channel}"`, (payload: string) => client.emit("notification", { channel, payload }));
      });
      return client;
    }
    query = query;
    async end() {}
  }
  const pool = new Pool();
  pool.on("error", () => undefined);
  return pool;
}

async function pgliteCheck(): Promise<void> {
  const { PGlite } = await import("@electric-sql/pglite");
  const lines = ["| queue on PGlite | start s | 5 woken jobs run | latency median ms | queued job cancelled |", "|---|---:|---|---:|---|"];
  for (const name of ["ours", "pg-boss 10", "graphile-worker"]) {
    const waiting = new Map<number, () => void>();
    const onJob = (n: number) => waiting.get(n)?.();
    const t0 = performance.now();
    let row: string;
    let lite: InstanceType<typeof PGlite> | undefined;
    let db: Database | undefined;
    try {
      let enqueue: (n: number) => Promise<void>;
      let cancelOne: () => Promise<boolean>;
      let stop: () => Promise<void>;
      if (name === "ours") {
        db = await createDatabase({});
        await migrate(db.sql);
        const r = await ours(true)("", db, onJob);
        const d = db;
        enqueue = r.enqueue;
        // A job of a kind no worker here runs stays QUEUED.
        cancelOne = async () => (await cancelJob(d, (await enqueueJob(d, "nobody", {})).id))?.status === "CANCELLED";
        stop = r.stop;
      } else if (name === "pg-boss 10") {
        const l = (lite = new PGlite());
        const PgBoss = optional("pg-boss");
        const executeSql = async (text: string, values: unknown[]) => ({
          rows: (values && values.length > 0 ? await l.query(text, values) : ((await l.exec(text)).at(-1) ?? { rows: [] })).rows,
        });
        const boss = new PgBoss({ db: { executeSql }, schedule: false });
        boss.on("error", (e: Error) => process.stderr.write(`pg-boss: ${e.message}
`));
        await boss.start();
        await boss.createQueue(KIND);
        const workerId = await boss.work(KIND, { pollingIntervalSeconds: 1 }, async ([job]: { data: { n: number } }[]) => onJob(job.data.n));
        enqueue = async (n) => {
          await boss.send(KIND, { n });
          boss.notifyWorker(workerId);
        };
        cancelOne = async () => {
          const id = await boss.send(KIND, { n: 0 }, { startAfter: 3600 });
          await boss.cancel(KIND, id);
          return (await boss.getJobById(KIND, id))?.state === "cancelled";
        };
        stop = () => boss.stop({ graceful: true, wait: true });
      } else {
        lite = new PGlite();
        const gw = optional("graphile-worker");
        const runner = await gw.run({ pgPool: pgliteAsPool(lite), concurrency: 1, noHandleSignals: true, pollInterval: 1000, logger: new gw.Logger(() => () => undefined), taskList: { [KIND]: async (p: { n: number }) => onJob(p.n) } });
        enqueue = (n) => runner.addJob(KIND, { n }).then(() => undefined);
        cancelOne = async () => {
          await runner.addJob(KIND, { n: 0 }, { jobKey: "later", runAt: new Date(Date.now() + 3_600_000) });
          // graphile-worker's cancel of a job not yet locked: remove_job(key).
          await lite!.query(`SELECT graphile_worker.remove_job('later')`);
          const [{ n }] = (await lite!.query<{ n: number }>(`SELECT count(*)::int AS n FROM graphile_worker._private_jobs WHERE key = 'later'`)).rows;
          return n === 0;
        };
        stop = () => runner.stop();
      }
      const startSeconds = (performance.now() - t0) / 1000;
      const ms: number[] = [];
      for (let k = 1; k <= 5; k++) {
        const started = new Promise<void>((resolve) => waiting.set(k, resolve));
        const t = performance.now();
        await enqueue(k);
        await Promise.race([started, sleep(10_000).then(() => Promise.reject(new Error(`job ${k} did not start within 10 s`)))]);
        ms.push(performance.now() - t);
      }
      const cancelled = await cancelOne();
      await stop();
      row = `| ${name} | ${startSeconds.toFixed(1)} | yes | ${quantile(ms, 0.5).toFixed(1)} | ${cancelled ? "yes" : "no"} |`;
    } catch (error) {
      row = `| ${name} | | failed: ${(error as Error)?.message?.split("\n")[0]} | | |`;
    }
    await db?.close();
    await lite?.close();
    lines.push(row);
    process.stderr.write(row + "\n");
  }
  process.stdout.write(lines.join("\n") + "\n");
}

async function main(): Promise<void> {
  if (process.argv.includes("--pglite")) return pgliteCheck();
  const config = loadConfig();
  if (!config.databaseUrl) throw new Error("set DATABASE_URL to a scratch PostgreSQL database (the benchmark creates its own schemas and job rows)");
  const nJobs = Number(arg("jobs", "300"));
  const nLatency = Number(arg("latency", "20"));
  const rounds = Number(arg("rounds", "3"));
  const names = arg("candidates", Object.keys(candidates).join("|")).split("|");
  for (const name of names) {
    if (!candidates[name]) throw new Error(`unknown candidate ${name}: ${Object.keys(candidates).join(" | ")}`);
    if (name.startsWith("pg-boss")) optional("pg-boss");
    if (name.startsWith("graphile")) optional("graphile-worker");
  }
  const db = await createDatabase({ databaseUrl: config.databaseUrl });
  try {
    await migrate(db.sql);
    const results = new Map<string, Measure[]>(names.map((n) => [n, []]));
    for (let r = 0; r < rounds; r++) {
      for (const name of r % 2 === 0 ? names : [...names].reverse()) {
        const m = await measure(name, config.databaseUrl, db, nLatency, nJobs, 1 + r);
        results.get(name)!.push(m);
        process.stderr.write(
          `round ${r + 1} ${name}: latency median ${quantile(m.latencyMs, 0.5).toFixed(1)} ms, max ${Math.max(...m.latencyMs).toFixed(1)} ms; enqueue ${m.enqueuePerSecond.toFixed(0)}/s; run ${m.runPerSecond.toFixed(0)}/s\n`,
        );
      }
    }
    await db.sql.query(`DELETE FROM jobs WHERE kind = $1`, [KIND]);
    const med = (xs: number[]) => quantile(xs, 0.5);
    const lines = [
      `bench:queue ${new Date().toISOString().slice(0, 10)}: trivial jobs on PostgreSQL, one at a time per worker; ${nLatency} latency samples and ${nJobs} jobs per candidate per round; medians of ${rounds} rounds`,
      "",
      "| queue | enqueue→start median ms | p90 ms | enqueue jobs/s | run jobs/s |",
      "|---|---:|---:|---:|---:|",
      ...names.map((name) => {
        const ms = results.get(name)!;
        const all = ms.flatMap((m) => m.latencyMs);
        return `| ${name} | ${quantile(all, 0.5).toFixed(1)} | ${quantile(all, 0.9).toFixed(1)} | ${med(ms.map((m) => m.enqueuePerSecond)).toFixed(0)} | ${med(ms.map((m) => m.runPerSecond)).toFixed(0)} |`;
      }),
    ];
    process.stdout.write(lines.join("\n") + "\n");
  } finally {
    await db.close();
  }
}

main().catch((error) => {
  process.stderr.write(`bench:queue failed: ${(error as Error)?.stack ?? String(error)}\n`);
  process.exit(1);
});
