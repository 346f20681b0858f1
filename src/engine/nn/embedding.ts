// Embedding lookups and the transposes the shared input/output item
// embeddings need (the output layer reads them transposed: fullSoftmax.ts).

// out_t = scale · E[items_t] (+ P[positions_t] when given), rows of width dim.
export function embedForward(
  table: Float32Array,
  items: Int32Array,
  rows: number,
  dim: number,
  scale: number,
  out: Float32Array,
  positionTable?: Float32Array,
  positions?: Int32Array,
): void {
  for (let t = 0; t < rows; t++) {
    const e = items[t] * dim;
    const o = t * dim;
    for (let f = 0; f < dim; f++) out[o + f] = scale * table[e + f];
    if (positionTable && positions) {
      const p = positions[t] * dim;
      for (let f = 0; f < dim; f++) out[o + f] += positionTable[p + f];
    }
  }
}

// dE[items_t] += scale · d_t (and dP[positions_t] += d_t).
export function embedBackward(
  dout: Float32Array,
  items: Int32Array,
  rows: number,
  dim: number,
  scale: number,
  dtable: Float32Array,
  dpositionTable?: Float32Array,
  positions?: Int32Array,
): void {
  for (let t = 0; t < rows; t++) {
    const e = items[t] * dim;
    const o = t * dim;
    for (let f = 0; f < dim; f++) dtable[e + f] += scale * dout[o + f];
    if (dpositionTable && positions) {
      const p = positions[t] * dim;
      for (let f = 0; f < dim; f++) dpositionTable[p + f] += dout[o + f];
    }
  }
}

// out (cols × rows) = aᵀ for a (rows × cols); `add` adds instead of overwriting.
export function transpose(a: Float32Array, rows: number, cols: number, out: Float32Array, add = false): void {
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    if (add) for (let c = 0; c < cols; c++) out[c * rows + r] += a[o + c];
    else for (let c = 0; c < cols; c++) out[c * rows + r] = a[o + c];
  }
}
