// Precision@k for one user: hits among the first k recommendations divided by
//   "k"    - Recommenders `precision_at_k` (hit / k, so a list shorter than k
//            cannot reach 1; Spark's convention),
//   "list" - Gorse `core.Precision` (hit / len(rankList)).
export function precisionAtK(
  ranked: ArrayLike<number>,
  relevant: ReadonlySet<number>,
  k: number,
  divideBy: "k" | "list" = "k",
): number {
  const n = Math.min(k, ranked.length);
  let hits = 0;
  for (let i = 0; i < n; i++) if (relevant.has(ranked[i])) hits++;
  const denominator = divideBy === "k" ? k : n;
  return denominator === 0 ? 0 : hits / denominator;
}
