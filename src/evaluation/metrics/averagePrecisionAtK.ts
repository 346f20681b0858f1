// Average precision@k for one user; its mean over users is MAP@k.
//   sum over hits at rank i (1-based) of (hits so far / i), divided by
//   "relevant"     - |relevant|: Gorse `core.MAP`, and Recommenders `map`
//                    (the function its benchmark tables report as "MAP"; the
//                    older `map_at_k` divided this way too),
//   "min(relevant,k)" - Recommenders' current `map_at_k` and Spark's
//                    `meanAveragePrecisionAt(k)`.
export function averagePrecisionAtK(
  ranked: ArrayLike<number>,
  relevant: ReadonlySet<number>,
  k: number,
  divideBy: "relevant" | "min(relevant,k)" = "relevant",
): number {
  if (relevant.size === 0) return 0;
  const n = Math.min(k, ranked.length);
  let hits = 0;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    if (relevant.has(ranked[i])) {
      hits++;
      sum += hits / (i + 1);
    }
  }
  return sum / (divideBy === "relevant" ? relevant.size : Math.min(relevant.size, k));
}
