// `npm run simulate`: the feedback loop proven on a simulated audience.
// A real Marquee server runs as a child process (embedded PGlite in a
// scratch folder, or a scratch database on the PostgreSQL of
// --database-url); synthetic users with known tastes (simulate/audience.ts)
// see what it returns over HTTP and click by a known position-based model;
// every step goes through the public GraphQL API: record, train, serve,
// click, attribute, measure, experiment. Checks:
//   (a) POPULAR against HYBRID, HYBRID truly better: the experiment names
//       HYBRID the winner in >= 95% of the runs, POPULAR never;
//   (b) A/A runs read after every batch of traffic: a winner in <= 5%;
//   (c) the off-policy estimate of a candidate's CTR@10 from logged
//       exploration traffic is within 10% (relative) of the CTR then
//       measured when the candidate serves;
//   (d) onlineMetrics counts exactly the impressions and clicks the
//       simulator saw and sent, across a server restart mid-run;
//   (e) continuous training promotes a better challenger and refuses a
//       deliberately worse one.
// --json prints one object per check (and a last one with the totals).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createRng, type Rng } from "../engine/random";
import { arg, createScratchDb, flag, onCleanup, runMain, startServer, waitReady, type ServerProcess } from "./reliability/harness";
import { clicksOn, createAudience, histories, type Audience } from "./simulate/audience";
import { gql, recordClicks, serve, train, type Click, type ShownList } from "./simulate/marqueeClient";

const json = flag("json");
const seed = Number(arg("seed", "7"));
const runs = Number(arg("runs", "40"));
const checks = new Set(arg("checks", "a,b,c,d,e").split(","));
const K = 10;
// Reads of each A/A experiment, one after every batch of traffic.
const AA_READS = 10;

function say(line: string): void {
  if (!json) process.stdout.write(`${line}\n`);
}

interface CheckResult {
  check: string;
  pass: boolean;
  [figure: string]: unknown;
}

const results: CheckResult[] = [];
function report(result: CheckResult): void {
  results.push(result);
  if (json) process.stdout.write(`${JSON.stringify(result)}\n`);
  else say(`(${result.check}) ${result.pass ? "PASS" : "FAIL"} ${JSON.stringify({ ...result, check: undefined, pass: undefined })}`);
}

// What the simulator itself saw and sent, for check (d).
const tally = { impressions: 0, clicks: 0 };

// Shows lists to `users`, lets them click, sends the clicks back with their
// impression; returns the lists and the clicks.
async function traffic(url: string, audience: Audience, rng: Rng, users: readonly string[], strategy?: string): Promise<{ lists: ShownList[]; clicks: Click[] }> {
  const lists = await serve(url, users, { first: K, strategy });
  const clicks: Click[] = [];
  for (const list of lists) {
    const u = audience.userIndex.get(list.user)!;
    const items = list.items.map((id) => audience.itemIndex.get(id)!);
    for (const rank of clicksOn(audience, rng, u, items)) clicks.push({ user: list.user, item: list.items[rank - 1], impressionId: list.impressionId, position: rank });
  }
  await recordClicks(url, clicks);
  tally.impressions += lists.length;
  tally.clicks += clicks.length;
  return { lists, clicks };
}

// n distinct users (a user sees one list at a time: two answers to the same
// history in one batch would show the same items twice).
function sample(rng: Rng, from: readonly string[], n: number): string[] {
  const picked = new Set<number>();
  while (picked.size < Math.min(n, from.length)) picked.add(rng.int(from.length));
  return [...picked].map((k) => from[k]);
}

async function setUp(url: string, audience: Audience): Promise<void> {
  const items = audience.itemIds.map((id, i) => ({ id, kind: "MOVIE", title: `Simulated ${i}`, features: [{ facet: "genre", value: `g${audience.itemGenre[i]}` }] }));
  for (let s = 0; s < items.length; s += 1000) await gql(url, `mutation Items($i: [ItemInput!]!) { upsertItems(items: $i) { id } }`, { i: items.slice(s, s + 1000) });
  const start = Date.now() - 30 * 86_400_000;
  const first = histories(audience).map((h, n) => ({ user: audience.userIds[h.user], item: audience.itemIds[h.item], occurredAt: new Date(start + n * 1000).toISOString() }));
  await recordClicks(url, first);
  for (const name of ["popular", "item-knn", "ials", "hybrid"]) await train(url, name);
}

interface ExperimentRead {
  status: string;
  result: { decided: boolean; winner: string | null; summary: string };
  arms: { name: string; impressions: number; metric: { successes: number; trials: number; value: number | null } }[];
}

const EXPERIMENT_FIELDS = `id status result { decided winner summary } arms { name impressions metric { successes trials value } }`;

// One experiment from start to stop: `batches` batches of `perBatch` users,
// read after each; stops early once decided when `untilDecided`.
async function experimentRun(
  url: string,
  audience: Audience,
  rng: Rng,
  name: string,
  arms: { name: string; strategy: string }[],
  batches: number,
  perBatch: number,
  untilDecided: boolean,
): Promise<ExperimentRead> {
  const created = await gql<{ createExperiment: { id: string } }>(
    url,
    `mutation Create($input: CreateExperimentInput!) { createExperiment(input: $input) { id } }`,
    { input: { name, surface: "recommendations", metric: "CLICK_THROUGH", k: K, arms: arms.map((a) => ({ ...a, weight: 1 })) } },
  );
  const id = created.createExperiment.id;
  await gql(url, `mutation Start($id: ID!) { startExperiment(id: $id) { id } }`, { id });
  let read: ExperimentRead | undefined;
  for (let b = 0; b < batches; b++) {
    await traffic(url, audience, rng, sample(rng, audience.userIds, perBatch));
    read = (await gql<{ experiment: ExperimentRead }>(url, `query Read($id: ID!) { experiment(id: $id) { ${EXPERIMENT_FIELDS} } }`, { id })).experiment;
    if (untilDecided && read.result.decided) break;
  }
  await gql(url, `mutation Stop($id: ID!) { stopExperiment(id: $id) { id } }`, { id });
  return read!;
}

async function checkA(url: string, audience: Audience): Promise<void> {
  const rng = createRng(seed * 1000 + 1);
  let hybrid = 0;
  let popular = 0;
  let undecided = 0;
  const started = Date.now();
  // Over all runs: each arm's clicks and items shown (CTR@10), and the
  // answers each run took to decide.
  const arms = new Map<string, { successes: number; trials: number }>();
  const answers: number[] = [];
  for (let r = 0; r < runs; r++) {
    const read = await experimentRun(url, audience, rng, `popular-vs-hybrid-${seed}-${r}`, [{ name: "popular", strategy: "POPULAR" }, { name: "hybrid", strategy: "HYBRID" }], 12, 50, true);
    if (read.result.winner === "hybrid") hybrid++;
    else if (read.result.winner === "popular") popular++;
    else undecided++;
    for (const arm of read.arms) {
      const a = arms.get(arm.name) ?? { successes: 0, trials: 0 };
      a.successes += arm.metric.successes;
      a.trials += arm.metric.trials;
      arms.set(arm.name, a);
    }
    answers.push(read.arms.reduce((n, arm) => n + arm.impressions, 0));
  }
  const ctr = (name: string) => round((arms.get(name)?.successes ?? 0) / Math.max(1, arms.get(name)?.trials ?? 0));
  answers.sort((x, y) => x - y);
  report({
    check: "a",
    pass: hybrid >= Math.ceil(0.95 * runs) && popular === 0,
    runs,
    hybridWins: hybrid,
    popularWins: popular,
    undecided,
    ctrPopular: ctr("popular"),
    ctrHybrid: ctr("hybrid"),
    medianAnswersToDecide: answers[answers.length >> 1],
    seconds: (Date.now() - started) / 1000,
  });
}

async function checkB(url: string, audience: Audience): Promise<void> {
  const rng = createRng(seed * 1000 + 2);
  let winners = 0;
  const started = Date.now();
  for (let r = 0; r < runs; r++) {
    const read = await experimentRun(url, audience, rng, `a-a-${seed}-${r}`, [{ name: "a", strategy: "HYBRID" }, { name: "b", strategy: "HYBRID" }], AA_READS, 60, false);
    if (read.result.winner !== null) winners++;
  }
  report({ check: "b", pass: winners <= Math.floor(0.05 * runs), runs, readsPerRun: AA_READS, runsWithAWinner: winners, seconds: (Date.now() - started) / 1000 });
}

async function checkC(url: string, audience: Audience): Promise<void> {
  const rng = createRng(seed * 1000 + 3);
  const started = Date.now();
  // The candidate is trained before the logged traffic, so it cannot have
  // learnt from the clicks it is judged on, and is not served meanwhile.
  const candidate = await train(url, "ials", { activate: false, params: { nFactors: 16 } });
  // Half the audience is logged under exploration while the other half is
  // served by the candidate, in alternating batches of the same size: both
  // halves have seen as much (and clicked their way through as much of
  // their genre) when each is measured, and neither one's clicks change the
  // other's lists. Only the exploring half's answers carry propensities, so
  // the estimate reads nothing of the candidate's own traffic.
  const logged = audience.userIds.filter((_, u) => u % 2 === 0);
  const served = audience.userIds.filter((_, u) => u % 2 === 1);
  await gql(url, `mutation Activate($v: Int!) { activateModel(name: "ials", version: $v) { version } }`, { v: candidate.version });
  const from = new Date(Date.now() - 1000).toISOString();
  const impressions = Number(arg("explore-impressions", "12000"));
  let shown = 0;
  let clicked = 0;
  for (let n = 0; n < impressions; n += 500) {
    await gql(url, `mutation Explore { setExploration(surface: "recommendations", rate: 1, poolSize: 30) { surface } }`);
    await traffic(url, audience, rng, sample(rng, logged, 500), "HYBRID");
    await gql(url, `mutation NoExplore { setExploration(surface: "recommendations", rate: 0) { surface } }`);
    const { lists, clicks } = await traffic(url, audience, rng, sample(rng, served, 500), "MATRIX_FACTORIZATION");
    for (const l of lists) shown += Math.min(K, l.items.length);
    clicked += clicks.length;
  }
  const to = new Date(Date.now() + 1000).toISOString();
  const estimate = (
    await gql<{ offPolicyEstimate: Record<string, any> }>(
      url,
      `query Estimate($model: String!, $version: Int!, $from: DateTime!, $to: DateTime!) {
        offPolicyEstimate(model: $model, version: $version, surface: "recommendations", from: $from, to: $to, k: ${K}) {
          impressions support effectiveSampleSize ips { value low high } selfNormalizedIps { value low high } doublyRobust { value low high }
        }
      }`,
      { model: candidate.name, version: candidate.version, from, to },
    )
  ).offPolicyEstimate;
  const measured = clicked / shown;
  const relative = (v: number) => Math.abs(v - measured) / measured;
  const value = estimate.doublyRobust.value as number;
  report({
    check: "c",
    pass: relative(value) <= 0.1,
    estimator: "doubly robust",
    estimated: round(value),
    ips: round(estimate.ips.value),
    snips: round(estimate.selfNormalizedIps.value),
    measured: round(measured),
    relativeError: round(relative(value)),
    ipsRelativeError: round(relative(estimate.ips.value)),
    snipsRelativeError: round(relative(estimate.selfNormalizedIps.value)),
    interval: [round(estimate.doublyRobust.low), round(estimate.doublyRobust.high)],
    loggedImpressions: estimate.impressions,
    effectiveSampleSize: round(estimate.effectiveSampleSize),
    support: round(estimate.support),
    seconds: (Date.now() - started) / 1000,
  });
}

async function checkE(url: string): Promise<void> {
  const started = Date.now();
  // The champion: the ials that check (c) activated. A challenger fitted to
  // a single factor with a crushing regularisation is clearly worse...
  const worse = await train(url, "ials", { challenge: true, params: { nFactors: 1, regularization: 1000, nIterations: 1 } });
  const worseRead = await versionDecision(url, "ials", worse.version);
  // ...and one with more factors and iterations than the champion is not.
  const better = await train(url, "ials", { challenge: true, params: { nFactors: 32, nIterations: 15 } });
  const betterRead = await versionDecision(url, "ials", better.version);
  report({
    check: "e",
    pass: worseRead.outcome === "REFUSED" && !worseRead.isActive && betterRead.outcome === "PROMOTED" && betterRead.isActive,
    worse: { version: worse.version, outcome: worseRead.outcome, reason: worseRead.reason },
    better: { version: better.version, outcome: betterRead.outcome, reason: betterRead.reason },
    seconds: (Date.now() - started) / 1000,
  });
}

async function versionDecision(url: string, name: string, version: number): Promise<{ outcome: string | null; reason: string | null; isActive: boolean }> {
  const { models } = await gql<{ models: { name: string; versions: { version: number; isActive: boolean; challenge: { outcome: string; reason: string } | null }[] }[] }>(
    url,
    `query Models { models { name versions { version isActive challenge { outcome reason } } } }`,
  );
  const v = models.find((m) => m.name === name)?.versions.find((x) => x.version === version);
  return { outcome: v?.challenge?.outcome ?? null, reason: v?.challenge?.reason ?? null, isActive: v?.isActive ?? false };
}

async function checkD(url: string, from: Date): Promise<void> {
  const to = new Date(Date.now() + 3_600_000);
  const { onlineMetrics } = await gql<{ onlineMetrics: { impressions: number; attributed: { type: string; count: number }[] }[] }>(
    url,
    `query Counts($from: DateTime!, $to: DateTime!) { onlineMetrics(from: $from, to: $to, groupBy: [SURFACE]) { surface impressions attributed { type count } } }`,
    { from: from.toISOString(), to: to.toISOString() },
  );
  const impressions = onlineMetrics.reduce((s, g) => s + g.impressions, 0);
  const clicks = onlineMetrics.reduce((s, g) => s + (g.attributed.find((a) => a.type === "PLAY")?.count ?? 0), 0);
  report({ check: "d", pass: impressions === tally.impressions && clicks === tally.clicks, simulatorImpressions: tally.impressions, serverImpressions: impressions, simulatorClicks: tally.clicks, serverClicks: clicks, restarts: 1 });
}

function round(x: number): number {
  return Math.round(x * 10000) / 10000;
}

async function main(): Promise<boolean> {
  const started = Date.now();
  const audience = createAudience({
    users: Number(arg("users", "10000")),
    items: Number(arg("items", "1000")),
    genres: 10,
    historyPerUser: 8,
    seed,
  });
  const databaseUrl = arg("database-url", "");
  const env: Record<string, string | undefined> = { MARQUEE_DEMO_DATA: "false", MARQUEE_IMPRESSION_FLUSH_MS: "100", LOG_LEVEL: "warn", MARQUEE_CHALLENGER_MARGIN: "0.02" };
  if (databaseUrl) {
    const db = await createScratchDb("marquee_simulate", databaseUrl);
    onCleanup(() => db.drop());
    env.DATABASE_URL = db.url;
  } else {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "marquee-simulate-"));
    onCleanup(() => fs.rmSync(dir, { recursive: true, force: true }));
    env.MARQUEE_DATA_DIR = dir;
  }
  let server: ServerProcess = await startServer(env, "simulate");
  await waitReady(server);
  const from = new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000);
  say(`server on ${server.base}; ${audience.options.users} users, ${audience.options.items} items, seed ${seed}, ${runs} runs`);
  await setUp(server.url, audience);
  say(`catalog, histories and models ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  if (checks.has("a")) await checkA(server.url, audience);
  if (checks.has("b")) await checkB(server.url, audience);
  if (checks.has("c")) await checkC(server.url, audience);
  // A restart mid-run: what was buffered must be written on the way down.
  await server.stop();
  server = await startServer(env, "simulate");
  await waitReady(server);
  if (checks.has("e")) await checkE(server.url);
  await traffic(server.url, audience, createRng(seed * 1000 + 5), sample(createRng(seed), audience.userIds, 500));
  if (checks.has("d")) await checkD(server.url, from);
  const seconds = (Date.now() - started) / 1000;
  const pass = results.every((r) => r.pass);
  if (json) process.stdout.write(`${JSON.stringify({ check: "all", pass, seconds })}\n`);
  else say(`${pass ? "all checks passed" : "some checks FAILED"} in ${seconds.toFixed(0)} s`);
  return pass;
}

runMain(main);
