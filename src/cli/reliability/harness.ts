// Shared pieces of the reliability scripts (hostile, soak, fault): a scratch
// database on the local PostgreSQL, the real server as a child process, HTTP
// helpers with time limits, and the checks every answer must pass (a coded
// error, no stack trace, SQL text or file path in the body).
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import pg from "pg";

export const ADMIN_URL = process.env.RELIABILITY_ADMIN_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
export const ROOT = path.resolve(__dirname, "../../..");

export function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

export function flag(name: string): boolean {
  return process.argv.includes(`--${name}`);
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

// ---------------------------------------------------------------- databases

export interface ScratchDb {
  name: string;
  url: string;
  drop(): Promise<void>;
}

export function withDatabase(adminUrl: string, name: string): string {
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  return u.toString();
}

export async function createScratchDb(prefix: string, adminUrl = ADMIN_URL): Promise<ScratchDb> {
  const name = `${prefix}_${new Date().toISOString().replace(/[-:TZ.]/g, "").slice(0, 14)}_${process.pid}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  let dropped = false;
  return {
    name,
    url: withDatabase(adminUrl, name),
    async drop() {
      if (dropped) return;
      dropped = true;
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}

export async function sqlQuery<T = Record<string, unknown>>(url: string, text: string, params: unknown[] = []): Promise<T[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query(text, params)).rows as T[];
  } finally {
    await c.end();
  }
}

// ------------------------------------------------------------------ server

export interface ServerProcess {
  child: ChildProcess;
  pid: number;
  port: number;
  base: string;
  url: string;
  logFile: string;
  // Set when the process exits: code or signal.
  exit: { code: number | null; signal: NodeJS.Signals | null } | null;
  // Every exit not asked for through stop()/kill9() is a crash.
  expectedExit: boolean;
  stop(): Promise<void>;
  kill9(): Promise<void>;
  logTail(lines?: number): string;
}

// Runs `node --import tsx src/index.ts` rather than the tsx CLI: the CLI keeps
// the server in a second process, so its pid would be the wrong one to sample
// for RSS or to kill -9.
export async function startServer(env: Record<string, string | undefined>, label: string, logDir = os.tmpdir()): Promise<ServerProcess> {
  const port = await freePort();
  const logFile = path.join(logDir, `marquee-${label}-${port}.log`);
  const log = fs.openSync(logFile, "a");
  const childEnv: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined) childEnv[k] = v;
  delete childEnv.DATABASE_URL;
  delete childEnv.MARQUEE_DATA_DIR;
  Object.assign(childEnv, { PORT: String(port), HOST: "127.0.0.1", MARQUEE_DEMO_DATA: "true", LOG_LEVEL: "info" });
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined) delete childEnv[k];
    else childEnv[k] = v;
  }
  const child = spawn(process.execPath, ["--import", "tsx", "src/index.ts"], { cwd: ROOT, env: childEnv, stdio: ["ignore", log, log] });
  fs.closeSync(log);
  const base = `http://127.0.0.1:${port}`;
  const proc: ServerProcess = {
    child,
    pid: child.pid!,
    port,
    base,
    url: `${base}/graphql`,
    logFile,
    exit: null,
    expectedExit: false,
    async stop() {
      if (proc.exit) return;
      proc.expectedExit = true;
      child.kill("SIGTERM");
      const done = await Promise.race([exited, sleep(10_000).then(() => false)]);
      if (done === false && !proc.exit) {
        child.kill("SIGKILL");
        await exited;
      }
    },
    async kill9() {
      proc.expectedExit = true;
      child.kill("SIGKILL");
      await exited;
    },
    logTail(lines = 30) {
      try {
        return fs.readFileSync(logFile, "utf8").split("\n").slice(-lines).join("\n");
      } catch {
        return "";
      }
    },
  };
  const exited = new Promise<true>((resolve) =>
    child.once("exit", (code, signal) => {
      proc.exit = { code, signal };
      resolve(true);
    }),
  );
  liveServers.add(proc);
  child.once("exit", () => liveServers.delete(proc));
  return proc;
}

export async function waitReady(server: ServerProcess, timeoutMs = 180_000): Promise<number> {
  const started = performance.now();
  while (performance.now() - started < timeoutMs) {
    if (server.exit) throw new Error(`the server exited (${JSON.stringify(server.exit)}) before it was ready:\n${server.logTail()}`);
    try {
      const r = await fetch(`${server.base}/readyz`, { signal: AbortSignal.timeout(2000) });
      await r.text();
      if (r.ok) return performance.now() - started;
    } catch {
      // not listening yet
    }
    await sleep(250);
  }
  throw new Error(`the server was not ready after ${timeoutMs} ms:\n${server.logTail()}`);
}

export function rssMb(pid: number): number {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
    return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN) / 1024;
  } catch {
    return NaN;
  }
}

export function loadAverage(): string {
  return os.loadavg().map((n) => n.toFixed(2)).join(", ");
}

// Resources to release however the script ends.
const liveServers = new Set<ServerProcess>();
const cleanups: (() => Promise<void> | void)[] = [];
export function onCleanup(fn: () => Promise<void> | void): void {
  cleanups.push(fn);
}
export async function cleanup(): Promise<void> {
  for (const s of [...liveServers]) await s.stop().catch(() => undefined);
  while (cleanups.length > 0) {
    const fn = cleanups.pop()!;
    try {
      await fn();
    } catch (error) {
      process.stderr.write(`cleanup failed: ${(error as Error).message}\n`);
    }
  }
}
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    process.stderr.write(`\n${signal}: cleaning up\n`);
    void cleanup().finally(() => process.exit(130));
  });
}

// Runs main, always cleans up, exits 0 only when main says everything passed.
export function runMain(main: () => Promise<boolean>): void {
  main()
    .then(async (ok) => {
      await cleanup();
      process.exit(ok ? 0 : 1);
    })
    .catch(async (error) => {
      process.stderr.write(`${(error as Error)?.stack ?? String(error)}\n`);
      await cleanup();
      process.exit(1);
    });
}

// ------------------------------------------------------------------- HTTP

export interface Answer {
  // null: no HTTP answer at all (connection closed, reset or timed out).
  status: number | null;
  headers: Record<string, string>;
  body: string;
  ms: number;
  failure?: string;
}

export async function httpFetch(url: string, init: RequestInit & { timeoutMs?: number } = {}): Promise<Answer> {
  const started = performance.now();
  try {
    const r = await fetch(url, { ...init, signal: AbortSignal.timeout(init.timeoutMs ?? 15_000) });
    const body = await r.text();
    const headers: Record<string, string> = {};
    r.headers.forEach((v, k) => (headers[k] = v));
    return { status: r.status, headers, body, ms: performance.now() - started };
  } catch (error) {
    const e = error as Error & { cause?: { code?: string; message?: string } };
    return { status: null, headers: {}, body: "", ms: performance.now() - started, failure: `${e.name}: ${e.cause?.code ?? e.cause?.message ?? e.message}` };
  }
}

export function postGraphql(url: string, body: unknown, headers: Record<string, string> = {}, timeoutMs = 15_000): Promise<Answer> {
  return httpFetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
    timeoutMs,
  });
}

// Sends bytes on a raw socket and reads until the server closes or the time is up.
export function rawHttp(port: number, chunks: (string | Buffer)[], timeoutMs = 5000, gapMs = 0): Promise<Answer> {
  return new Promise((resolve) => {
    const started = performance.now();
    const socket = net.connect(port, "127.0.0.1");
    const received: Buffer[] = [];
    let settled = false;
    const finish = (failure?: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      const text = Buffer.concat(received).toString("utf8");
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(text);
      const split = text.indexOf("\r\n\r\n");
      const headers: Record<string, string> = {};
      for (const line of text.slice(0, split < 0 ? 0 : split).split("\r\n").slice(1)) {
        const i = line.indexOf(":");
        if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
      }
      resolve({
        status: m ? Number(m[1]) : null,
        headers,
        body: split >= 0 ? text.slice(split + 4) : text,
        ms: performance.now() - started,
        failure: m ? undefined : failure ?? "no HTTP answer",
      });
    };
    const timer = setTimeout(() => finish("timeout"), timeoutMs);
    socket.on("data", (d) => {
      received.push(d);
      // One answer is enough: stop once a complete response with a content-length arrived.
      const text = Buffer.concat(received).toString("latin1");
      const split = text.indexOf("\r\n\r\n");
      const cl = /\r\ncontent-length:\s*(\d+)/i.exec(text.slice(0, split));
      if (split >= 0 && cl && Buffer.byteLength(text.slice(split + 4), "latin1") >= Number(cl[1])) finish();
    });
    socket.on("error", (e) => finish(`socket error: ${(e as NodeJS.ErrnoException).code ?? e.message}`));
    socket.on("close", () => finish("closed"));
    socket.on("connect", async () => {
      for (const c of chunks) {
        if (socket.destroyed) return;
        socket.write(c);
        if (gapMs > 0) await sleep(gapMs);
      }
    });
  });
}

// ----------------------------------------------------------------- checks

export interface GraphqlBody {
  data?: unknown;
  errors?: { message?: unknown; extensions?: { code?: unknown } }[];
}

export function parseJson(text: string): GraphqlBody | undefined {
  try {
    const v = JSON.parse(text);
    return v && typeof v === "object" ? (v as GraphqlBody) : undefined;
  } catch {
    return undefined;
  }
}

export function errorCodes(body: GraphqlBody | undefined): (string | undefined)[] {
  return (body?.errors ?? []).map((e) => (typeof e?.extensions?.code === "string" ? e.extensions.code : undefined));
}

// What must never reach a client: a stack trace, a source path, SQL or a
// driver's message.
const LEAKS: [string, RegExp][] = [
  ["stack trace", /\bat [\w$.<>]+ \(?[^\s()]+:\d+:\d+\)?|"stacktrace"/],
  ["file path", /\/work\/|\/home\/|node_modules|src\/[\w/]+\.ts|\.ts:\d+/],
  ["SQL text", /\b(SELECT\s[\s\S]{0,200}\sFROM|INSERT\s+INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM|ON CONFLICT)\b/i],
  ["driver message", /invalid byte sequence|syntax error at or near|violates (unique|foreign key|check) constraint|relation "\w+"|PrismaClient|prisma\.\w+\.|index row size|out of range for type|ECONNREFUSED/i],
];

export function leaks(text: string): string | undefined {
  for (const [name, re] of LEAKS) {
    const m = re.exec(text);
    if (m) return `${name}: ${JSON.stringify(m[0].slice(0, 80))}`;
  }
  return undefined;
}

// Problems with one GraphQL answer regardless of what was asked: uncoded or
// internal errors, leaks.
export function genericProblems(a: Answer, allowInternal = false): string[] {
  const problems: string[] = [];
  if (a.status === null) return [`no answer (${a.failure})`];
  const body = parseJson(a.body);
  // Data echoes what the client sent (a title may well contain SQL); errors and non-JSON bodies must not leak.
  const leak = leaks(body ? JSON.stringify(body.errors ?? []) : a.body);
  if (leak) problems.push(`leak: ${leak}`);
  const codes = errorCodes(body);
  if (codes.some((c) => c === undefined)) problems.push("an error without extensions.code");
  if (!allowInternal && codes.includes("INTERNAL_SERVER_ERROR")) problems.push("INTERNAL_SERVER_ERROR");
  return problems;
}

// ----------------------------------------------------------------- output

export function table(rows: (string | number)[][], header: string[]): string {
  const all = [header, ...rows.map((r) => r.map(String))];
  const widths = header.map((_, i) => Math.max(...all.map((r) => (r[i] ?? "").length)));
  const line = (r: string[]) => `| ${r.map((c, i) => c.padEnd(widths[i])).join(" | ")} |`;
  return [line(header), `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`, ...all.slice(1).map(line)].join("\n");
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

export function short(text: string, n = 160): string {
  const t = text.replace(/\s+/g, " ");
  return t.length > n ? `${t.slice(0, n)}…` : t;
}

// ------------------------------------------------------- keep-alive client

export interface Posted {
  status: number | null;
  text: string;
  ms: number;
  failure?: string;
}

// A POST /graphql client over node:http with at most `connections` keep-alive
// sockets (lighter than fetch on a machine the server shares).
export function keepAliveClient(port: number, connections: number, headers: Record<string, string> = {}) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections, maxFreeSockets: connections });
  function post(body: string, timeoutMs = 30_000): Promise<Posted> {
    return new Promise((resolve) => {
      const started = performance.now();
      let done = false;
      const finish = (p: Omit<Posted, "ms">) => {
        if (done) return;
        done = true;
        resolve({ ...p, ms: performance.now() - started });
      };
      const req = http.request(
        { host: "127.0.0.1", port, path: "/graphql", method: "POST", agent, timeout: timeoutMs,
          headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body), ...headers } },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () => finish({ status: res.statusCode ?? null, text: Buffer.concat(chunks).toString("utf8") }));
          res.on("error", (e) => finish({ status: null, text: "", failure: e.message }));
        },
      );
      req.on("timeout", () => req.destroy(new Error(`timeout after ${timeoutMs} ms`)));
      req.on("error", (e) => finish({ status: null, text: "", failure: `${(e as NodeJS.ErrnoException).code ?? ""} ${e.message}`.trim() }));
      req.end(body);
    });
  }
  return { post, close: () => agent.destroy() };
}

// Every item id of the catalog, through the API.
export async function allItemIds(url: string): Promise<string[]> {
  const ids: string[] = [];
  let after: string | null = null;
  for (;;) {
    const a = await postGraphql(url, { query: "query($after: String) { items(first: 100, after: $after) { pageInfo { hasNextPage endCursor } nodes { id } } }", variables: { after } });
    const body = parseJson(a.body) as { data?: { items?: { pageInfo: { hasNextPage: boolean; endCursor: string | null }; nodes: { id: string }[] } } } | undefined;
    const page = body?.data?.items;
    if (!page) throw new Error(`cannot list items: ${a.status} ${short(a.body, 200)}`);
    ids.push(...page.nodes.map((n) => n.id));
    if (!page.pageInfo.hasNextPage || !page.pageInfo.endCursor) return ids;
    after = page.pageInfo.endCursor;
  }
}

export interface AckedInteraction {
  userId: string;
  itemId: string;
  type: string;
  occurredAt: string;
}

// How many of the acknowledged interactions the database does not hold.
export async function missingInteractions(dbUrl: string, acked: AckedInteraction[]): Promise<{ missing: number; examples: AckedInteraction[] }> {
  if (acked.length === 0) return { missing: 0, examples: [] };
  const rows = await sqlQuery<{ u: string; i: string; t: string; at: Date }>(
    dbUrl,
    `SELECT a.u, a.i, a.t, a.at FROM unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[]) AS a(u, i, t, at)
     WHERE NOT EXISTS (
       SELECT 1 FROM interactions x JOIN users u ON u.id = x.user_id JOIN items it ON it.id = x.item_id
       WHERE u.external_id = a.u AND it.external_id = a.i AND x.type::text = a.t AND x.occurred_at = a.at)`,
    [acked.map((a) => a.userId), acked.map((a) => a.itemId), acked.map((a) => a.type), acked.map((a) => a.occurredAt)],
  );
  return { missing: rows.length, examples: rows.slice(0, 5).map((r) => ({ userId: r.u, itemId: r.i, type: r.t, occurredAt: new Date(r.at).toISOString() })) };
}
