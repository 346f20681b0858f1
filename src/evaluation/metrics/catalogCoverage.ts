// Catalog coverage: the share of the catalog that appears in at least one
// recommendation list (Recommenders `catalog_coverage`: distinct recommended
// items over distinct items in the training data).
export function catalogCoverage(lists: Iterable<ArrayLike<number>>, catalogSize: number): number {
  if (catalogSize <= 0) return 0;
  const seen = new Set<number>();
  for (const list of lists) for (let i = 0; i < list.length; i++) seen.add(list[i]);
  return seen.size / catalogSize;
}
