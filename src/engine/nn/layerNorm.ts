// Layer normalisation (Ba, Kiros & Hinton 2016) of each row:
//   y = γ ⊙ (x − μ)/√(σ² + ε) + β
// as in SASRec's blocks (Kang & McAuley 2018, sec. 3.2). The forward pass
// keeps the normalised rows and 1/√(σ² + ε) for the backward pass.
export const LAYER_NORM_EPS = 1e-8;

export function layerNormForward(
  x: Float32Array,
  gamma: Float32Array,
  beta: Float32Array,
  y: Float32Array,
  xhat: Float32Array,
  rstd: Float32Array,
  rows: number,
  dim: number,
): void {
  for (let r = 0; r < rows; r++) {
    const o = r * dim;
    let mean = 0;
    for (let f = 0; f < dim; f++) mean += x[o + f];
    mean /= dim;
    let variance = 0;
    for (let f = 0; f < dim; f++) {
      const c = x[o + f] - mean;
      variance += c * c;
    }
    const s = 1 / Math.sqrt(variance / dim + LAYER_NORM_EPS);
    rstd[r] = s;
    for (let f = 0; f < dim; f++) {
      const h = (x[o + f] - mean) * s;
      xhat[o + f] = h;
      y[o + f] = gamma[f] * h + beta[f];
    }
  }
}

// dγ += Σ dy ⊙ x̂, dβ += Σ dy, and dx = (1/σ)(g − mean(g) − x̂·mean(g ⊙ x̂))
// with g = γ ⊙ dy; dx added to when `accumulate` (a residual branch).
export function layerNormBackward(
  dy: Float32Array,
  gamma: Float32Array,
  xhat: Float32Array,
  rstd: Float32Array,
  dx: Float32Array,
  dgamma: Float32Array,
  dbeta: Float32Array,
  rows: number,
  dim: number,
  accumulate: boolean,
): void {
  for (let r = 0; r < rows; r++) {
    const o = r * dim;
    let sumG = 0;
    let sumGx = 0;
    for (let f = 0; f < dim; f++) {
      const d = dy[o + f];
      const h = xhat[o + f];
      dgamma[f] += d * h;
      dbeta[f] += d;
      const g = d * gamma[f];
      sumG += g;
      sumGx += g * h;
    }
    const mg = sumG / dim;
    const mgx = sumGx / dim;
    const s = rstd[r];
    for (let f = 0; f < dim; f++) {
      const v = s * (dy[o + f] * gamma[f] - mg - xhat[o + f] * mgx);
      dx[o + f] = accumulate ? dx[o + f] + v : v;
    }
  }
}
