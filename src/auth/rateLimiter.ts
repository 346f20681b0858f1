// Per-key token buckets (in this process: with N replicas a key gets up to N
// times its rate; see docs/SCALING.md). A bucket holds `burst` tokens and
// refills at `perSecond`; a request takes one or is refused with the seconds
// until one is back (the Retry-After header).
export interface RateLimit {
  perSecond: number;
  burst: number;
}

interface Bucket {
  tokens: number;
  at: number;
}

export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(private readonly maxBuckets = 100_000) {}

  // 0 when the request may go on, else the whole seconds to wait.
  take(key: string, limit: RateLimit, nowMs: number): number {
    if (limit.perSecond <= 0) return 0;
    let bucket = this.buckets.get(key);
    if (!bucket) {
      if (this.buckets.size >= this.maxBuckets) this.buckets.clear();
      bucket = { tokens: limit.burst, at: nowMs };
      this.buckets.set(key, bucket);
    }
    bucket.tokens = Math.min(limit.burst, bucket.tokens + ((nowMs - bucket.at) / 1000) * limit.perSecond);
    bucket.at = nowMs;
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - bucket.tokens) / limit.perSecond));
  }
}
