// Keeps this process's ModelStore serving what model_versions says is
// active, whoever activated it (this replica, another one, a worker process,
// `npm run train`): every intervalMs it reads the active (name, version) set
// and, when it differs from what the store serves, calls reload(), which
// swaps the whole set at once without a restart. check() runs a tick at once;
// the server calls it (through activeVersionsChanged) right after a local
// activation.
import type { Database } from "../db/Database";
import type { Logger } from "../logger";
import { modelStoreOf, type ModelStore } from "./ModelStore";
import { explorationSettingsOf } from "./explorationSettings";

export interface ActiveVersionWatcherOptions {
  intervalMs: number;
  logger: Logger;
  // Runs after each tick's check (the running experiments' refresh and guardrails).
  onTick?: () => Promise<void>;
}

export const DEFAULT_WATCH_INTERVAL_MS = 5000;
const RETRY_FAILED_MS = 60_000;

type Active = { name: string; version: number; revision: number };

// Name, version and revision: a version rewritten in place (deleteUser's
// scrub) is a change too.
function fingerprint(rows: readonly Active[]): string {
  return rows
    .map((r) => `${r.name}@${r.version}.${r.revision}`)
    .sort()
    .join(",");
}

// The watcher of each database handle's own store (modelStoreOf(db)).
const watchers = new WeakMap<Database, ActiveVersionWatcher>();

export class ActiveVersionWatcher {
  private timer: NodeJS.Timeout | undefined;
  private chain: Promise<unknown> = Promise.resolve();
  private running = false;
  // A set whose reload failed, or loaded without a version that could not
  // be rebuilt: retried after RETRY_FAILED_MS (the failure may have been a
  // dropped connection), or at once when the set changes.
  private failed: { wanted: string; at: number } | undefined;

  constructor(
    private readonly db: Database,
    private readonly store: ModelStore,
    private readonly options: ActiveVersionWatcherOptions,
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    if (this.store === modelStoreOf(this.db)) watchers.set(this.db, this);
    this.schedule();
  }

  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.timer);
    this.timer = undefined;
    if (watchers.get(this.db) === this) watchers.delete(this.db);
    await this.chain;
  }

  // Reloads the store when the database's active set differs from what it
  // serves; true when it reloaded. Calls run one after another.
  check(): Promise<boolean> {
    const next = this.chain.then(() => this.compareAndReload());
    this.chain = next.catch(() => undefined);
    return next;
  }

  private schedule(): void {
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.check()
        .catch((error) => this.options.logger.warn("could not read the active model versions", { error: (error as Error)?.message }))
        // Exploration settings ride the same tick (in the chain stop() waits
        // for): another replica's setExploration is served here within the interval.
        .then(() => this.refreshExploration())
        .then(() => this.options.onTick?.())
        .catch((error) => this.options.logger.warn("the watch tick's experiment check failed", { error: (error as Error)?.message }))
        .finally(() => {
          if (this.running) this.schedule();
        });
    }, this.options.intervalMs);
  }

  private refreshExploration(): Promise<void> {
    if (this.store !== modelStoreOf(this.db)) return Promise.resolve();
    const next = this.chain.then(() => explorationSettingsOf(this.db).refresh());
    this.chain = next.catch(() => undefined);
    return next.catch((error) => this.options.logger.warn("could not read the exploration settings", { error: (error as Error)?.message }));
  }

  private async compareAndReload(): Promise<boolean> {
    const rows = await this.db.sql.query<Active>(`SELECT name, version, revision FROM model_versions WHERE is_active`);
    const wanted = fingerprint(rows);
    const serving = fingerprint(this.store.all());
    if (wanted === serving) return false;
    if (this.failed?.wanted === wanted && Date.now() - this.failed.at < RETRY_FAILED_MS) return false;
    try {
      await this.store.reload();
      const failures = this.store.failures();
      this.failed = failures.length > 0 ? { wanted, at: Date.now() } : undefined;
      this.options.logger.info("active model versions changed; reloaded", { from: serving, to: fingerprint(this.store.all()) });
      for (const f of failures) {
        this.options.logger.error("could not load an active model version; serving without it", {
          model: f.name,
          version: f.version,
          error: f.message,
          serving: this.store.get(f.name) ? `${f.name}@${this.store.get(f.name)!.version}` : "none (its strategy falls back)",
        });
      }
    } catch (error) {
      this.failed = { wanted, at: Date.now() };
      this.options.logger.error("could not load the active model versions; still serving the previous ones", {
        wanted,
        error: (error as Error)?.message ?? String(error),
      });
    }
    return true;
  }
}

// After a local activation or rollback: this process serves the change before
// the caller gets its answer (through its watcher, or a plain reload when
// none runs, e.g. a test server).
export async function activeVersionsChanged(db: Database): Promise<void> {
  const watcher = watchers.get(db);
  if (watcher) await watcher.check();
  else await modelStoreOf(db).reload();
}
