import type { PrismaClient } from "../generated/prisma/client";

// A plain SQL connection for what Prisma's client does not do: running
// migration files (many statements in one text) under our own transaction.
export interface SqlDriver {
  // `name` makes it a prepared statement on PostgreSQL (planned once per
  // connection); hot read paths use it. PGlite ignores it.
  query<T = Record<string, unknown>>(sql: string, params?: unknown[], name?: string): Promise<T[]>;
  // Runs a script of several statements (no parameters).
  exec(sql: string): Promise<void>;
  transaction<T>(fn: (tx: SqlDriver) => Promise<T>): Promise<T>;
}

export type DatabaseKind = "postgres" | "pglite";

export interface Database {
  readonly kind: DatabaseKind;
  // Where the data lives, for the start banner (password redacted).
  readonly description: string;
  readonly prisma: PrismaClient;
  readonly sql: SqlDriver;
  // Statement listeners, used by tests and metrics to count SQL statements.
  onStatement(listener: (sql: string) => void): () => void;
  // Calls onMessage for each NOTIFY on `channel` from any connection, and
  // onReset when messages may have been lost (the listening connection
  // dropped; it reconnects). The embedded database is one process: it has
  // no other writers to hear from and leaves this undefined.
  listen?(channel: string, onMessage: (payload: string) => void, onReset: () => void): Promise<() => Promise<void>>;
  // Embedded only: the data folder as a tarball (tests start from a migrated one).
  dumpDataDir?(): Promise<Blob>;
  close(): Promise<void>;
}
