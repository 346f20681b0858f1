// `npm run soak -- [--duration 600] [--connections 50] [--warmup 60] [--writes 0.2] [--seed 7]`:
// the real server (child process, scratch database on the local PostgreSQL,
// loopback only) under a steady mix of reads (80%: recommendations,
// similarItems, items pages, users with history, popular, predictRating,
// features) and writes (20%: recordInteractions batches of 1-5 events with
// unique times, and a few upsertItems) over `connections` keep-alive
// connections, for `duration` seconds. Passes when no request failed (every
// answer 200 without errors, within 30 s), the server's RSS (VmRSS, sampled
// every 5 s) grew by at most 10% from the end of the warm-up to the end, and
// every acknowledged write is in the database afterwards (checked with SQL).
import fs from "node:fs";
import { createRng } from "../../engine/random";
import {
  allItemIds, arg, createScratchDb, flag, httpFetch, keepAliveClient, loadAverage, missingInteractions, onCleanup, parseJson,
  percentile, postGraphql, rssMb, runMain, short, sleep, sqlQuery, startServer, table, waitReady, type AckedInteraction,
} from "./harness";

// Math.max(...list) overflows the stack for a run's worth of latencies.
function largest(list: readonly number[]): number {
  let max = -Infinity;
  for (const x of list) if (x > max) max = x;
  return max;
}

interface OpStats {
  count: number;
  failed: number;
  ms: number[];
}

async function main(): Promise<boolean> {
  const duration = Number(arg("duration", "600"));
  const connections = Number(arg("connections", "50"));
  const warmup = Number(arg("warmup", String(Math.min(60, Math.floor(duration / 4)))));
  const writeShare = Number(arg("writes", "0.2"));
  const seeded = createRng(Number(arg("seed", "7")));
  const rng = () => seeded.next();
  const started = new Date();
  process.stdout.write(`soak: ${duration} s, ${connections} connections, warm-up ${warmup} s, writes ${(writeShare * 100).toFixed(0)}%; ${started.toISOString()}; load average ${loadAverage()}\n`);

  const db = await createScratchDb("marquee_soak");
  if (!flag("keep-db")) onCleanup(() => db.drop());
  const server = await startServer({ DATABASE_URL: db.url, MARQUEE_AUTH: "off" }, "soak");
  const readyMs = await waitReady(server);
  process.stdout.write(`scratch database ${db.name}; server pid ${server.pid} ready in ${(readyMs / 1000).toFixed(1)} s; log ${server.logFile}\n`);

  const items = await allItemIds(server.url);
  const users = Array.from({ length: 300 }, (_, i) => `demo-user-${String(i + 1).padStart(3, "0")}`);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rng() * list.length)];
  const client = keepAliveClient(server.port, connections);
  onCleanup(() => client.close());

  // Writes: unique occurredAt per interaction (a global millisecond counter), so each is a new row.
  const acked: AckedInteraction[] = [];
  const ackedItems: string[] = [];
  let clock = Date.UTC(2026, 0, 1);
  let newUsers = 0;
  let newItems = 0;
  const reads: [string, number, () => string][] = [
    ["recommendations", 30, () => JSON.stringify({ query: "query($u: ID!) { recommendations(userId: $u, first: 10) { rank score item { id title } } }", variables: { u: pick(users) } })],
    ["similarItems", 15, () => JSON.stringify({ query: "query($i: ID!) { similarItems(itemId: $i, first: 10) { rank item { id } } }", variables: { i: pick(items) } })],
    ["items", 10, () => JSON.stringify({ query: "query($k: ItemKind) { items(first: 20, filter: { kind: $k }) { totalCount nodes { id title features { facet value } } } }", variables: { k: pick(["MOVIE", "MUSIC", "GAME"]) } })],
    ["user+history", 10, () => JSON.stringify({ query: "query($u: ID!) { user(id: $u) { id interactions(first: 10) { totalCount nodes { type value item { id title } } } } }", variables: { u: pick(users) } })],
    ["popular", 5, () => JSON.stringify({ query: "query($w: PopularWindow) { popular(window: $w, first: 10) { rank item { id } } }", variables: { w: pick(["WEEK", "MONTH", "YEAR", "ALL_TIME"]) } })],
    ["predictRating", 5, () => JSON.stringify({ query: "query($u: ID!, $i: ID!) { predictRating(userId: $u, itemId: $i) { rating } }", variables: { u: pick(users), i: pick(items) } })],
    ["features", 5, () => JSON.stringify({ query: "{ features(first: 20) { totalCount nodes { facet value itemCount } } }" })],
  ];
  const readWeight = reads.reduce((s, r) => s + r[1], 0);
  const stats = new Map<string, OpStats>();
  const stat = (name: string) => stats.get(name) ?? (stats.set(name, { count: 0, failed: 0, ms: [] }), stats.get(name)!);
  const failures: string[] = [];
  const types = ["VIEW", "PLAY", "LIKE", "RATING", "PURCHASE"];

  async function one(): Promise<void> {
    if (rng() < writeShare) {
      if (rng() < 0.05) {
        const id = `soak-item-${++newItems}`;
        const body = JSON.stringify({ query: "mutation($i: [ItemInput!]!) { upsertItems(items: $i) { id } }", variables: { i: [{ id, kind: "BOOK", title: `Soak book ${newItems}`, releaseYear: 2026, features: [{ facet: "genre", value: "Soak" }] }] } });
        const r = await client.post(body);
        const s = stat("upsertItems");
        s.count++;
        s.ms.push(r.ms);
        const parsed = parseJson(r.text) as { data?: { upsertItems?: { id: string }[] }; errors?: unknown[] } | undefined;
        if (r.status === 200 && !parsed?.errors && parsed?.data?.upsertItems?.[0]?.id === id) ackedItems.push(id);
        else {
          s.failed++;
          failures.push(`upsertItems: ${r.status ?? r.failure} ${short(r.text, 200)}`);
        }
        return;
      }
      const n = 1 + Math.floor(rng() * 5);
      const batch: AckedInteraction[] = [];
      const input = [];
      for (let k = 0; k < n; k++) {
        const userId = rng() < 0.1 ? `soak-user-${++newUsers}` : pick(users);
        const itemId = pick(items);
        const type = pick(types);
        const occurredAt = new Date(++clock).toISOString();
        batch.push({ userId, itemId, type, occurredAt });
        input.push({ userId, itemId, type, occurredAt, value: type === "RATING" ? 0.5 + Math.floor(rng() * 10) / 2 : 1 + Math.floor(rng() * 3) });
      }
      const r = await client.post(JSON.stringify({ query: "mutation($i: [InteractionInput!]!) { recordInteractions(interactions: $i) { accepted created updated unchanged } }", variables: { i: input } }));
      const s = stat("recordInteractions");
      s.count++;
      s.ms.push(r.ms);
      const parsed = parseJson(r.text) as { data?: { recordInteractions?: { accepted: number; created: number } }; errors?: unknown[] } | undefined;
      const p = parsed?.data?.recordInteractions;
      if (r.status === 200 && !parsed?.errors && p && p.accepted === n) acked.push(...batch);
      else {
        s.failed++;
        failures.push(`recordInteractions: ${r.status ?? r.failure} ${short(r.text, 200)}`);
      }
      return;
    }
    let x = rng() * readWeight;
    const op = reads.find((r) => (x -= r[1]) < 0) ?? reads[0];
    const r = await client.post(op[2]());
    const s = stat(op[0]);
    s.count++;
    s.ms.push(r.ms);
    const parsed = parseJson(r.text);
    if (r.status !== 200 || !parsed || parsed.errors || parsed.data == null) {
      s.failed++;
      failures.push(`${op[0]}: ${r.status ?? r.failure} ${short(r.text, 200)}`);
    }
  }

  // RSS samples every 5 s; progress every 30 s.
  const samples: { t: number; mb: number }[] = [];
  const t0 = performance.now();
  const elapsed = () => (performance.now() - t0) / 1000;
  const sampler = setInterval(() => samples.push({ t: elapsed(), mb: rssMb(server.pid) }), 5000);
  samples.push({ t: 0, mb: rssMb(server.pid) });
  let total = 0;
  let lastReport = 0;
  const reporter = setInterval(() => {
    const done = [...stats.values()].reduce((s, o) => s + o.count, 0);
    const failed = [...stats.values()].reduce((s, o) => s + o.failed, 0);
    process.stdout.write(`  ${elapsed().toFixed(0).padStart(4)} s: ${done} requests (${((done - lastReport) / 30).toFixed(0)}/s), ${failed} failed, RSS ${rssMb(server.pid).toFixed(0)} MB, load ${loadAverage()}\n`);
    lastReport = done;
  }, 30_000);
  const deadline = t0 + duration * 1000;
  await Promise.all(Array.from({ length: connections }, async () => {
    while (performance.now() < deadline && !server.exit) {
      await one();
      total++;
    }
  }));
  clearInterval(sampler);
  clearInterval(reporter);
  samples.push({ t: elapsed(), mb: rssMb(server.pid) });
  const runSeconds = elapsed();

  // Afterwards: alive, healthy, every acknowledged write present.
  const crashed = server.exit !== null;
  const health = await httpFetch(`${server.base}/healthz`);
  const real = await postGraphql(server.url, { query: '{ recommendations(userId: "demo-user-001", first: 5) { rank } }' });
  const { missing, examples } = await missingInteractions(db.url, acked);
  const itemRows = await sqlQuery<{ n: string }>(db.url, "SELECT count(*)::text AS n FROM items WHERE external_id = ANY($1::text[])", [ackedItems]);
  const missingItems = ackedItems.length - Number(itemRows[0].n);
  const soakRows = await sqlQuery<{ n: string }>(db.url, "SELECT count(*)::text AS n FROM interactions WHERE occurred_at >= '2026-01-01T00:00:00Z' AND occurred_at <= $1", [new Date(clock).toISOString()]);

  // RSS: mean of the samples in the 15 s before the end of warm-up, against the mean of the last 15 s.
  const around = (from: number, to: number) => {
    const xs = samples.filter((s) => s.t >= from && s.t <= to && Number.isFinite(s.mb)).map((s) => s.mb);
    return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN;
  };
  const rssWarm = around(warmup - 15, warmup);
  const rssEnd = around(runSeconds - 15, runSeconds);
  const rssMax = Math.max(...samples.filter((s) => s.t >= warmup).map((s) => s.mb));
  const growth = (rssEnd - rssWarm) / rssWarm;

  const all = [...stats.values()];
  const count = all.reduce((s, o) => s + o.count, 0);
  const failed = all.reduce((s, o) => s + o.failed, 0);
  const allMs = all.flatMap((o) => o.ms);
  const rows = [...stats].sort((a, b) => b[1].count - a[1].count).map(([name, o]) => [name, o.count, o.failed, percentile(o.ms, 50).toFixed(1), percentile(o.ms, 99).toFixed(1), largest(o.ms).toFixed(0)]);
  rows.push(["all", count, failed, percentile(allMs, 50).toFixed(1), percentile(allMs, 99).toFixed(1), largest(allMs).toFixed(0)]);
  process.stdout.write(`\n${table(rows, ["operation", "requests", "failed", "p50 ms", "p99 ms", "max ms"])}\n`);
  process.stdout.write(`\n${count} requests in ${runSeconds.toFixed(0)} s (${(count / runSeconds).toFixed(0)}/s) over ${connections} connections; load average at the end ${loadAverage()}\n`);
  process.stdout.write(`RSS: start ${samples[0].mb.toFixed(0)} MB, end of warm-up (${warmup} s) ${rssWarm.toFixed(1)} MB, end ${rssEnd.toFixed(1)} MB, max after warm-up ${rssMax.toFixed(0)} MB: growth ${(growth * 100).toFixed(1)}%\n`);
  process.stdout.write(`RSS samples (s:MB): ${samples.filter((_, i) => i % 6 === 0 || i === samples.length - 1).map((s) => `${s.t.toFixed(0)}:${s.mb.toFixed(0)}`).join(" ")}\n`);
  process.stdout.write(`writes acknowledged: ${acked.length} interactions (${soakRows[0].n} soak rows in the database), ${ackedItems.length} items; missing: ${missing} interactions, ${missingItems} items\n`);
  for (const e of examples) process.stdout.write(`  missing: ${JSON.stringify(e)}\n`);

  const checks: [string, boolean, string][] = [
    ["0 failed requests", failed === 0, `${failed} of ${count}`],
    ["server never exited", !crashed, crashed ? JSON.stringify(server.exit) : `pid ${server.pid}`],
    ["RSS growth after warm-up <= 10%", growth <= 0.1, `${rssWarm.toFixed(1)} -> ${rssEnd.toFixed(1)} MB (${(growth * 100).toFixed(1)}%)`],
    ["every acknowledged interaction stored", missing === 0, `${acked.length - missing}/${acked.length}`],
    ["exactly the acknowledged rows, no duplicates", Number(soakRows[0].n) === acked.length, `${soakRows[0].n} rows for ${acked.length} acknowledged`],
    ["every acknowledged item stored", missingItems === 0, `${ackedItems.length - missingItems}/${ackedItems.length}`],
    ["/healthz and a real query afterwards", health.status === 200 && real.status === 200 && !parseJson(real.body)?.errors, `${health.status} / ${real.status}`],
  ];
  process.stdout.write(`\n${table(checks.map(([n, ok, d]) => [n, ok ? "ok" : "FAIL", d]), ["check", "result", "detail"])}\n`);
  if (failures.length > 0) {
    const grouped = new Map<string, number>();
    for (const f of failures) grouped.set(f, (grouped.get(f) ?? 0) + 1);
    process.stdout.write(`\nfailed requests (${failures.length}):\n${[...grouped].slice(0, 20).map(([f, n]) => `  ${n}× ${f}`).join("\n")}\n`);
  }
  const errorLines = fs.readFileSync(server.logFile, "utf8").split("\n").filter((l) => /"level":"(error|warn)"/.test(l));
  if (errorLines.length > 0) process.stdout.write(`\nserver log warn/error lines (${errorLines.length}):\n${errorLines.slice(0, 10).map((l) => `  ${short(l, 300)}`).join("\n")}\n`);
  void total;
  await sleep(0);
  await server.stop();
  const pass = checks.every(([, ok]) => ok);
  process.stdout.write(`\nsoak: ${pass ? "PASS" : "FAIL"}\n`);
  return pass;
}

runMain(main);
