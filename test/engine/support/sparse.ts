// Test helpers to write sparse rows and matrices as literals.
import { csrFromTriplets, type CsrMatrix } from "../../../src/engine/data/CsrMatrix";
import type { SparseVector } from "../../../src/engine/similarity/SparseVector";

// sv({ 1: 3, 2: 4 }) is the row with 3 at column 1 and 4 at column 2.
export function sv(entries: Record<number, number>): SparseVector {
  const cols = Object.keys(entries).map(Number).sort((a, b) => a - b);
  return { indices: Int32Array.from(cols), values: Float64Array.from(cols.map((c) => entries[c])) };
}

// matrix(4, [{0: 5, 1: 3}, {...}]): one literal per row.
export function matrix(nCols: number, rows: Record<number, number>[]): CsrMatrix {
  const r: number[] = [];
  const c: number[] = [];
  const v: number[] = [];
  rows.forEach((row, i) => {
    for (const [col, value] of Object.entries(row)) {
      r.push(i);
      c.push(Number(col));
      v.push(value);
    }
  });
  return csrFromTriplets(rows.length, nCols, r, c, v);
}

// The two rows used across the similarity tests. They share columns 1, 2, 4;
// column 0 only a has, column 3 only b has, and those must not count.
//   a = {0: 5, 1: 3, 2: 4, 4: 1}
//   b = {1: 4, 2: 2, 3: 5, 4: 2}
//   co-rated: a -> (3, 4, 1), b -> (4, 2, 2)
export const A = { 0: 5, 1: 3, 2: 4, 4: 1 };
export const B = { 1: 4, 2: 2, 3: 5, 4: 2 };
