// Position of (row, col) in a CSR matrix, or -1: binary search within the
// row, whose column indices are sorted.
import type { CsrMatrix } from "./CsrMatrix";

export function findEntry(m: CsrMatrix, row: number, col: number): number {
  let lo = m.indptr[row];
  let hi = m.indptr[row + 1] - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const c = m.indices[mid];
    if (c === col) return mid;
    if (c < col) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}
