// nDCG@k for one user with binary relevance (a test item is a hit, whatever
// its rating), as both references do: Recommenders `ndcg_at_k` with its
// default score_type="binary" and Gorse `core.NDCG`.
//   DCG  = sum over hits at rank i (1-based) of 1 / log2(i + 1)
//   IDCG = sum for i = 1..min(|relevant|, idealCutoff) of 1 / log2(i + 1)
// idealCutoff is k for Recommenders (head(k) of the ideal list) and
// len(rankList) for Gorse. The log base cancels in the ratio, so
// Recommenders' natural log gives the same value.
// `gain` switches to graded relevance (gain per relevant item, e.g. its
// rating), ideal list sorted by gain.
export function ndcgAtK(
  ranked: ArrayLike<number>,
  relevant: ReadonlySet<number>,
  k: number,
  options: { idealCutoff?: number; gain?: ReadonlyMap<number, number> } = {},
): number {
  if (relevant.size === 0) return 0;
  const gainOf = (item: number): number => (options.gain ? (options.gain.get(item) ?? 0) : 1);
  const n = Math.min(k, ranked.length);
  let dcg = 0;
  for (let i = 0; i < n; i++) if (relevant.has(ranked[i])) dcg += gainOf(ranked[i]) / Math.log2(i + 2);
  const gains = [...relevant].map(gainOf).sort((a, b) => b - a);
  const cutoff = Math.min(gains.length, options.idealCutoff ?? k);
  let idcg = 0;
  for (let i = 0; i < cutoff; i++) idcg += gains[i] / Math.log2(i + 2);
  return idcg === 0 ? 0 : dcg / idcg;
}
