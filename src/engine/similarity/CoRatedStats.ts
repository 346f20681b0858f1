// Sums over the entries two rows have in common. Every similarity here is a
// function of these sums, so that no measure ever compares a value with a
// missing one (the mistake of the classic blog code that measured distance
// between dicts of different items).
import type { SparseVector } from "./SparseVector";

export interface CoRatedStats {
  n: number; // co-rated count (the "support")
  sumA: number;
  sumB: number;
  sumAA: number;
  sumBB: number;
  sumAB: number;
  // Entries in each whole row (Jaccard needs the union size).
  nA: number;
  nB: number;
}

export function emptyStats(): CoRatedStats {
  return { n: 0, sumA: 0, sumB: 0, sumAA: 0, sumBB: 0, sumAB: 0, nA: 0, nB: 0 };
}

// Merge join of two sorted sparse rows.
export function coRatedStats(a: SparseVector, b: SparseVector): CoRatedStats {
  const s = emptyStats();
  s.nA = a.indices.length;
  s.nB = b.indices.length;
  let i = 0;
  let j = 0;
  while (i < a.indices.length && j < b.indices.length) {
    const ia = a.indices[i];
    const ib = b.indices[j];
    if (ia < ib) i++;
    else if (ia > ib) j++;
    else {
      const x = a.values[i++];
      const y = b.values[j++];
      s.n++;
      s.sumA += x;
      s.sumB += y;
      s.sumAA += x * x;
      s.sumBB += y * y;
      s.sumAB += x * y;
    }
  }
  return s;
}
