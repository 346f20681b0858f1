// What every recommendation answer showed, written to the database in
// batches rather than a statement per request: answers append to an
// in-process buffer, and a batch is written when it holds `batchSize`
// impressions or `flushIntervalMs` after the first one waiting, whichever
// comes first (one multi-row INSERT per batch, db/impressionRepository.ts).
// The buffer is bounded: past `maxBuffered` impressions (waiting or being
// written) a new one is dropped, and a batch the database refuses is
// dropped too; both are counted in marquee_impressions_dropped_total, never
// silent. stop() writes what is left (the app's shutdown path).
//
// An impression id handed out by this process must be accepted by
// recordInteractions at once: holds() says whether one of the given ids or
// users is still buffered here, and flush() writes everything added before
// the call (interactionService flushes before it attributes).
import type { Database } from "../db/Database";
import type { Logger } from "../logger";
import { processMetrics } from "../observability/metrics";
import type { ReachRollup } from "./reachRollup";

export interface ImpressionRecord {
  id: string;
  // Database id of the user shown to; null for anonymous answers.
  userId: number | null;
  // The user's external id, for holds() (not written).
  userKey: string | null;
  surface: string;
  strategy: string | null;
  model: string | null;
  // The experiment and arm names (null or absent outside experiments).
  experiment?: string | null;
  arm?: string | null;
  shownAt: Date;
  itemIds: number[];
  ranks: number[];
  // A page's rail for each item (null for a plain list).
  rails: (number | null)[] | null;
  scores: number[];
  // An exploring answer's: each item's probability under the serving
  // policy, and the pool it was drawn from (database item ids).
  propensities?: number[];
  pool?: number[];
}

export type ImpressionWriter = (batch: readonly ImpressionRecord[]) => Promise<void>;

export interface ImpressionLogOptions {
  batchSize: number;
  flushIntervalMs: number;
  maxBuffered: number;
}

// An impression in the buffer, numbered in the order it was added.
type Buffered = ImpressionRecord & { seq: number };

export class ImpressionLog {
  private pending: Buffered[] = [];
  private inFlight = 0;
  private writing: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  // The number of the last impression added.
  private added = 0;
  // Buffered (waiting or being written) impressions by id and by user.
  private readonly ids = new Set<string>();
  private readonly users = new Map<string, number>();
  private stopped_ = false;

  constructor(
    private readonly write: ImpressionWriter,
    private readonly options: ImpressionLogOptions,
    private readonly logger?: Logger,
    // Users reached and items shown, gathered from the written batches.
    private readonly reach?: ReachRollup,
  ) {}

  // Buffers one impression; false when it was dropped (the buffer is full).
  add(record: ImpressionRecord): boolean {
    if (this.stopped_ || this.pending.length + this.inFlight >= this.options.maxBuffered) {
      processMetrics().countImpressionsDropped("overflow", 1);
      return false;
    }
    // Numbered in place: a copy per answer shows on the request path.
    const buffered = record as Buffered;
    buffered.seq = ++this.added;
    this.pending.push(buffered);
    this.ids.add(record.id);
    if (record.userKey !== null) this.users.set(record.userKey, (this.users.get(record.userKey) ?? 0) + 1);
    if (this.pending.length >= this.options.batchSize) {
      if (!this.writing) this.writeNext();
    } else if (!this.timer && !this.writing) {
      this.timer = setTimeout(() => this.onTimer(), this.options.flushIntervalMs);
      this.timer.unref();
    }
    return true;
  }

  // Impressions waiting or being written.
  get buffered(): number {
    return this.pending.length + this.inFlight;
  }

  // Whether any of these impression ids, or any impression of these users
  // (external ids), is still in the buffer.
  holds(ids: Iterable<string>, userKeys: Iterable<string>): boolean {
    if (this.ids.size === 0) return false;
    for (const id of ids) if (this.ids.has(id)) return true;
    for (const key of userKeys) if (this.users.has(key)) return true;
    return false;
  }

  // Leaves out the waiting impressions of a user being deleted (a batch
  // already being written is waited for by deleteUser, which deletes its rows).
  forgetUser(userId: number): void {
    const kept = this.pending.filter((r) => r.userId !== userId);
    for (const r of this.pending) if (r.userId === userId) this.release(r);
    this.pending = kept;
  }

  // Resolves once every impression added before the call is written (or dropped).
  async flush(): Promise<void> {
    const target = this.added;
    for (;;) {
      if (this.writing) await this.writing;
      else if (this.pending.length > 0 && this.pending[0].seq <= target) this.writeNext();
      else return;
    }
  }

  // Writes what is left and takes no more (the app's shutdown path).
  get stopped(): boolean {
    return this.stopped_;
  }

  async stop(): Promise<void> {
    this.stopped_ = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.flushAll();
  }

  // flush(), then the reach rollups gathered so far (what onlineMetrics reads).
  async flushAll(): Promise<void> {
    await this.flush();
    await this.reach?.flush();
  }

  private onTimer(): void {
    this.timer = undefined;
    if (!this.writing && this.pending.length > 0) this.writeNext();
  }

  private writeNext(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.pending.splice(0, this.options.batchSize);
    this.inFlight += batch.length;
    this.writing = this.writeBatch(batch).finally(() => {
      this.inFlight -= batch.length;
      for (const r of batch) this.release(r);
      this.writing = undefined;
      if (this.pending.length >= this.options.batchSize || (this.stopped_ && this.pending.length > 0)) this.writeNext();
      else if (this.pending.length > 0 && !this.timer) {
        this.timer = setTimeout(() => this.onTimer(), this.options.flushIntervalMs);
        this.timer.unref();
      }
    });
  }

  private async writeBatch(batch: Buffered[]): Promise<void> {
    if (batch.length === 0) return;
    try {
      await this.write(batch);
      this.reach?.add(batch);
      const bySurface = new Map<string, number>();
      const exploring = new Map<string, number>();
      for (const r of batch) {
        bySurface.set(r.surface, (bySurface.get(r.surface) ?? 0) + 1);
        if (r.propensities && r.propensities.length > 0) exploring.set(r.surface, (exploring.get(r.surface) ?? 0) + 1);
      }
      for (const [surface, n] of bySurface) processMetrics().countImpressionsWritten(surface, n);
      for (const [surface, n] of exploring) processMetrics().countExploringAnswers(surface, n);
      // Nothing by experiment or arm: /metrics is open, and experiments are admin-only (experiment(id)).
    } catch (error) {
      processMetrics().countImpressionsDropped("write_failed", batch.length);
      this.logger?.warn("could not write a batch of impressions; they are dropped", { impressions: batch.length, error: (error as Error)?.message });
    }
  }

  private release(r: ImpressionRecord): void {
    this.ids.delete(r.id);
    if (r.userKey === null) return;
    const n = (this.users.get(r.userKey) ?? 1) - 1;
    if (n <= 0) this.users.delete(r.userKey);
    else this.users.set(r.userKey, n);
  }
}

const logs = new WeakMap<Database, ImpressionLog>();
// The log an app replaced when it enabled its own on the same database (two
// apps on one database, as tests run them): put back when it stops.
const replaced = new WeakMap<ImpressionLog, ImpressionLog>();

// The log of this database's answers; undefined when impressions are off
// (or in a process that serves none, like the CLIs).
export function impressionLogOf(db: Database): ImpressionLog | undefined {
  return logs.get(db);
}

export function enableImpressionLog(db: Database, write: ImpressionWriter, options: ImpressionLogOptions, logger?: Logger, reach?: ReachRollup): ImpressionLog {
  const log = new ImpressionLog(write, options, logger, reach);
  const previous = logs.get(db);
  if (previous) replaced.set(log, previous);
  logs.set(db, log);
  return log;
}

// Writes what `log` holds and takes it out of service.
export async function stopImpressionLog(db: Database, log: ImpressionLog | undefined = logs.get(db)): Promise<void> {
  if (!log) return;
  await log.stop();
  if (logs.get(db) !== log) return;
  let previous = replaced.get(log);
  while (previous?.stopped) previous = replaced.get(previous);
  if (previous) logs.set(db, previous);
  else logs.delete(db);
}
