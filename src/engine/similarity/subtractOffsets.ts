// A copy of a sparse matrix or row with an offset taken off every stored entry
// (column means for adjusted cosine, baselines for pearsonBaseline). Missing
// entries stay missing: centring never invents a value.
import type { CsrMatrix } from "../data/CsrMatrix";
import type { SparseVector } from "./SparseVector";

export function subtractOffsets(m: CsrMatrix, offset: (row: number, col: number) => number): CsrMatrix {
  const values = new Float32Array(m.values.length);
  for (let r = 0; r < m.nRows; r++) {
    for (let k = m.indptr[r]; k < m.indptr[r + 1]; k++) values[k] = m.values[k] - offset(r, m.indices[k]);
  }
  return { ...m, values };
}

export function subtractFromRow(v: SparseVector, offset: (col: number) => number): SparseVector {
  const values = new Float64Array(v.indices.length);
  for (let k = 0; k < values.length; k++) values[k] = v.values[k] - offset(v.indices[k]);
  return { indices: v.indices, values };
}

// Mean of each column over its stored entries (0 for an empty column).
export function columnMeans(m: CsrMatrix): Float64Array {
  const sum = new Float64Array(m.nCols);
  const count = new Float64Array(m.nCols);
  for (let k = 0; k < m.indices.length; k++) {
    sum[m.indices[k]] += m.values[k];
    count[m.indices[k]]++;
  }
  for (let c = 0; c < m.nCols; c++) sum[c] = count[c] > 0 ? sum[c] / count[c] : 0;
  return sum;
}
