// The [I → H → I] network of Mult-DAE (Liang et al. 2018, sec. 2.3) as tight
// float32 kernels over a batch of users:
//   h_b = tanh(W₁ᵀ x_b + b₁)          x_b sparse (a user's kept history)
//   z_b = W₂ᵀ h_b + b₂,  π_b = softmax(z_b)
//   loss = s · Σ_b −Σ_{i ∈ y_b} log π_bi   (y_b the user's whole history, s the 1/batch scale)
// W₁ is items × H (a row per item, so the sparse input touches n_u rows:
// O(nnz·H)); W₂ is H × items (a row per hidden unit, so the dense output layer
// runs over contiguous rows of length I). The output layer costs
// O(batch·H·I) forward and twice that backward: that is where the time goes,
// so its loops are unrolled (8 hidden units per pass forward, 4 users per
// pass backward) to keep partial sums in registers and touch each row of W₂
// once per group rather than once per multiply-add.
export interface DaeWeights {
  readonly hidden: number;
  readonly items: number;
  // items x hidden
  readonly w1: Float32Array;
  readonly b1: Float32Array;
  // hidden x items
  readonly w2: Float32Array;
  readonly b2: Float32Array;
}

export function daeWeights(items: number, hidden: number): DaeWeights {
  return {
    hidden,
    items,
    w1: new Float32Array(items * hidden),
    b1: new Float32Array(hidden),
    w2: new Float32Array(hidden * items),
    b2: new Float32Array(items),
  };
}

// A batch of users: the sparse (dropped-out, normalised) input of each in
// CSR form, and the rows of their whole history as the multinomial target.
export interface DaeBatch {
  size: number;
  // size + 1 offsets into inputItems/inputValues.
  readonly inputIndptr: Int32Array;
  readonly inputItems: Int32Array;
  readonly inputValues: Float32Array;
  // The target of batch user b is targetItems[targetStart[b] .. targetEnd[b]).
  readonly targetStart: Int32Array;
  readonly targetEnd: Int32Array;
  readonly targetItems: Int32Array;
  // Multiplies the loss (1 / batch size: the loss is the batch mean).
  lossScale: number;
}

export function daeBatch(maxSize: number, maxInputs: number, targetItems: Int32Array): DaeBatch {
  return {
    size: 0,
    inputIndptr: new Int32Array(maxSize + 1),
    inputItems: new Int32Array(maxInputs),
    inputValues: new Float32Array(maxInputs),
    targetStart: new Int32Array(maxSize),
    targetEnd: new Int32Array(maxSize),
    targetItems,
    lossScale: 1,
  };
}

// Activations of a batch, allocated once per fit.
export interface DaeWorkspace {
  readonly maxSize: number;
  // maxSize x hidden: the hidden activations, then (backward) d loss / d pre-activation.
  readonly hid: Float32Array;
  readonly dh: Float32Array;
  // maxSize x items: the logits, then (backward) d loss / d logits.
  readonly out: Float32Array;
}

export function daeWorkspace(weights: DaeWeights, maxSize: number): DaeWorkspace {
  return {
    maxSize,
    hid: new Float32Array(maxSize * weights.hidden),
    dh: new Float32Array(maxSize * weights.hidden),
    out: new Float32Array(maxSize * weights.items),
  };
}

// h = tanh(W₁ᵀ x + b₁) for a sparse x (items[start..end) with values), into hid[row·H ..].
export function daeEncode(
  net: DaeWeights,
  items: Int32Array,
  values: Float32Array | Float64Array,
  start: number,
  end: number,
  hid: Float32Array,
  row: number,
): void {
  const { w1, b1 } = net;
  const h = net.hidden;
  const o = row * h;
  for (let f = 0; f < h; f++) hid[o + f] = b1[f];
  for (let t = start; t < end; t++) {
    const r = items[t] * h;
    const xv = values[t];
    for (let f = 0; f < h; f++) hid[o + f] += xv * w1[r + f];
  }
  for (let f = 0; f < h; f++) hid[o + f] = Math.tanh(hid[o + f]);
}

// z = W₂ᵀ h + b₂ for the hidden row `row` of hid, into out[row·I ..]:
// eight rows of W₂ per pass over the output.
export function daeDecode(net: DaeWeights, hid: Float32Array, out: Float32Array, row: number): void {
  const { w2, b2 } = net;
  const h = net.hidden;
  const n = net.items;
  const hb = row * h;
  const ob = row * n;
  for (let i = 0; i < n; i++) out[ob + i] = b2[i];
  let f = 0;
  for (; f + 7 < h; f += 8) {
    const h0 = hid[hb + f];
    const h1 = hid[hb + f + 1];
    const h2 = hid[hb + f + 2];
    const h3 = hid[hb + f + 3];
    const h4 = hid[hb + f + 4];
    const h5 = hid[hb + f + 5];
    const h6 = hid[hb + f + 6];
    const h7 = hid[hb + f + 7];
    const o0 = f * n;
    const o1 = o0 + n;
    const o2 = o1 + n;
    const o3 = o2 + n;
    const o4 = o3 + n;
    const o5 = o4 + n;
    const o6 = o5 + n;
    const o7 = o6 + n;
    for (let i = 0; i < n; i++) {
      out[ob + i] +=
        h0 * w2[o0 + i] + h1 * w2[o1 + i] + h2 * w2[o2 + i] + h3 * w2[o3 + i] + h4 * w2[o4 + i] + h5 * w2[o5 + i] + h6 * w2[o6 + i] + h7 * w2[o7 + i];
    }
  }
  for (; f < h; f++) {
    const hf = hid[hb + f];
    const o = f * n;
    for (let i = 0; i < n; i++) out[ob + i] += hf * w2[o + i];
  }
}

// daeDecode for rows `row` and `row + 1` at once: each element of W₂ read
// serves both users (a third faster than two daeDecode calls here).
function daeDecodePair(net: DaeWeights, hid: Float32Array, out: Float32Array, row: number): void {
  const { w2, b2 } = net;
  const h = net.hidden;
  const n = net.items;
  const ha = row * h;
  const hb = ha + h;
  const oa = row * n;
  const ob = oa + n;
  for (let i = 0; i < n; i++) {
    out[oa + i] = b2[i];
    out[ob + i] = b2[i];
  }
  let f = 0;
  for (; f + 7 < h; f += 8) {
    const a0 = hid[ha + f];
    const a1 = hid[ha + f + 1];
    const a2 = hid[ha + f + 2];
    const a3 = hid[ha + f + 3];
    const a4 = hid[ha + f + 4];
    const a5 = hid[ha + f + 5];
    const a6 = hid[ha + f + 6];
    const a7 = hid[ha + f + 7];
    const c0 = hid[hb + f];
    const c1 = hid[hb + f + 1];
    const c2 = hid[hb + f + 2];
    const c3 = hid[hb + f + 3];
    const c4 = hid[hb + f + 4];
    const c5 = hid[hb + f + 5];
    const c6 = hid[hb + f + 6];
    const c7 = hid[hb + f + 7];
    const o0 = f * n;
    const o1 = o0 + n;
    const o2 = o1 + n;
    const o3 = o2 + n;
    const o4 = o3 + n;
    const o5 = o4 + n;
    const o6 = o5 + n;
    const o7 = o6 + n;
    for (let i = 0; i < n; i++) {
      const w0 = w2[o0 + i];
      const w1 = w2[o1 + i];
      const w2_ = w2[o2 + i];
      const w3 = w2[o3 + i];
      const w4 = w2[o4 + i];
      const w5 = w2[o5 + i];
      const w6 = w2[o6 + i];
      const w7 = w2[o7 + i];
      out[oa + i] += a0 * w0 + a1 * w1 + a2 * w2_ + a3 * w3 + a4 * w4 + a5 * w5 + a6 * w6 + a7 * w7;
      out[ob + i] += c0 * w0 + c1 * w1 + c2 * w2_ + c3 * w3 + c4 * w4 + c5 * w5 + c6 * w6 + c7 * w7;
    }
  }
  for (; f < h; f++) {
    const a = hid[ha + f];
    const c = hid[hb + f];
    const o = f * n;
    for (let i = 0; i < n; i++) {
      out[oa + i] += a * w2[o + i];
      out[ob + i] += c * w2[o + i];
    }
  }
}

// Forward and backward pass of a batch: adds d loss / d weights into `grad`
// (same shapes as `net`) and returns the loss. `work` holds the activations.
export function daeGradient(net: DaeWeights, grad: DaeWeights, batch: DaeBatch, work: DaeWorkspace): number {
  const h = net.hidden;
  const n = net.items;
  const B = batch.size;
  const { hid, dh, out } = work;
  const { inputIndptr, inputItems, inputValues, targetStart, targetEnd, targetItems } = batch;
  const s = batch.lossScale;
  let loss = 0;
  for (let b = 0; b < B; b++) daeEncode(net, inputItems, inputValues, inputIndptr[b], inputIndptr[b + 1], hid, b);
  let pair = 0;
  for (; pair + 1 < B; pair += 2) daeDecodePair(net, hid, out, pair);
  if (pair < B) daeDecode(net, hid, out, pair);
  for (let b = 0; b < B; b++) {
    // −Σ_{i∈y} log softmax(z)_i = n_y (max + log Σ exp(z − max)) − Σ_{i∈y} z_i, and
    // its gradient d/dz = n_y·softmax(z) − y (y binary), times the batch scale.
    const ob = b * n;
    const ny = targetEnd[b] - targetStart[b];
    let picked = 0;
    for (let e = targetStart[b]; e < targetEnd[b]; e++) picked += out[ob + targetItems[e]];
    let max = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < n; i++) if (out[ob + i] > max) max = out[ob + i];
    let sum = 0;
    for (let i = 0; i < n; i++) {
      const e = Math.exp(out[ob + i] - max);
      out[ob + i] = e;
      sum += e;
    }
    loss += s * (ny * (max + Math.log(sum)) - picked);
    const c = (ny / sum) * s;
    for (let i = 0; i < n; i++) out[ob + i] *= c;
    for (let e = targetStart[b]; e < targetEnd[b]; e++) out[ob + targetItems[e]] -= s;
  }

  // b₂: Σ_b dz_b.
  const gb2 = grad.b2;
  for (let b = 0; b < B; b++) {
    const ob = b * n;
    for (let i = 0; i < n; i++) gb2[i] += out[ob + i];
  }
  // W₂ (+= h_bf · dz_b) and dh_b = W₂ dz_b, fused: four users per pass over a row of W₂.
  const w2 = net.w2;
  const g2 = grad.w2;
  for (let f = 0; f < h; f++) {
    const o = f * n;
    let b = 0;
    for (; b + 3 < B; b += 4) {
      const d0 = b * n;
      const d1 = d0 + n;
      const d2 = d1 + n;
      const d3 = d2 + n;
      const a0 = hid[b * h + f];
      const a1 = hid[(b + 1) * h + f];
      const a2 = hid[(b + 2) * h + f];
      const a3 = hid[(b + 3) * h + f];
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      for (let i = 0; i < n; i++) {
        const x0 = out[d0 + i];
        const x1 = out[d1 + i];
        const x2 = out[d2 + i];
        const x3 = out[d3 + i];
        const w = w2[o + i];
        g2[o + i] += a0 * x0 + a1 * x1 + a2 * x2 + a3 * x3;
        s0 += w * x0;
        s1 += w * x1;
        s2 += w * x2;
        s3 += w * x3;
      }
      dh[b * h + f] = s0;
      dh[(b + 1) * h + f] = s1;
      dh[(b + 2) * h + f] = s2;
      dh[(b + 3) * h + f] = s3;
    }
    for (; b < B; b++) {
      const d0 = b * n;
      const a0 = hid[b * h + f];
      let s0 = 0;
      for (let i = 0; i < n; i++) {
        const x0 = out[d0 + i];
        g2[o + i] += a0 * x0;
        s0 += w2[o + i] * x0;
      }
      dh[b * h + f] = s0;
    }
  }
  // Through tanh, then b₁ and the sparse rows of W₁.
  const gb1 = grad.b1;
  const g1 = grad.w1;
  for (let b = 0; b < B; b++) {
    const hb = b * h;
    for (let f = 0; f < h; f++) {
      const a = hid[hb + f];
      const d = dh[hb + f] * (1 - a * a);
      dh[hb + f] = d;
      gb1[f] += d;
    }
    for (let t = inputIndptr[b]; t < inputIndptr[b + 1]; t++) {
      const r = inputItems[t] * h;
      const xv = inputValues[t];
      for (let f = 0; f < h; f++) g1[r + f] += xv * dh[hb + f];
    }
  }
  return loss;
}
