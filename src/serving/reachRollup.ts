// The reach rollups (impression_item_hourly: how often each item was shown;
// impression_user_hourly: the HyperLogLog registers of the users shown to),
// per hour and group, gathered in memory from the impressions this process
// has written and added to the database every REACH_FLUSH_MS in one
// statement, and when the server stops. They are kept apart from the
// impressions' own batch, whose hourly counts must be exact and in step with
// the rows: per batch they added a row per distinct item and user register,
// 2-3x the batch's database time, while a minute's worth of batches touches
// each item and register once. The price: a crash loses up to a minute of
// users, coverage and novelty (never impressions or clicks), and
// onlineMetrics writes what is pending before it reads.
import type { ImpressionRecord } from "./impressionLog";
import { hllPosition } from "../engine/sketch/hyperLogLog";
import { armLabel } from "./experimentRegistry";

export const REACH_FLUSH_MS = 60_000;

export interface ReachGroup {
  hour: Date;
  surface: string;
  strategy: string;
  model: string;
  arm: string;
  // Item id -> times shown; register -> largest rank seen.
  items: Map<number, number>;
  registers: Map<number, number>;
}

export type ReachWriter = (groups: readonly ReachGroup[]) => Promise<void>;

const HOUR_MS = 3_600_000;

// The rollups' group of an impression: its hour (UTC, in ms), strategy and
// model ('' when absent) and arm ("<experiment>/<arm>", '' outside
// experiments), and a key naming the group with its surface.
export function rollupGroupOf(r: ImpressionRecord): { key: string; hour: number; strategy: string; model: string; arm: string } {
  const hour = Math.floor(r.shownAt.getTime() / HOUR_MS) * HOUR_MS;
  const strategy = r.strategy ?? "";
  const model = r.model ?? "";
  const arm = r.experiment != null && r.arm != null ? armLabel(r.experiment, r.arm) : "";
  return { key: `${hour}\u0000${r.surface}\u0000${strategy}\u0000${model}\u0000${arm}`, hour, strategy, model, arm };
}

export class ReachRollup {
  private groups = new Map<string, ReachGroup>();
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly write: ReachWriter,
    private readonly onError: (error: unknown, groups: number) => void = () => undefined,
    private readonly flushMs = REACH_FLUSH_MS,
  ) {}

  // Adds what a written batch showed (the rollups' keys as the batch
  // statement writes them: '' for a missing strategy, model or arm).
  add(batch: readonly ImpressionRecord[]): void {
    for (const r of batch) {
      const { key, hour, strategy, model, arm } = rollupGroupOf(r);
      let g = this.groups.get(key);
      if (!g) this.groups.set(key, (g = { hour: new Date(hour), surface: r.surface, strategy, model, arm, items: new Map(), registers: new Map() }));
      for (const item of r.itemIds) g.items.set(item, (g.items.get(item) ?? 0) + 1);
      if (r.userId !== null) {
        const { register, rho } = hllPosition(r.userId);
        if ((g.registers.get(register) ?? 0) < rho) g.registers.set(register, rho);
      }
    }
    if (!this.timer && this.groups.size > 0) {
      this.timer = setTimeout(() => void this.flush(), this.flushMs);
      this.timer.unref();
    }
  }

  // Writes what is pending; resolves when it (and any write before it) is done.
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const groups = [...this.groups.values()];
    this.groups = new Map();
    if (groups.length > 0) {
      this.writing = this.writing.then(() =>
        this.write(groups).catch((error) => this.onError(error, groups.length)),
      );
    }
    return this.writing;
  }
}
