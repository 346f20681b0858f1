// Recall@k for one user: hits among the first k recommendations over the
// number of relevant items (Recommenders `recall_at_k`, Gorse `core.Recall`).
export function recallAtK(ranked: ArrayLike<number>, relevant: ReadonlySet<number>, k: number): number {
  if (relevant.size === 0) return 0;
  const n = Math.min(k, ranked.length);
  let hits = 0;
  for (let i = 0; i < n; i++) if (relevant.has(ranked[i])) hits++;
  return hits / relevant.size;
}
