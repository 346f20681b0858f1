// Live service figures from the same prom-client registry /metrics renders:
// a snapshot of the counters and the GraphQL latency histogram is kept every
// few seconds, and rates and the p99 come from the difference between the
// newest snapshot and the oldest one inside the window (as Prometheus's
// rate() and histogram_quantile() would compute them from two scrapes).
import type { Metrics } from "../../observability/metrics";

export interface Snapshot {
  atMs: number;
  // Every HTTP request but the dashboard's own (its poller would count itself).
  httpRequests: number;
  graphqlRequests: number;
  // Cumulative GraphQL latency buckets (le in seconds, +Inf last), summed over operations.
  buckets: { le: number; count: number }[];
  errors: Map<string, number>;
  // Recommendation answers that fell back, by "requested served surface".
  fallbacks: Map<string, number>;
}

export interface LiveFigures {
  sampledAt: number;
  windowSeconds: number;
  httpPerSecond: number;
  graphqlPerSecond: number;
  // Seconds; null without a GraphQL request in the window.
  p50: number | null;
  p99: number | null;
  errorsPerSecond: number;
  errors: { code: string; window: number; total: number }[];
  fallbacks: FallbackRow[];
  // GraphQL requests per second between consecutive snapshots, oldest first.
  history: { atMs: number; perSecond: number }[];
}

export interface FallbackRow {
  requested: string;
  served: string;
  surface: string;
  window: number;
  total: number;
}

export async function takeSnapshot(metrics: Metrics, atMs: number): Promise<Snapshot> {
  const [requests, durations, errors, fallbacks] = await Promise.all([
    metrics.httpRequests.get(),
    metrics.graphqlDuration.get(),
    metrics.errors.get(),
    metrics.fallbacks.get(),
  ]);
  let httpRequests = 0;
  for (const v of requests.values) if (v.labels.route !== "/dashboard") httpRequests += v.value;
  const byLe = new Map<number, number>();
  let graphqlRequests = 0;
  for (const v of durations.values) {
    const name = (v as { metricName?: string }).metricName ?? "";
    if (name.endsWith("_bucket")) {
      const bound = (v.labels as Record<string, string | number | undefined>).le;
      const le = bound === "+Inf" ? Infinity : Number(bound);
      byLe.set(le, (byLe.get(le) ?? 0) + v.value);
    } else if (name.endsWith("_count")) {
      graphqlRequests += v.value;
    }
  }
  const errorCounts = new Map<string, number>();
  for (const v of errors.values) errorCounts.set(String(v.labels.code), v.value);
  const fallbackCounts = new Map<string, number>();
  for (const v of fallbacks.values) fallbackCounts.set(`${v.labels.requested} ${v.labels.served} ${v.labels.surface}`, v.value);
  return {
    atMs,
    httpRequests,
    graphqlRequests,
    buckets: [...byLe].map(([le, count]) => ({ le, count })).sort((a, b) => a.le - b.le),
    errors: errorCounts,
    fallbacks: fallbackCounts,
  };
}

// The q-quantile from cumulative bucket counts, interpolating linearly inside
// the bucket it falls in (Prometheus's histogram_quantile); a quantile in the
// +Inf bucket is reported as the largest finite bound.
export function histogramQuantile(q: number, buckets: readonly { le: number; count: number }[]): number | null {
  const total = buckets.length > 0 ? buckets[buckets.length - 1].count : 0;
  if (!(total > 0)) return null;
  const rank = q * total;
  let lowerLe = 0;
  let lowerCount = 0;
  for (const b of buckets) {
    if (b.count >= rank) {
      if (b.le === Infinity) return lowerLe;
      const inBucket = b.count - lowerCount;
      return inBucket > 0 ? lowerLe + ((b.le - lowerLe) * (rank - lowerCount)) / inBucket : b.le;
    }
    lowerLe = b.le;
    lowerCount = b.count;
  }
  return lowerLe;
}

function bucketDelta(newer: Snapshot, older: Snapshot): { le: number; count: number }[] {
  const before = new Map(older.buckets.map((b) => [b.le, b.count]));
  return newer.buckets.map((b) => ({ le: b.le, count: b.count - (before.get(b.le) ?? 0) }));
}

export class LiveSampler {
  private readonly samples: Snapshot[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly metrics: Metrics,
    private readonly options: { intervalMs: number; windowMs: number; keep: number } = { intervalMs: 2000, windowMs: 60_000, keep: 150 },
  ) {}

  // A snapshot every interval from now on; the timer does not keep the process alive.
  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.sample(), this.options.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  // A snapshot as of now, kept for the history unless the last kept one is
  // less than half an interval old: pages and pollers also ask between the
  // timer's ticks, and points a fraction of a second apart made a jagged
  // chart with the same clock label twice.
  async sample(now = Date.now()): Promise<Snapshot> {
    const snapshot = await takeSnapshot(this.metrics, now);
    const last = this.samples[this.samples.length - 1];
    if (!last || snapshot.atMs - last.atMs >= this.options.intervalMs / 2) this.samples.push(snapshot);
    if (this.samples.length > this.options.keep) this.samples.splice(0, this.samples.length - this.options.keep);
    return snapshot;
  }

  // The figures as of now (a fresh snapshot, so a page shows what just happened).
  async figures(now = Date.now()): Promise<LiveFigures> {
    const newest = await this.sample(now);
    const older = this.samples.filter((s) => s !== newest && s.atMs < newest.atMs);
    const base = older.find((s) => newest.atMs - s.atMs <= this.options.windowMs) ?? older[older.length - 1];
    const history = this.samples.slice(1).map((s, i) => {
      const prev = this.samples[i];
      const seconds = (s.atMs - prev.atMs) / 1000;
      return { atMs: s.atMs, perSecond: seconds > 0 ? Math.max(0, s.graphqlRequests - prev.graphqlRequests) / seconds : 0 };
    });
    if (!base) {
      return {
        sampledAt: now,
        windowSeconds: 0,
        httpPerSecond: 0,
        graphqlPerSecond: 0,
        p50: null,
        p99: null,
        errorsPerSecond: 0,
        errors: errorRows(newest, undefined),
        fallbacks: fallbackRows(newest, undefined),
        history,
      };
    }
    const seconds = Math.max(0.001, (newest.atMs - base.atMs) / 1000);
    const latency = bucketDelta(newest, base);
    const errors = errorRows(newest, base);
    return {
      sampledAt: now,
      windowSeconds: seconds,
      httpPerSecond: (newest.httpRequests - base.httpRequests) / seconds,
      graphqlPerSecond: (newest.graphqlRequests - base.graphqlRequests) / seconds,
      p50: histogramQuantile(0.5, latency),
      p99: histogramQuantile(0.99, latency),
      errorsPerSecond: errors.reduce((sum, e) => sum + e.window, 0) / seconds,
      errors,
      fallbacks: fallbackRows(newest, base),
      history,
    };
  }
}

function errorRows(newest: Snapshot, base: Snapshot | undefined): { code: string; window: number; total: number }[] {
  return [...newest.errors]
    .map(([code, total]) => ({ code, total, window: total - (base?.errors.get(code) ?? 0) }))
    .filter((e) => e.total > 0)
    .sort((a, b) => b.window - a.window || b.total - a.total || a.code.localeCompare(b.code));
}

function fallbackRows(newest: Snapshot, base: Snapshot | undefined): FallbackRow[] {
  return [...newest.fallbacks]
    .map(([key, total]) => {
      const [requested, served, surface] = key.split(" ");
      return { requested, served, surface, total, window: total - (base?.fallbacks.get(key) ?? 0) };
    })
    .filter((f) => f.total > 0)
    .sort((a, b) => b.window - a.window || b.total - a.total || a.requested.localeCompare(b.requested) || a.surface.localeCompare(b.surface));
}
