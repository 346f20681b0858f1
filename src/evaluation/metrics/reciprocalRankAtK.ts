// Reciprocal rank of the first hit within the first k recommendations, 0 when
// none (Gorse `core.MRR`); its mean over users is MRR@k.
export function reciprocalRankAtK(ranked: ArrayLike<number>, relevant: ReadonlySet<number>, k: number): number {
  const n = Math.min(k, ranked.length);
  for (let i = 0; i < n; i++) if (relevant.has(ranked[i])) return 1 / (i + 1);
  return 0;
}
