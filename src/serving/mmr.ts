// Maximal marginal relevance re-ranking (Carbonell & Goldstein 1998): pick
// greedily the candidate maximising
//   (1 - diversity) * relevance - diversity * max similarity to those picked,
// relevance min-max scaled to [0, 1] over the pool so the two terms compare.
// diversity 0 keeps the relevance order; 1 spreads as far as it can.
export interface MmrCandidate {
  readonly score: number;
}

export function mmrOrder<T extends MmrCandidate>(
  pool: readonly T[],
  k: number,
  diversity: number,
  similarity: (a: T, b: T) => number,
): T[] {
  if (diversity <= 0 || pool.length <= 1) return pool.slice(0, k);
  let lo = Infinity;
  let hi = -Infinity;
  for (const c of pool) {
    lo = Math.min(lo, c.score);
    hi = Math.max(hi, c.score);
  }
  const span = hi - lo;
  const relevance = pool.map((c) => (span > 0 ? (c.score - lo) / span : 1));
  const maxSim = new Float64Array(pool.length);
  const taken = new Uint8Array(pool.length);
  const out: T[] = [];
  while (out.length < Math.min(k, pool.length)) {
    let best = -1;
    let bestValue = -Infinity;
    for (let i = 0; i < pool.length; i++) {
      if (taken[i]) continue;
      const value = (1 - diversity) * relevance[i] - diversity * maxSim[i];
      if (value > bestValue) {
        bestValue = value;
        best = i;
      }
    }
    taken[best] = 1;
    out.push(pool[best]);
    for (let i = 0; i < pool.length; i++) if (!taken[i]) maxSim[i] = Math.max(maxSim[i], similarity(pool[best], pool[i]));
  }
  return out;
}

// Cosine between two weighted feature lists (ids ascending or not).
export function featureCosine(a: readonly { featureId: number; weight: number }[], b: readonly { featureId: number; weight: number }[]): number {
  if (a.length === 0 || b.length === 0) return 0;
  const wa = new Map(a.map((f) => [f.featureId, f.weight]));
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (const f of a) na += f.weight * f.weight;
  for (const f of b) {
    nb += f.weight * f.weight;
    const w = wa.get(f.featureId);
    if (w !== undefined) dot += w * f.weight;
  }
  return na > 0 && nb > 0 ? dot / Math.sqrt(na * nb) : 0;
}
