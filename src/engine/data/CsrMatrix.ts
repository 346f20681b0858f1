// Compressed sparse row matrix on typed arrays. Row r's entries are
// indices[indptr[r] .. indptr[r+1]) with the matching values, column indices
// sorted ascending within each row and unique. The transpose of a CSR matrix
// is its CSC form, so `transpose()` serves both (item-major access for kNN).
export interface CsrMatrix {
  readonly nRows: number;
  readonly nCols: number;
  readonly indptr: Int32Array; // length nRows + 1
  readonly indices: Int32Array; // length nnz
  readonly values: Float32Array; // length nnz
}

export interface Triplet {
  row: number;
  col: number;
  value: number;
}

export type DuplicatePolicy = "sum" | "last" | "max";

// Builds a CSR matrix from unordered (row, col, value) triplets.
// Duplicated (row, col) pairs are merged by `duplicates` ("sum" by default:
// two plays of one song add up; "last" keeps the last one given, which is
// what a re-sent rating means).
export function csrFromTriplets(
  nRows: number,
  nCols: number,
  rows: ArrayLike<number>,
  cols: ArrayLike<number>,
  vals: ArrayLike<number>,
  duplicates: DuplicatePolicy = "sum",
): CsrMatrix {
  const n = rows.length;
  if (cols.length !== n || vals.length !== n) {
    throw new Error(`csrFromTriplets: rows, cols and values differ in length (${n}, ${cols.length}, ${vals.length})`);
  }
  const counts = new Int32Array(nRows + 1);
  for (let k = 0; k < n; k++) {
    const r = rows[k];
    const c = cols[k];
    if (r < 0 || r >= nRows || c < 0 || c >= nCols || !Number.isInteger(r) || !Number.isInteger(c)) {
      throw new Error(`csrFromTriplets: entry ${k} (${r}, ${c}) outside ${nRows}x${nCols}`);
    }
    counts[r + 1]++;
  }
  for (let r = 0; r < nRows; r++) counts[r + 1] += counts[r];
  // Stable counting sort by row keeps input order inside a row, so "last" is well defined.
  const order = new Int32Array(n);
  const fill = counts.slice(0, nRows);
  for (let k = 0; k < n; k++) order[fill[rows[k]]++] = k;

  const indptr = new Int32Array(nRows + 1);
  const outCols: number[] = [];
  const outVals: number[] = [];
  for (let r = 0; r < nRows; r++) {
    const start = counts[r];
    const end = counts[r + 1];
    const slice = Array.from(order.subarray(start, end));
    slice.sort((a, b) => cols[a] - cols[b] || a - b);
    let prevCol = -1;
    for (const k of slice) {
      const c = cols[k];
      const v = vals[k];
      if (c === prevCol) {
        const last = outVals.length - 1;
        if (duplicates === "sum") outVals[last] += v;
        else if (duplicates === "last") outVals[last] = v;
        else outVals[last] = Math.max(outVals[last], v);
      } else {
        outCols.push(c);
        outVals.push(v);
        prevCol = c;
      }
    }
    indptr[r + 1] = outCols.length;
  }
  return { nRows, nCols, indptr, indices: Int32Array.from(outCols), values: Float32Array.from(outVals) };
}

// The transpose; applied to a user x item CSR it gives the item-major (CSC) view.
export function transpose(m: CsrMatrix): CsrMatrix {
  const nnz = m.indices.length;
  const indptr = new Int32Array(m.nCols + 1);
  for (let k = 0; k < nnz; k++) indptr[m.indices[k] + 1]++;
  for (let c = 0; c < m.nCols; c++) indptr[c + 1] += indptr[c];
  const fill = indptr.slice(0, m.nCols);
  const indices = new Int32Array(nnz);
  const values = new Float32Array(nnz);
  for (let r = 0; r < m.nRows; r++) {
    for (let k = m.indptr[r]; k < m.indptr[r + 1]; k++) {
      const dest = fill[m.indices[k]]++;
      indices[dest] = r;
      values[dest] = m.values[k];
    }
  }
  return { nRows: m.nCols, nCols: m.nRows, indptr, indices, values };
}

export function rowNnz(m: CsrMatrix, row: number): number {
  return m.indptr[row + 1] - m.indptr[row];
}

export function nnz(m: CsrMatrix): number {
  return m.indices.length;
}
