// Intra-list diversity of one list: 1 - mean cosine similarity over its
// unordered item pairs (Ziegler et al. 2005, "Improving recommendation lists
// through topic diversification"). The item vectors are rows of a CSR matrix:
// genre features (item x feature), or the item's column of the interaction
// matrix (item x user, binarised), whose cosine is Recommenders'
// co-occurrence similarity count(i,j) / sqrt(count(i) count(j)).
import type { CsrMatrix } from "../../engine/data/CsrMatrix";

export function intraListDiversity(list: ArrayLike<number>, vectors: CsrMatrix, binary = false): number {
  const n = list.length;
  if (n < 2) return 0;
  let sum = 0;
  for (let a = 0; a < n; a++) {
    for (let b = a + 1; b < n; b++) sum += cosine(vectors, list[a], list[b], binary);
  }
  return 1 - sum / ((n * (n - 1)) / 2);
}

// Cosine of two CSR rows (column indices sorted); 0 when either is empty.
export function cosine(m: CsrMatrix, i: number, j: number, binary = false): number {
  let p = m.indptr[i];
  let q = m.indptr[j];
  const pEnd = m.indptr[i + 1];
  const qEnd = m.indptr[j + 1];
  const value = (k: number): number => (binary ? 1 : m.values[k]);
  let dot = 0;
  let ni = 0;
  let nj = 0;
  for (let k = p; k < pEnd; k++) ni += value(k) ** 2;
  for (let k = q; k < qEnd; k++) nj += value(k) ** 2;
  if (ni === 0 || nj === 0) return 0;
  while (p < pEnd && q < qEnd) {
    const ci = m.indices[p];
    const cj = m.indices[q];
    if (ci === cj) dot += value(p++) * value(q++);
    else if (ci < cj) p++;
    else q++;
  }
  return dot / Math.sqrt(ni * nj);
}
