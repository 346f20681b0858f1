// Gradient checks of every layer the sequence models are built from, and a
// few values worked out by hand.
import { attentionWeightOffsets, causalAttentionBackward, causalAttentionForward } from "../../../src/engine/nn/causalAttention";
import { embedBackward, embedForward, transpose } from "../../../src/engine/nn/embedding";
import { fullSoftmaxCrossEntropy, SOFTMAX_CHUNK } from "../../../src/engine/nn/fullSoftmax";
import { gruBackward, gruForward, gruTrace } from "../../../src/engine/nn/gru";
import { layerNormBackward, layerNormForward } from "../../../src/engine/nn/layerNorm";
import { linearBackward, linearForward } from "../../../src/engine/nn/linear";
import { gradientError, project, randomArray } from "./gradientCheck";

const TOL = 2e-2;

describe("linear", () => {
  it("computes x W + b (hand-worked)", () => {
    // [1 2] · [[1 0 1], [0 1 1]] + [0.5 0 0] = [1.5 2 3]
    const y = new Float32Array(3);
    linearForward(Float32Array.of(1, 2), Float32Array.of(1, 0, 1, 0, 1, 1), Float32Array.of(0.5, 0, 0), y, 1, 2, 3);
    expect(Array.from(y)).toEqual([1.5, 2, 3]);
  });

  it("has the gradient of its inputs, weights and bias", () => {
    const [rows, inDim, outDim] = [3, 5, 6];
    const x = randomArray(rows * inDim, 1);
    const w = randomArray(inDim * outDim, 2);
    const b = randomArray(outDim, 3);
    const r = randomArray(rows * outDim, 4);
    const y = new Float32Array(rows * outDim);
    const loss = () => (linearForward(x, w, b, y, rows, inDim, outDim), project(y, r));
    const dx = new Float32Array(x.length);
    const dw = new Float32Array(w.length);
    const db = new Float32Array(b.length);
    loss();
    linearBackward(x, w, r, dx, dw, db, rows, inDim, outDim);
    for (const [p, g] of [[x, dx], [w, dw], [b, db]] as const) expect(gradientError(loss, p, g).error).toBeLessThan(TOL);
  });
});

describe("layer norm", () => {
  it("normalises a row to zero mean and unit variance (hand-worked)", () => {
    // [1 2 3]: mean 2, variance 2/3, so (x − 2)/√(2/3) = [−1.2247, 0, 1.2247].
    const y = new Float32Array(3);
    layerNormForward(Float32Array.of(1, 2, 3), Float32Array.of(1, 1, 1), Float32Array.of(0, 0, 0), y, new Float32Array(3), new Float32Array(1), 1, 3);
    expect(y[0]).toBeCloseTo(-1.2247, 4);
    expect(y[1]).toBeCloseTo(0, 6);
    expect(y[2]).toBeCloseTo(1.2247, 4);
  });

  it("has the gradient of its inputs, gain and shift", () => {
    const [rows, dim] = [3, 6];
    const x = randomArray(rows * dim, 5);
    const gamma = randomArray(dim, 6);
    const beta = randomArray(dim, 7);
    const r = randomArray(rows * dim, 8);
    const y = new Float32Array(rows * dim);
    const xhat = new Float32Array(rows * dim);
    const rstd = new Float32Array(rows);
    const loss = () => (layerNormForward(x, gamma, beta, y, xhat, rstd, rows, dim), project(y, r));
    loss();
    const dx = new Float32Array(x.length).fill(0.5);
    const dg = new Float32Array(dim);
    const db = new Float32Array(dim);
    layerNormBackward(r, gamma, xhat, rstd, dx, dg, db, rows, dim, true);
    for (let e = 0; e < dx.length; e++) dx[e] -= 0.5; // accumulate adds onto what is there
    for (const [p, g] of [[x, dx], [gamma, dg], [beta, db]] as const) expect(gradientError(loss, p, g, 1e-3).error).toBeLessThan(TOL);
  });
});

describe("causal attention", () => {
  it("lets the first token see itself only and averages by weight after (hand-worked)", () => {
    // d = 1, q = k = [0, 0]: equal scores, so token 0 takes v₀ and token 1 (v₀ + v₁)/2.
    const out = new Float32Array(2);
    const offsets = Int32Array.of(0, 2);
    const probOffsets = attentionWeightOffsets(offsets, 1);
    expect(Array.from(probOffsets)).toEqual([0, 3]);
    const probs = new Float32Array(3);
    causalAttentionForward(new Float32Array(2), new Float32Array(2), Float32Array.of(2, 4), out, probs, offsets, probOffsets, 1, 1);
    expect(Array.from(out)).toEqual([2, 3]);
    expect(Array.from(probs)).toEqual([1, 0.5, 0.5]);
  });

  it("has the gradient of queries, keys and values over ragged sequences", () => {
    const dim = 4;
    const offsets = Int32Array.of(0, 3, 4, 8);
    const T = 8;
    const q = randomArray(T * dim, 9);
    const k = randomArray(T * dim, 10);
    const v = randomArray(T * dim, 11);
    const r = randomArray(T * dim, 12);
    const probOffsets = attentionWeightOffsets(offsets, 3);
    const probs = new Float32Array(probOffsets[3]);
    const out = new Float32Array(T * dim);
    const loss = () => (causalAttentionForward(q, k, v, out, probs, offsets, probOffsets, 3, dim), project(out, r));
    loss();
    const dq = new Float32Array(T * dim);
    const dk = new Float32Array(T * dim);
    const dv = new Float32Array(T * dim);
    causalAttentionBackward(q, k, v, probs, r, dq, dk, dv, new Float32Array(8), offsets, probOffsets, 3, dim);
    for (const [p, g] of [[q, dq], [k, dk], [v, dv]] as const) expect(gradientError(loss, p, g).error).toBeLessThan(TOL);
  });

  it("does not let a token see later tokens", () => {
    const dim = 2;
    const offsets = Int32Array.of(0, 3);
    const probOffsets = attentionWeightOffsets(offsets, 1);
    const q = randomArray(6, 13);
    const k = randomArray(6, 14);
    const v = randomArray(6, 15);
    const a = new Float32Array(6);
    const b = new Float32Array(6);
    causalAttentionForward(q, k, v, a, new Float32Array(6), offsets, probOffsets, 1, dim);
    v[4] += 1;
    k[5] += 1;
    causalAttentionForward(q, k, v, b, new Float32Array(6), offsets, probOffsets, 1, dim);
    expect(Array.from(b.subarray(0, 4))).toEqual(Array.from(a.subarray(0, 4)));
  });
});

describe("full softmax cross-entropy", () => {
  it("is log n at equal logits (hand-worked)", () => {
    // h = 0: every logit 0, so −log(1/4) = log 4 per row with a target.
    const n = 4;
    const dim = 2;
    const loss = fullSoftmaxCrossEntropy(new Float32Array(4), Int32Array.of(1, -1), 2, new Float32Array(dim * n), new Float32Array(n), new Float32Array(4), new Float32Array(dim * n), new Float32Array(n), new Float32Array(SOFTMAX_CHUNK * n), dim, n, 1);
    expect(loss).toBeCloseTo(Math.log(4), 6);
  });

  it("has the gradient of the states, the output weights and biases, over more than one chunk", () => {
    const [rows, dim, n] = [SOFTMAX_CHUNK + 7, 3, 9];
    const h = randomArray(rows * dim, 16);
    const wt = randomArray(dim * n, 17);
    const bias = randomArray(n, 18);
    const targets = Int32Array.from({ length: rows }, (_, t) => (t % 5 === 4 ? -1 : (t * 7) % n));
    const z = new Float32Array(SOFTMAX_CHUNK * n);
    const scratch = () => [new Float32Array(rows * dim), new Float32Array(dim * n), new Float32Array(n)] as const;
    const loss = () => {
      const [a, b, c] = scratch();
      return fullSoftmaxCrossEntropy(h, targets, rows, wt, bias, a, b, c, z, dim, n, 0.5);
    };
    const [dh, dwt, db] = scratch();
    fullSoftmaxCrossEntropy(h, targets, rows, wt, bias, dh, dwt, db, z, dim, n, 0.5);
    for (const [p, g] of [[h, dh], [wt, dwt], [bias, db]] as const) expect(gradientError(loss, p, g).error).toBeLessThan(TOL);
    // Rows without a target get no gradient.
    expect(Array.from(dh.subarray(4 * dim, 5 * dim))).toEqual([0, 0, 0]);
  });
});

describe("GRU", () => {
  it("takes h' = (1 − u)·n from a zero state (hand-worked)", () => {
    // Zero weights and inputs: r = u = ½, n = tanh(0) = 0, h' = 0. Input gate n = 1 (pre-activation atanh(0.5)): h' = ½·0.5.
    const H = 1;
    const trace = gruTrace(1, H);
    gruForward(Float32Array.of(0, 0, Math.atanh(0.5)), new Float32Array(3), new Float32Array(3), trace, Int32Array.of(0, 1), 1, H);
    expect(trace.h[0]).toBeCloseTo(0.25, 6);
  });

  it("has the gradient of its input half, recurrent weights and biases through time", () => {
    const H = 3;
    const offsets = Int32Array.of(0, 4, 5, 8);
    const T = 8;
    const gx = randomArray(T * 3 * H, 19);
    const uw = randomArray(H * 3 * H, 20);
    const ub = randomArray(3 * H, 21);
    const r = randomArray(T * H, 22);
    const trace = gruTrace(T, H);
    const loss = () => (gruForward(gx, uw, ub, trace, offsets, 3, H), project(trace.h, r));
    loss();
    const dgx = new Float32Array(gx.length);
    const duw = new Float32Array(uw.length);
    const dub = new Float32Array(ub.length);
    gruBackward(Float32Array.from(r), uw, trace, dgx, duw, dub, offsets, 3, H);
    for (const [p, g] of [[gx, dgx], [uw, duw], [ub, dub]] as const) expect(gradientError(loss, p, g).error).toBeLessThan(TOL);
  });
});

describe("embeddings", () => {
  it("has the gradient of the item and position tables (a repeated item adds up)", () => {
    const [n, L, dim] = [5, 4, 3];
    const table = randomArray(n * dim, 23);
    const posTable = randomArray(L * dim, 24);
    const items = Int32Array.of(2, 0, 2, 4);
    const positions = Int32Array.of(3, 2, 1, 0);
    const r = randomArray(4 * dim, 25);
    const out = new Float32Array(4 * dim);
    const loss = () => (embedForward(table, items, 4, dim, 1.5, out, posTable, positions), project(out, r));
    const dt = new Float32Array(table.length);
    const dp = new Float32Array(posTable.length);
    embedBackward(r, items, 4, dim, 1.5, dt, dp, positions);
    expect(gradientError(loss, table, dt).error).toBeLessThan(TOL);
    expect(gradientError(loss, posTable, dp).error).toBeLessThan(TOL);
  });

  it("transposes (hand-worked)", () => {
    const out = new Float32Array(6);
    transpose(Float32Array.of(1, 2, 3, 4, 5, 6), 2, 3, out);
    expect(Array.from(out)).toEqual([1, 4, 2, 5, 3, 6]);
  });
});
