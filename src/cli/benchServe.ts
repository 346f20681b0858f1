// `npm run bench:serve -- [--duration 8] [--connections 50] [--processes 1|N|auto] [--rate R]`: serving
// throughput against a PostgreSQL (DATABASE_URL) that already holds a catalog
// with trained, active models (e.g. ML-100K: `npm run import -- movielens-100k
// <dir>` then `npm run train -- --model all`). It starts the server as a child
// process, loads it with autocannon from this process, and reports for
//   (a) { __typename }                      the ceiling of a GraphQL request here
//   (b) recommendations(userId: <random>, first: 10) { item { id title } score }
//   (c) similarItems(itemId: <random>, first: 10)
//   (d) users(ids: [50 random]) { recommendations(first: 10) { ... } }
//   (e) upNext(userId: <random>, first: 10) { item { id title } score }
//   (f) upNext(context: { items: [5 random] }, first: 10): an anonymous session
// requests/s, p50 and p99, the ratios b/a, c/a and e/b measured in the same run,
// and the server's resident memory with the models loaded. Users repeat
// within a run, so (b) is mostly served from the users' cached ranked lists;
// `--ranked-list-cache off` measures every request scored. Then, Marquee
// stopped, the floor: (a) and (b)'s query on bare Apollo answering from
// constants (bareApolloServer.ts), so the run shows how much of (b)'s cost is
// the GraphQL stack's own (`--floor off` skips it). Latency at a fixed
// offered load, not only at saturation: (b) again at half the throughput it
// reached ("p99 at half load"), and with `--rate R` at R requests/s, sent
// by an open-loop generator in a process of its own (openLoop.ts).
// `--impressions on|off` runs the server with impression logging on or off
// (MARQUEE_IMPRESSIONS; default on); `--impressions both [--rounds 5]`
// instead starts two servers, one of each, and alternates (b) between them,
// round after round, reporting each round and the medians: what logging
// every answer costs the warm recommendation path, under the same load.
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import autocannon from "autocannon";
import { loadConfig } from "../config";
import { createDatabase } from "../db/createDatabase";
import { createRng } from "../engine/random";
import { openLoop, type OpenLoopFigures } from "./openLoop";

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

interface Scenario {
  name: string;
  body: () => string;
}

interface Figures extends OpenLoopFigures {
  name: string;
  // Requests answered in the run.
  total?: number;
}

function run(url: string, scenario: Scenario, connections: number, duration: number): Promise<Figures> {
  let graphqlErrors = 0;
  return new Promise((resolve, reject) => {
    autocannon(
      {
        url,
        connections,
        duration,
        method: "POST",
        headers: { "content-type": "application/json" },
        requests: [
          {
            setupRequest: (req: any) => ({ ...req, body: scenario.body() }),
            // A 200 that carries GraphQL errors is a failed request too.
            onResponse: (_status: number, body: string) => {
              if (body.includes('"errors"')) graphqlErrors++;
            },
          },
        ],
      },
      (error: Error | null, result: any) => {
        if (error) return reject(error);
        resolve({
          name: scenario.name,
          requestsPerSecond: result.requests.average,
          p50: result.latency.p50,
          p99: result.latency.p99,
          errors: result.errors,
          non2xx: result.non2xx,
          graphqlErrors,
          total: result.requests.total,
        });
      },
    );
  });
}

// CPU time (user + system) a process has used, in ms: per request, the
// figure that shared cores disturb least (a loaded machine lowers
// throughput, not the work each request costs).
function cpuMs(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // utime and stime are fields 14 and 15 of stat(5), in clock ticks (100 per second on Linux).
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
}

// (b) at `rate` requests/s offered for `duration` s, from the open-loop
// generator's own process (openLoop.ts).
async function atRate(url: string, scenario: Scenario, rate: number, duration: number, sockets: number): Promise<Figures> {
  const bodies = Array.from({ length: Math.round(rate * duration) }, () => scenario.body());
  return { name: scenario.name, ...(await openLoop(url, bodies, rate, sockets)) };
}

// The resident memory of a process and all its descendants (the server's processes).
// (Shared pages count once per process, so several processes are slightly overstated.)
function rssMb(pid: number): number {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN);
    const children = fs.readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").trim().split(/\s+/).filter(Boolean).map(Number);
    return kb / 1024 + children.reduce((sum, child) => sum + rssMb(child), 0);
  } catch {
    return 0; // the process exited meanwhile
  }
}

async function waitForServer(url: string, child: ChildProcess): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (child.exitCode !== null) throw new Error(`the server exited with code ${child.exitCode}`);
    try {
      const r = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query: "{ __typename }" }) });
      if (r.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error("the server did not become ready in 150 s");
}

// Ready means every process is serving: the server prints its ready line
// only then (with several processes, the first answers before the others start).
function readyLine(child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    let printed = "";
    const timer = setTimeout(() => reject(new Error("the server printed no ready line in 300 s")), 300_000);
    child.once("exit", (code) => reject(new Error(`the server exited with code ${code}`)));
    child.stdout!.on("data", (chunk) => {
      printed += String(chunk);
      if (printed.includes("Marquee is ready at")) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once("exit", r));
  child.kill("SIGTERM");
  await exited;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function startServer(root: string, port: number, env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, ["--import", "tsx", "src/index.ts"], {
    cwd: root,
    env: { ...process.env, PORT: String(port), HOST: "127.0.0.1", LOG_LEVEL: "warn", MARQUEE_DEMO_DATA: "false", MARQUEE_WORKER: "false", ...env },
    stdio: ["ignore", "pipe", "inherit"],
  });
}

// (b) on a server logging impressions and on one not, alternately.
async function compareImpressions(root: string, port: number, scenario: (url: string) => Scenario, options: { connections: number; duration: number; rounds: number; env: Record<string, string>; header: string }): Promise<void> {
  const servers = [
    { name: "on", child: startServer(root, port, { ...options.env, MARQUEE_IMPRESSIONS: "on" }), url: `http://127.0.0.1:${port}/graphql` },
    { name: "off", child: startServer(root, port + 2, { ...options.env, MARQUEE_IMPRESSIONS: "off" }), url: `http://127.0.0.1:${port + 2}/graphql` },
  ];
  try {
    for (const s of servers) {
      await readyLine(s.child);
      await waitForServer(s.url, s.child);
    }
    // Warm both fully (the JIT, every user's ranked list) before anything counts.
    for (const s of servers) await run(s.url, scenario(s.url), options.connections, options.duration);
    const figures = new Map<string, Figures[]>(servers.map((s) => [s.name, []]));
    const cpu = new Map<string, number[]>(servers.map((s) => [s.name, []]));
    for (let r = 0; r < options.rounds; r++) {
      // Alternate which goes first, so a drift in the machine's load falls on both.
      for (const s of r % 2 === 0 ? servers : [...servers].reverse()) {
        await new Promise((resolve) => setTimeout(resolve, 1000));
        const before = cpuMs(s.child.pid!);
        const f = await run(s.url, scenario(s.url), options.connections, options.duration);
        // The "on" server's last batch of the run is written within MARQUEE_IMPRESSION_FLUSH_MS: count it too.
        await new Promise((resolve) => setTimeout(resolve, 1200));
        figures.get(s.name)!.push(f);
        cpu.get(s.name)!.push((cpuMs(s.child.pid!) - before) / Math.max(1, f.total ?? 0));
      }
    }
    const on = figures.get("on")!;
    const off = figures.get("off")!;
    const cpuOn = cpu.get("on")!;
    const cpuOff = cpu.get("off")!;
    const lines = [
      options.header,
      `impressions on vs off, ${options.rounds} alternating rounds, load average ${os.loadavg()[0].toFixed(1)} at the end`,
      "",
      "| round | on: requests/s | on: p99 ms | on: server CPU ms/request | off: requests/s | off: p99 ms | off: server CPU ms/request | on/off requests/s | on/off CPU/request |",
      "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
      ...on.map((f, r) => `| ${r + 1} | ${f.requestsPerSecond.toFixed(0)} | ${f.p99} | ${cpuOn[r].toFixed(3)} | ${off[r].requestsPerSecond.toFixed(0)} | ${off[r].p99} | ${cpuOff[r].toFixed(3)} | ${(f.requestsPerSecond / off[r].requestsPerSecond).toFixed(3)} | ${(cpuOn[r] / cpuOff[r]).toFixed(3)} |`),
      `| median | ${median(on.map((f) => f.requestsPerSecond)).toFixed(0)} | ${median(on.map((f) => f.p99))} | ${median(cpuOn).toFixed(3)} | ${median(off.map((f) => f.requestsPerSecond)).toFixed(0)} | ${median(off.map((f) => f.p99))} | ${median(cpuOff).toFixed(3)} | ${median(on.map((f, r) => f.requestsPerSecond / off[r].requestsPerSecond)).toFixed(3)} | ${median(cpuOn.map((c, r) => c / cpuOff[r])).toFixed(3)} |`,
      "",
      `errors: on ${on.reduce((n, f) => n + f.errors + f.non2xx + f.graphqlErrors, 0)}, off ${off.reduce((n, f) => n + f.errors + f.non2xx + f.graphqlErrors, 0)}`,
      `ratio of medians on/off: requests/s ${(median(on.map((f) => f.requestsPerSecond)) / median(off.map((f) => f.requestsPerSecond))).toFixed(3)}, server CPU per request ${(median(cpuOn) / median(cpuOff)).toFixed(3)}`,
    ];
    process.stdout.write(lines.join("\n") + "\n");
  } finally {
    for (const s of servers) await stopChild(s.child);
  }
}

async function main(): Promise<void> {
  const config = loadConfig();
  if (!config.databaseUrl) throw new Error("set DATABASE_URL to a PostgreSQL holding the catalog and trained models");
  const duration = Number(arg("duration", "8"));
  const connections = Number(arg("connections", "50"));
  const port = Number(arg("port", "4399"));
  // Which strategy (b) and (d) ask for; the API's default (HYBRID) when absent.
  const strategy = arg("strategy", "");
  if (strategy && !/^[A-Z_]+$/.test(strategy)) throw new Error(`--strategy must be a Strategy enum value such as ITEM_KNN; got ${JSON.stringify(strategy)}`);
  const strategyArg = strategy ? `, strategy: ${strategy}` : "";
  // --ranked-list-cache off: every recommendation is scored (the cold figure).
  const rankedLists = arg("ranked-list-cache", "on");
  // --processes N: the server as N processes on one port (MARQUEE_PROCESSES).
  const processes = arg("processes", "1");
  // --floor off: skip the bare-Apollo floor (bareApolloServer.ts) measured after Marquee.
  const floor = arg("floor", "on");
  // --rate R: also run (b) at R requests/s offered.
  const rateArg = arg("rate", "");
  const rate = rateArg === "" ? undefined : Number(rateArg);
  if (rate !== undefined && !(Number.isInteger(rate) && rate >= 1 && rate <= 100_000)) throw new Error(`--rate must be an integer from 1 to 100000 requests/s; got ${JSON.stringify(rateArg)}`);
  if (floor !== "on" && floor !== "off") throw new Error(`--floor must be on or off; got ${JSON.stringify(floor)}`);
  if (!/^([1-9]\d?|auto)$/.test(processes)) throw new Error(`--processes must be a number from 1 to 64 or auto; got ${JSON.stringify(processes)}`);
  if (rankedLists !== "on" && rankedLists !== "off") throw new Error(`--ranked-list-cache must be on or off; got ${JSON.stringify(rankedLists)}`);
  const impressions = arg("impressions", "on");
  if (!["on", "off", "both"].includes(impressions)) throw new Error(`--impressions must be on, off or both; got ${JSON.stringify(impressions)}`);
  const rounds = Number(arg("rounds", "5"));
  if (!(Number.isInteger(rounds) && rounds >= 1 && rounds <= 50)) throw new Error(`--rounds must be an integer from 1 to 50; got ${JSON.stringify(arg("rounds", ""))}`);

  const db = await createDatabase({ databaseUrl: config.databaseUrl });
  const users = (await db.sql.query<{ external_id: string }>(`SELECT external_id FROM users ORDER BY id`)).map((r) => r.external_id);
  const items = (await db.sql.query<{ external_id: string }>(`SELECT external_id FROM items ORDER BY id`)).map((r) => r.external_id);
  const active = await db.sql.query<{ name: string; version: number }>(`SELECT name, version FROM model_versions WHERE is_active ORDER BY name`);
  await db.close();
  if (users.length === 0 || items.length === 0) throw new Error("the database has no users or items: import a catalog first");

  const root = path.resolve(__dirname, "../..");
  const serverEnv = { MARQUEE_RANKED_LIST_CACHE: rankedLists === "on" ? "true" : "false", MARQUEE_PROCESSES: processes };
  if (impressions === "both") {
    const rng = createRng(7);
    const recommendations = (): Scenario => ({
      name: `(b) recommendations(first: 10${strategyArg})`,
      body: () => JSON.stringify({ query: `query($u: ID!) { recommendations(userId: $u, first: 10${strategyArg}) { item { id title } score } }`, variables: { u: users[rng.int(users.length)] } }),
    });
    const header = `bench:serve --impressions both ${new Date().toISOString().slice(0, 10)}: ${users.length} users, ${items.length} items; active models ${active.map((m) => `${m.name}@${m.version}`).join(", ")}; autocannon ${connections} connections, ${duration} s per run, node ${process.version}, strategy ${strategy || "HYBRID (default)"}, executor ${process.env.MARQUEE_EXECUTOR || "jit"}`;
    await compareImpressions(root, port, recommendations, { connections, duration, rounds, env: serverEnv, header });
    return;
  }
  const child = startServer(root, port, { ...serverEnv, MARQUEE_IMPRESSIONS: impressions });
  const url = `http://127.0.0.1:${port}/graphql`;
  try {
    await readyLine(child);
    await waitForServer(url, child);
    const rng = createRng(7);
    const pick = (list: string[]) => list[rng.int(list.length)];
    const scenarios: Scenario[] = [
      { name: "(a) { __typename }", body: () => JSON.stringify({ query: "{ __typename }" }) },
      {
        name: `(b) recommendations(first: 10${strategyArg})`,
        body: () => JSON.stringify({ query: `query($u: ID!) { recommendations(userId: $u, first: 10${strategyArg}) { item { id title } score } }`, variables: { u: pick(users) } }),
      },
      {
        name: "(c) similarItems(first: 10)",
        body: () => JSON.stringify({ query: "query($i: ID!) { similarItems(itemId: $i, first: 10) { item { id title } score } }", variables: { i: pick(items) } }),
      },
      {
        name: "(d) 50 users x recommendations(first: 10)",
        body: () =>
          JSON.stringify({
            query: `query($ids: [ID!]!) { users(ids: $ids) { id recommendations(first: 10${strategyArg}) { item { title features { facet value } } reasons { __typename } } } }`,
            variables: { ids: Array.from({ length: 50 }, () => pick(users)) },
          }),
      },
      {
        name: "(e) upNext(first: 10)",
        body: () => JSON.stringify({ query: "query($u: ID!) { upNext(userId: $u, first: 10) { item { id title } score } }", variables: { u: pick(users) } }),
      },
      {
        name: "(f) upNext(first: 10), anonymous session of 5 items",
        body: () =>
          JSON.stringify({
            query: "query($s: [ID!]!) { upNext(first: 10, context: { items: $s }) { item { id title } score } }",
            variables: { s: Array.from({ length: 5 }, () => pick(items)) },
          }),
      },
    ];
    // Warm up the JIT and the caches once per scenario.
    for (const s of scenarios) await run(url, s, 10, 2);
    // (b) at fixed offered loads (half its saturation throughput, and
    // --rate) runs right after (b), once the server has drained what the
    // previous run left queued: a backlog from (d) would otherwise land in
    // the first second of the next run and in its p99.
    const settle = () => new Promise((r) => setTimeout(r, 2000));
    const figures: Figures[] = [];
    figures.push(await run(url, scenarios[0], connections, duration), await run(url, scenarios[1], connections, duration));
    const halfRate = Math.max(1, Math.round(figures[1].requestsPerSecond / 2));
    await settle();
    const atHalf = await atRate(url, { ...scenarios[1], name: `${scenarios[1].name} at ${halfRate} req/s offered (half load, open loop)` }, halfRate, duration, connections);
    await settle();
    const atGivenRate = rate !== undefined ? await atRate(url, { ...scenarios[1], name: `${scenarios[1].name} at ${rate} req/s offered (open loop)` }, rate, duration, connections) : undefined;
    for (const s of scenarios.slice(2)) {
      await settle();
      figures.push(await run(url, s, connections, duration));
    }
    const [a, b, c, , e] = [figures[0], figures[1], figures[2], figures[3], figures[4]];
    figures.push(atHalf, ...(atGivenRate ? [atGivenRate] : []));
    const rss = rssMb(child.pid!);
    await stopChild(child);
    // The same (a) and (b)-shaped query on bare Apollo with constant answers, Marquee stopped.
    let floorFigures: Figures[] = [];
    if (floor === "on") {
      const bare = spawn(process.execPath, ["--import", "tsx", "src/cli/bareApolloServer.ts", String(port + 1)], { cwd: root, stdio: ["ignore", "ignore", "inherit"] });
      try {
        const bareUrl = `http://127.0.0.1:${port + 1}/graphql`;
        await waitForServer(bareUrl, bare);
        const shaped: Scenario[] = [
          { name: "(a0) bare Apollo: { __typename }", body: scenarios[0].body },
          {
            name: "(b0) bare Apollo: (b)'s query, 10 constant results",
            body: () => JSON.stringify({ query: "query($u: ID!) { recommendations(userId: $u, first: 10) { item { id title } score } }", variables: { u: pick(users) } }),
          },
        ];
        for (const s of shaped) await run(bareUrl, s, 10, 2);
        for (const s of shaped) floorFigures.push(await run(bareUrl, s, connections, duration));
      } finally {
        await stopChild(bare);
      }
    }
    const lines = [
      `bench:serve ${new Date().toISOString().slice(0, 10)}: ${users.length} users, ${items.length} items; active models ${active.map((m) => `${m.name}@${m.version}`).join(", ")}`,
      `autocannon ${connections} connections, ${duration} s per scenario, node ${process.version}, strategy ${strategy || "HYBRID (default)"}, ranked-list cache ${rankedLists}, impressions ${impressions}, executor ${process.env.MARQUEE_EXECUTOR || "jit"}, ${processes} server process(es), load average ${os.loadavg()[0].toFixed(1)} at the end`,
      "",
      "| scenario | requests/s | p50 ms | p99 ms | errors | non-2xx | GraphQL errors |",
      "|---|---:|---:|---:|---:|---:|---:|",
      ...[...figures, ...floorFigures].map((f) => `| ${f.name} | ${f.requestsPerSecond.toFixed(0)} | ${f.p50} | ${f.p99} | ${f.errors} | ${f.non2xx} | ${f.graphqlErrors} |`),
      "",
      `server RSS with models loaded: ${rss.toFixed(0)} MB (all its processes)`,
      ...(floorFigures.length === 2 ? [`floor ratio on bare Apollo, same answer shape (b0/a0): ${(floorFigures[1].requestsPerSecond / floorFigures[0].requestsPerSecond).toFixed(3)}`] : []),
      `ratio similarItems/typename: ${(c.requestsPerSecond / a.requestsPerSecond).toFixed(3)}`,
      `ratio upNext/recommendations: ${(e.requestsPerSecond / b.requestsPerSecond).toFixed(3)}`,
      `ratio recommendations/typename: ${(b.requestsPerSecond / a.requestsPerSecond).toFixed(3)}`,
      ...(floorFigures.length === 2 ? [`ratio recommendations/floor: ${(b.requestsPerSecond / floorFigures[1].requestsPerSecond).toFixed(3)}`] : []),
      `p99 at half load: ${atHalf.p99} ms`,
      // Its parts: the generator's own lateness (it shares the machine's
      // cores) and the wait from then to the answer (connection, server).
      `p99 at half load in parts: generator lag ${atHalf.generatorLagP99} ms, pickup to answer ${atHalf.pickupToAnswerP99} ms`,
      ...(atGivenRate ? [`p99 at ${rate} req/s: ${atGivenRate.p99} ms`] : []),
    ];
    process.stdout.write(lines.join("\n") + "\n");
  } finally {
    await stopChild(child);
  }
}

main().catch((error) => {
  process.stderr.write(`bench:serve failed: ${(error as Error)?.message ?? String(error)}\n`);
  process.exit(1);
});
