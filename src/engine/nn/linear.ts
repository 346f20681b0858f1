// A dense layer applied to every row (token) of a batch:
//   y_r = x_r W + b     x_r ∈ ℝ^in, W ∈ ℝ^{in×out} row-major, b ∈ ℝ^out
// and its gradient. Rows are the tokens of all the batch's sequences laid end
// to end, so the layer costs rows·in·out multiply-adds with no padding.
// W, b and their gradients are subarrays of the model's flat vectors.

export function linearForward(
  x: Float32Array,
  w: Float32Array,
  b: Float32Array | undefined,
  y: Float32Array,
  rows: number,
  inDim: number,
  outDim: number,
): void {
  for (let r = 0; r < rows; r++) {
    const xo = r * inDim;
    const yo = r * outDim;
    if (b) for (let o = 0; o < outDim; o++) y[yo + o] = b[o];
    else y.fill(0, yo, yo + outDim);
    // Four input units per pass: each y element loaded and stored once per four multiply-adds.
    let i = 0;
    for (; i + 3 < inDim; i += 4) {
      const x0 = x[xo + i];
      const x1 = x[xo + i + 1];
      const x2 = x[xo + i + 2];
      const x3 = x[xo + i + 3];
      const w0 = i * outDim;
      const w1 = w0 + outDim;
      const w2 = w1 + outDim;
      const w3 = w2 + outDim;
      for (let o = 0; o < outDim; o++) y[yo + o] += x0 * w[w0 + o] + x1 * w[w1 + o] + x2 * w[w2 + o] + x3 * w[w3 + o];
    }
    for (; i < inDim; i++) {
      const xi = x[xo + i];
      const wi = i * outDim;
      for (let o = 0; o < outDim; o++) y[yo + o] += xi * w[wi + o];
    }
  }
}

// dW += Σ_r x_rᵀ dy_r, db += Σ_r dy_r and, when dx is given, dx_r = dy_r Wᵀ
// (overwritten, or added to when `accumulate`).
export function linearBackward(
  x: Float32Array,
  w: Float32Array,
  dy: Float32Array,
  dx: Float32Array | undefined,
  dw: Float32Array,
  db: Float32Array | undefined,
  rows: number,
  inDim: number,
  outDim: number,
  accumulate = false,
): void {
  for (let r = 0; r < rows; r++) {
    const xo = r * inDim;
    const yo = r * outDim;
    if (db) for (let o = 0; o < outDim; o++) db[o] += dy[yo + o];
    for (let i = 0; i < inDim; i++) {
      const wi = i * outDim;
      const xi = x[xo + i];
      let s = 0;
      for (let o = 0; o < outDim; o++) {
        const g = dy[yo + o];
        dw[wi + o] += xi * g;
        s += w[wi + o] * g;
      }
      if (dx) dx[xo + i] = accumulate ? dx[xo + i] + s : s;
    }
  }
}
