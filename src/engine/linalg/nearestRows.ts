import type { ScoredItem } from "../types";

// The k rows of a dense row-major factor matrix (nRows x dim) most similar to
// row `target` by cosine, excluding the target itself and all-zero rows
// (untrained, cold-start rows). Used for similarItems/similarUsers of the
// factor models.
export function nearestRows(
  factors: ArrayLike<number>,
  nRows: number,
  dim: number,
  target: number,
  k: number,
): ScoredItem[] {
  if (target < 0 || target >= nRows || k <= 0) return [];
  const norms = new Float64Array(nRows);
  for (let r = 0; r < nRows; r++) {
    let s = 0;
    for (let f = 0; f < dim; f++) s += factors[r * dim + f] * factors[r * dim + f];
    norms[r] = Math.sqrt(s);
  }
  if (norms[target] === 0) return [];
  const scores = new Float32Array(nRows);
  const t = target * dim;
  for (let r = 0; r < nRows; r++) {
    if (r === target || norms[r] === 0) {
      scores[r] = Number.NEGATIVE_INFINITY;
      continue;
    }
    let dot = 0;
    for (let f = 0; f < dim; f++) dot += factors[r * dim + f] * factors[t + f];
    scores[r] = dot / (norms[r] * norms[target]);
  }
  return topK(scores, k);
}

// The k highest finite scores, best first (ties broken by lower index).
export function topK(scores: ArrayLike<number>, k: number): ScoredItem[] {
  const out: ScoredItem[] = [];
  for (let i = 0; i < scores.length; i++) {
    const s = scores[i];
    if (!Number.isFinite(s)) continue;
    if (out.length === k && s <= out[k - 1].score) continue;
    let pos = out.length < k ? out.length : k - 1;
    if (out.length < k) out.push({ item: i, score: s });
    else out[pos] = { item: i, score: s };
    while (pos > 0 && out[pos - 1].score < s) {
      const tmp = out[pos - 1];
      out[pos - 1] = out[pos];
      out[pos] = tmp;
      pos--;
    }
  }
  return out;
}
