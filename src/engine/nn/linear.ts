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
// (overwritten, or added to when `accumulate`). Four rows per pass over a row
// of W, so each element of dW is loaded and stored once per four rows.
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
  if (db) {
    for (let r = 0; r < rows; r++) {
      const yo = r * outDim;
      for (let o = 0; o < outDim; o++) db[o] += dy[yo + o];
    }
  }
  let r = 0;
  for (; r + 3 < rows; r += 4) {
    const x0 = r * inDim;
    const x1 = x0 + inDim;
    const x2 = x1 + inDim;
    const x3 = x2 + inDim;
    const y0 = r * outDim;
    const y1 = y0 + outDim;
    const y2 = y1 + outDim;
    const y3 = y2 + outDim;
    for (let i = 0; i < inDim; i++) {
      const wi = i * outDim;
      const a0 = x[x0 + i];
      const a1 = x[x1 + i];
      const a2 = x[x2 + i];
      const a3 = x[x3 + i];
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      for (let o = 0; o < outDim; o++) {
        const g0 = dy[y0 + o];
        const g1 = dy[y1 + o];
        const g2 = dy[y2 + o];
        const g3 = dy[y3 + o];
        const wv = w[wi + o];
        dw[wi + o] += a0 * g0 + a1 * g1 + a2 * g2 + a3 * g3;
        s0 += wv * g0;
        s1 += wv * g1;
        s2 += wv * g2;
        s3 += wv * g3;
      }
      if (dx) {
        if (accumulate) {
          dx[x0 + i] += s0;
          dx[x1 + i] += s1;
          dx[x2 + i] += s2;
          dx[x3 + i] += s3;
        } else {
          dx[x0 + i] = s0;
          dx[x1 + i] = s1;
          dx[x2 + i] = s2;
          dx[x3 + i] = s3;
        }
      }
    }
  }
  for (; r < rows; r++) {
    const xo = r * inDim;
    const yo = r * outDim;
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
