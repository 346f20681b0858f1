// What one process saw of one experiment arm's recommend calls, for its
// guardrails: requests, errors, and latencies in a small histogram (bucket
// bounds growing by a quarter, from 1 ms to about a minute: a p99 read from
// it is at most 25% above the true one, in 50 counters).
const BOUNDS: readonly number[] = (() => {
  const bounds: number[] = [];
  for (let b = 1; b < 60_000; b *= 1.25) bounds.push(b);
  return bounds;
})();

export class ArmGuard {
  requests = 0;
  errors = 0;
  private readonly counts = new Uint32Array(BOUNDS.length + 1);

  observe(latencyMs: number, failed: boolean): void {
    this.requests++;
    if (failed) this.errors++;
    let lo = 0;
    let hi = BOUNDS.length;
    // The first bucket whose upper bound holds the latency.
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (latencyMs <= BOUNDS[mid]) hi = mid;
      else lo = mid + 1;
    }
    this.counts[lo]++;
  }

  get errorRate(): number {
    return this.requests === 0 ? 0 : this.errors / this.requests;
  }

  // The upper bound of the bucket holding the q-quantile (null: no requests;
  // Infinity: beyond the last bound).
  quantileMs(q: number): number | null {
    if (this.requests === 0) return null;
    const rank = Math.ceil(q * this.requests);
    let seen = 0;
    for (let k = 0; k < this.counts.length; k++) {
      seen += this.counts[k];
      if (seen >= rank) return k < BOUNDS.length ? BOUNDS[k] : Infinity;
    }
    return Infinity;
  }
}
