// A sparse row: ascending unique indices with their values (a CSR row slice).
import type { CsrMatrix } from "../data/CsrMatrix";

export interface SparseVector {
  readonly indices: ArrayLike<number>;
  readonly values: ArrayLike<number>;
}

// Row r of `m` as a SparseVector, sharing memory with the matrix (no copy).
export function rowOf(m: CsrMatrix, r: number): SparseVector {
  const start = m.indptr[r];
  const end = m.indptr[r + 1];
  return { indices: m.indices.subarray(start, end), values: m.values.subarray(start, end) };
}
