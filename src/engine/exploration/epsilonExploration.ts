// The exploring policy of a surface (setExploration), and the exact
// probability it gives each item it shows, so logged feedback can be
// reweighted later (off-policy estimation, evaluation/offPolicy.ts).
//
// The policy, for one answer's first page of n items with exploration rate
// eps and a pool of the M best items of the normal ranking (after filters
// and exclusions; M >= n):
//   - with probability 1 - eps: the normal list (positions normal[0..n) of
//     the pool, the pool's first n unless the answer was re-ranked);
//   - with probability eps: a uniformly random ordered sample of n distinct
//     items of the pool (every one of the M!/(M-n)! orderings equally likely).
// Under a uniform ordered sample every pool item is at rank r with
// probability 1/M, so the item x shown at rank r had probability
//   p(x, r) = (1 - eps) * [x is the normal list's item at rank r] + eps / M,
// whichever branch was taken; an item outside the pool has probability 0 at
// every rank (it is outside the policy's support).
//
// Pure: the caller passes the random source (serving: Math.random; tests: a
// seeded one).

export interface ExploredList {
  // Pool positions of the items to show, in order (length n).
  shown: number[];
  // p(shown[r], r) for every rank r, as above.
  propensities: number[];
  // Whether the random branch was taken (for counting; the propensities
  // do not depend on it).
  explored: boolean;
}

// `normal`: the pool positions of the normal list; `poolSize`: M.
export function exploreList(normal: readonly number[], poolSize: number, rate: number, random: () => number): ExploredList {
  const n = normal.length;
  if (!(poolSize >= n)) throw new Error(`exploreList: the pool (${poolSize}) must hold the page (${n})`);
  const explored = rate > 0 && random() < rate;
  let shown: number[];
  if (explored) {
    // A partial Fisher-Yates shuffle: the first n of a uniform permutation.
    const pool = Array.from({ length: poolSize }, (_, k) => k);
    for (let r = 0; r < n; r++) {
      const j = r + Math.min(poolSize - r - 1, Math.floor(random() * (poolSize - r)));
      const t = pool[r];
      pool[r] = pool[j];
      pool[j] = t;
    }
    shown = pool.slice(0, n);
  } else {
    shown = [...normal];
  }
  return { shown, propensities: shown.map((x, r) => propensityAt(normal, poolSize, rate, x, r)), explored };
}

// p(x, r): the probability that the policy shows pool position x at rank r
// (0-based); x outside the pool (x < 0 or x >= M) has 0.
export function propensityAt(normal: readonly number[], poolSize: number, rate: number, x: number, r: number): number {
  if (x < 0 || x >= poolSize) return 0;
  return (1 - rate) * (normal[r] === x ? 1 : 0) + rate / poolSize;
}
