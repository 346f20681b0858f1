// The one place that decides which PostgreSQL we talk to: a real server when
// DATABASE_URL is set, otherwise PGlite (PostgreSQL compiled to WebAssembly)
// in a data folder. Both go through the same Prisma client and SQL.
import fs from "node:fs";
import path from "node:path";
import pg from "pg";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "../generated/prisma/client";
import type { Database, SqlDriver } from "./Database";
import { redact } from "../config";

export interface DatabaseOptions {
  databaseUrl?: string;
  // Embedded database folder; undefined with no databaseUrl means in memory.
  dataDir?: string;
  // For tests: start the embedded database from a dumped data folder (tarball).
  pgliteDump?: Blob;
  poolSize?: number;
  // PostgreSQL only. How long to wait for a connection (a new one, or a free
  // one from a full pool) before failing (default 5000 ms).
  connectionTimeoutMs?: number;
  // PostgreSQL only. The server cancels any statement running longer than
  // this (statement_timeout; default 30000 ms; 0 turns both timeouts off).
  // The client also gives up on a statement that gets no answer for this
  // long plus a 5 s grace (query_timeout): a frozen server (SIGSTOP, a hung
  // host) cancels nothing itself. Both failures are answered as
  // SERVICE_UNAVAILABLE (src/graphql/formatError.ts). Parameters in
  // DATABASE_URL (?statement_timeout=..., ?connectionTimeoutMillis=...,
  // ?query_timeout=...) take precedence over these.
  statementTimeoutMs?: number;
}

export const DEFAULT_CONNECTION_TIMEOUT_MS = 5000;
export const DEFAULT_STATEMENT_TIMEOUT_MS = 30_000;
const QUERY_TIMEOUT_GRACE_MS = 5000;

type Listener = (sql: string) => void;

type Adapter = NonNullable<ConstructorParameters<typeof PrismaClient>[0]["adapter"]>;

function createPrisma(adapter: Adapter, listeners: Set<Listener>): PrismaClient {
  const prisma = new PrismaClient({ adapter, log: [{ emit: "event" as const, level: "query" as const }] });
  prisma.$on("query", (event) => {
    for (const listener of listeners) listener(event.query);
  });
  return prisma;
}

function pgDriver(pool: pg.Pool | pg.PoolClient, listeners: Set<Listener>): SqlDriver {
  const notify = (sql: string) => {
    for (const listener of listeners) listener(sql);
  };
  return {
    async query<T>(sql: string, params: unknown[] = [], name?: string) {
      notify(sql);
      const result = await pool.query(name ? { name, text: sql, values: params } : { text: sql, values: params });
      return result.rows as T[];
    },
    async exec(sql: string) {
      notify(sql);
      await pool.query(sql);
    },
    async transaction<T>(fn: (tx: SqlDriver) => Promise<T>) {
      if (!(pool instanceof pg.Pool)) return fn(pgDriver(pool, listeners));
      const client = await pool.connect();
      try {
        await client.query("BEGIN");
        const result = await fn(pgDriver(client, listeners));
        await client.query("COMMIT");
        return result;
      } catch (error) {
        await client.query("ROLLBACK").catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    },
  };
}

// The pool's settings: without timeouts a database that stops answering
// leaves every request waiting for ever instead of failing fast.
export function poolConfig(url: string, options: DatabaseOptions): pg.PoolConfig {
  const statementTimeout = options.statementTimeoutMs ?? DEFAULT_STATEMENT_TIMEOUT_MS;
  return {
    connectionString: url,
    max: options.poolSize ?? 10,
    connectionTimeoutMillis: options.connectionTimeoutMs ?? DEFAULT_CONNECTION_TIMEOUT_MS,
    ...(statementTimeout > 0 ? { statement_timeout: statementTimeout, query_timeout: statementTimeout + QUERY_TIMEOUT_GRACE_MS } : {}),
  };
}

async function openPostgres(url: string, options: DatabaseOptions): Promise<Database> {
  const listeners = new Set<Listener>();
  const pool = new pg.Pool(poolConfig(url, options));
  // An idle client losing its connection (database restart) must not crash the process.
  pool.on("error", () => undefined);
  const prisma = createPrisma(new PrismaPg(pool), listeners);
  return {
    kind: "postgres",
    description: `PostgreSQL at ${redact(url)}`,
    prisma,
    sql: pgDriver(pool, listeners),
    onStatement(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    listen: (channel, onMessage, onReset) => listenPostgres(url, channel, onMessage, onReset),
    async close() {
      await prisma.$disconnect();
      await pool.end();
    },
  };
}

// One dedicated connection LISTENing on `channel`, outside the pool. When it
// drops (a restart, a network cut) onReset runs — messages may have been
// missed meanwhile — and it reconnects, backing off up to 5 s.
async function listenPostgres(url: string, channel: string, onMessage: (payload: string) => void, onReset: () => void): Promise<() => Promise<void>> {
  if (!/^[a-z_][a-z0-9_]*$/.test(channel)) throw new Error(`listen: bad channel name ${JSON.stringify(channel)}`);
  let client: pg.Client | undefined;
  let stopped = false;
  let delay = 250;
  let timer: NodeJS.Timeout | undefined;
  const connect = async (): Promise<void> => {
    const c = new pg.Client({ connectionString: url });
    c.on("notification", (m) => {
      if (m.channel === channel) onMessage(m.payload ?? "");
    });
    const lost = () => {
      if (client !== c) return;
      client = undefined;
      c.end().catch(() => undefined);
      onReset();
      if (!stopped) schedule();
    };
    c.on("error", lost);
    c.on("end", lost);
    await c.connect();
    await c.query(`LISTEN ${channel}`);
    client = c;
    delay = 250;
  };
  const schedule = () => {
    timer = setTimeout(() => {
      connect().catch(() => {
        onReset();
        delay = Math.min(delay * 2, 5000);
        if (!stopped) schedule();
      });
    }, delay);
    timer.unref();
  };
  await connect();
  return async () => {
    stopped = true;
    clearTimeout(timer);
    const c = client;
    client = undefined;
    await c?.end().catch(() => undefined);
  };
}

// PGlite is imported lazily: servers on a real PostgreSQL never load its WebAssembly.
async function openPglite(options: DatabaseOptions): Promise<Database> {
  const { PGlite } = await import("@electric-sql/pglite");
  const { PrismaPGlite } = await import("pglite-prisma-adapter");
  const listeners = new Set<Listener>();
  let dataDir: string | undefined;
  if (options.dataDir) {
    dataDir = path.join(options.dataDir, "pgdata");
    fs.mkdirSync(dataDir, { recursive: true });
  }
  const client = new PGlite(dataDir ?? "memory://", options.pgliteDump ? { loadDataDir: options.pgliteDump } : {});
  await client.waitReady;
  const prisma = createPrisma(new PrismaPGlite(client), listeners);
  const notify = (sql: string) => {
    for (const listener of listeners) listener(sql);
  };
  type Queryable = Pick<typeof client, "query" | "exec">;
  const driver = (conn: Queryable, inTransaction: boolean): SqlDriver => ({
    async query<T>(sql: string, params: unknown[] = []) {
      notify(sql);
      return (await conn.query<T>(sql, params)).rows;
    },
    async exec(sql: string) {
      notify(sql);
      await conn.exec(sql);
    },
    async transaction<T>(fn: (tx: SqlDriver) => Promise<T>) {
      if (inTransaction) return fn(driver(conn, true));
      return client.transaction((tx) => fn(driver(tx, true)));
    },
  });
  return {
    kind: "pglite",
    description: dataDir ? `embedded PostgreSQL (PGlite) in ${dataDir}` : "embedded PostgreSQL (PGlite) in memory",
    prisma,
    sql: driver(client, false),
    dumpDataDir: async () => (await client.dumpDataDir("gzip")) as Blob,
    onStatement(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async close() {
      await prisma.$disconnect();
      await client.close();
    },
  };
}

export async function createDatabase(options: DatabaseOptions): Promise<Database> {
  if (options.databaseUrl) return openPostgres(options.databaseUrl, options);
  return openPglite(options);
}
