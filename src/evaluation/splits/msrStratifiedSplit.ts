// Mirrors Microsoft Recommenders `python_stratified_split`
// (recommenders/datasets/python_splitters.py -> `_do_stratification`,
// is_random=True), defaults ratio=0.75, min_rating=1, seed=42:
//   if min_rating > 1: keep rows whose user (or item) has >= min_rating rows
//   np.random.seed(seed); data["random"] = np.random.rand(len(data))
//   sort by [group, random]; rank = (cumcount within group + 1) / group size
//   train: rank <= 0.75; test: 0.75 < rank <= 1.0
// So a group of n rows puts #{i in 1..n : i/n <= 0.75} rows in train: a
// group with a single row goes wholly to test.
// `filterBy` is the column stratified on. The benchmark notebook that
// produced the published figures (examples/06_benchmarks/movielens.ipynb)
// calls it with filter_by="item", i.e. 75% of each ITEM's ratings in train;
// the function's own default is "user".
import type { Fold } from "./Fold";
import { NumpyRandomState } from "./NumpyRandomState";

export interface StratifiedSplitOptions {
  ratio?: number;
  minRating?: number;
  filterBy?: "user" | "item";
  seed?: number;
}

export function msrStratifiedSplit(
  data: { readonly users: ArrayLike<number>; readonly items: ArrayLike<number> },
  options: StratifiedSplitOptions = {},
): Fold {
  const ratio = options.ratio ?? 0.75;
  const minRating = options.minRating ?? 1;
  const seed = options.seed ?? 42;
  if (!(ratio > 0 && ratio < 1)) throw new Error(`msrStratifiedSplit: ratio must be in (0, 1), got ${ratio}`);
  if (minRating < 1) throw new Error(`msrStratifiedSplit: min_rating must be >= 1, got ${minRating}`);
  const groups = (options.filterBy ?? "user") === "user" ? data.users : data.items;
  const n = groups.length;

  const groupSize = new Map<number, number>();
  for (let r = 0; r < n; r++) groupSize.set(groups[r], (groupSize.get(groups[r]) ?? 0) + 1);
  const kept: number[] = [];
  for (let r = 0; r < n; r++) if (minRating <= 1 || groupSize.get(groups[r])! >= minRating) kept.push(r);

  // One uniform per kept row, drawn in row order, as np.random.rand(len(data)).
  const rng = new NumpyRandomState(seed);
  const random = new Float64Array(n);
  for (const r of kept) random[r] = rng.random();

  const byGroup = new Map<number, number[]>();
  for (const r of kept) {
    const list = byGroup.get(groups[r]);
    if (list) list.push(r);
    else byGroup.set(groups[r], [r]);
  }
  const threshold = [ratio, ratio + (1 - ratio)]; // np.cumsum([ratio, 1 - ratio])
  const train: number[] = [];
  const test: number[] = [];
  const keys = [...byGroup.keys()].sort((a, b) => a - b);
  for (const key of keys) {
    const rows = byGroup.get(key)!;
    rows.sort((a, b) => random[a] - random[b] || a - b);
    const count = rows.length;
    rows.forEach((r, i) => {
      const rank = (i + 1) / count;
      if (rank <= threshold[0]) train.push(r);
      else if (rank <= threshold[1]) test.push(r);
    });
  }
  return { train: Int32Array.from(train), test: Int32Array.from(test) };
}
