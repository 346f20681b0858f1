// Impression retention (MARQUEE_IMPRESSION_RETENTION): where the job worker
// runs, impressions older than the retention are deleted once at start and
// then every hour, in chunks of a bounded size so no statement holds locks
// or writes WAL for long, with a pause between chunks for the API's
// statements. The hourly rollups are aggregates and stay: onlineMetrics
// answers for any range the same before and after.
import type { Database } from "../db/Database";
import { deleteImpressionsBefore } from "../db/impressionRepository";
import type { Logger } from "../logger";
import { processMetrics } from "../observability/metrics";

export interface ImpressionPrunerOptions {
  // Impressions shown longer ago than this are deleted (ms; > 0).
  retentionMs: number;
  intervalMs?: number;
  chunk?: number;
  logger?: Logger;
}

export const IMPRESSION_PRUNE_DEFAULTS = { intervalMs: 3_600_000, chunk: 5000, pauseMs: 50 };

// Deletes every impression shown before `now - retentionMs`, chunk by chunk; returns how many.
// `keepGoing` ends it early (a worker stopping), between chunks.
export async function pruneImpressions(
  db: Database,
  retentionMs: number,
  now: Date = new Date(),
  chunk: number = IMPRESSION_PRUNE_DEFAULTS.chunk,
  pauseMs = 0,
  keepGoing: () => boolean = () => true,
): Promise<number> {
  const before = new Date(now.getTime() - retentionMs);
  let total = 0;
  for (;;) {
    const n = await deleteImpressionsBefore(db, before, chunk);
    total += n;
    if (n > 0) processMetrics().countImpressionsPruned(n);
    if (n < chunk || !keepGoing()) return total;
    if (pauseMs > 0) await new Promise((resolve) => setTimeout(resolve, pauseMs));
  }
}

export class ImpressionPruner {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly db: Database,
    private readonly options: ImpressionPrunerOptions,
  ) {}

  start(): void {
    this.schedule(0);
  }

  // Resolves once the current prune, if any, has finished its chunk loop.
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  // One pass; errors are logged (the database may be away: try next time).
  async runOnce(now: Date = new Date()): Promise<number> {
    try {
      const pruned = await pruneImpressions(this.db, this.options.retentionMs, now, this.options.chunk ?? IMPRESSION_PRUNE_DEFAULTS.chunk, IMPRESSION_PRUNE_DEFAULTS.pauseMs, () => !this.stopped);
      if (pruned > 0) this.options.logger?.info("pruned old impressions", { impressions: pruned, retentionDays: this.options.retentionMs / 86_400_000 });
      return pruned;
    } catch (error) {
      this.options.logger?.warn("could not prune old impressions", { error: (error as Error)?.message });
      return 0;
    }
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.runOnce().then(() => {
        this.running = undefined;
        this.schedule(this.options.intervalMs ?? IMPRESSION_PRUNE_DEFAULTS.intervalMs);
      });
    }, ms);
    this.timer.unref();
  }
}
