import { daeBatch, daeDecode, daeEncode, daeGradient, daeWeights, daeWorkspace, type DaeWeights } from "../../../src/engine/algorithms/multDaeNetwork";
import { createRng } from "../../../src/engine/random";

// Plain float64 reference of the Mult-DAE loss for one batch:
// Σ_b s·(−Σ_{i∈y_b} log softmax(W₂ᵀ tanh(W₁ᵀ x_b + b₁) + b₂)_i).
interface Params {
  w1: Float64Array;
  b1: Float64Array;
  w2: Float64Array;
  b2: Float64Array;
}
interface User {
  input: [number, number][]; // (item, value)
  target: number[];
}

function referenceLoss(p: Params, nItems: number, hidden: number, users: User[], scale: number): number {
  let loss = 0;
  for (const user of users) {
    const hid: number[] = [];
    for (let f = 0; f < hidden; f++) {
      let a = p.b1[f];
      for (const [i, v] of user.input) a += v * p.w1[i * hidden + f];
      hid.push(Math.tanh(a));
    }
    const z: number[] = [];
    for (let i = 0; i < nItems; i++) {
      let a = p.b2[i];
      for (let f = 0; f < hidden; f++) a += hid[f] * p.w2[f * nItems + i];
      z.push(a);
    }
    const logSum = Math.log(z.reduce((s, x) => s + Math.exp(x), 0));
    for (const i of user.target) loss -= scale * (z[i] - logSum);
  }
  return loss;
}

function setup(nItems: number, hidden: number, users: User[], seed: number) {
  const rng = createRng(seed);
  const net = daeWeights(nItems, hidden);
  for (const key of ["w1", "b1", "w2", "b2"] as const) for (let x = 0; x < net[key].length; x++) net[key][x] = rng.next() - 0.5;
  const targets = Int32Array.from(users.flatMap((u) => u.target));
  const batch = daeBatch(users.length, 64, targets);
  batch.size = users.length;
  batch.lossScale = 1 / users.length;
  let count = 0;
  let offset = 0;
  users.forEach((u, b) => {
    batch.inputIndptr[b] = count;
    for (const [i, v] of u.input) {
      batch.inputItems[count] = i;
      batch.inputValues[count] = v;
      count++;
    }
    batch.inputIndptr[b + 1] = count;
    batch.targetStart[b] = offset;
    offset += u.target.length;
    batch.targetEnd[b] = offset;
  });
  return { net, batch, work: daeWorkspace(net, users.length) };
}

const asParams = (net: DaeWeights): Params => ({
  w1: Float64Array.from(net.w1),
  b1: Float64Array.from(net.b1),
  w2: Float64Array.from(net.w2),
  b2: Float64Array.from(net.b2),
});

describe("Mult-DAE network kernels", () => {
  // 5 users (one unrolled group of 4 plus one), 9 hidden units (one group of 8 plus one), 7 items.
  const nItems = 7;
  const hidden = 9;
  const users: User[] = [
    { input: [[0, 0.7], [3, 0.7]], target: [0, 3, 5] },
    { input: [[1, 1.2]], target: [1, 2] },
    { input: [], target: [6] },
    { input: [[2, 0.5], [4, 0.5], [6, 0.5]], target: [2, 4, 6, 0] },
    { input: [[5, 2]], target: [5] },
  ];

  it("returns the loss of the plain float64 formula", () => {
    const { net, batch, work } = setup(nItems, hidden, users, 1);
    const grad = daeWeights(nItems, hidden);
    const loss = daeGradient(net, grad, batch, work);
    expect(loss).toBeCloseTo(referenceLoss(asParams(net), nItems, hidden, users, 1 / users.length), 5);
  });

  it("matches central finite differences of the loss for every weight and bias", () => {
    const { net, batch, work } = setup(nItems, hidden, users, 2);
    const grad = daeWeights(nItems, hidden);
    daeGradient(net, grad, batch, work);
    const p = asParams(net);
    const eps = 1e-5;
    let checked = 0;
    for (const key of ["w1", "b1", "w2", "b2"] as const) {
      for (let x = 0; x < p[key].length; x++) {
        const saved = p[key][x];
        p[key][x] = saved + eps;
        const up = referenceLoss(p, nItems, hidden, users, 1 / users.length);
        p[key][x] = saved - eps;
        const down = referenceLoss(p, nItems, hidden, users, 1 / users.length);
        p[key][x] = saved;
        const numeric = (up - down) / (2 * eps);
        expect(Math.abs(grad[key][x] - numeric)).toBeLessThan(1e-5 + 1e-4 * Math.abs(numeric));
        checked++;
      }
    }
    // Every parameter, including the rows of W₁ no input touched (gradient 0).
    expect(checked).toBe(2 * nItems * hidden + hidden + nItems);
    expect(grad.w1.slice(1 * hidden, 2 * hidden).some((g) => g !== 0)).toBe(true);
  });

  it("adds into the gradient rather than overwriting it (a batch split in two sums to the whole)", () => {
    const whole = setup(nItems, hidden, users, 3);
    const gWhole = daeWeights(nItems, hidden);
    daeGradient(whole.net, gWhole, whole.batch, whole.work);
    const gParts = daeWeights(nItems, hidden);
    for (const part of [users.slice(0, 2), users.slice(2)]) {
      const s = setup(nItems, hidden, part, 3);
      s.batch.lossScale = 1 / users.length;
      daeGradient(whole.net, gParts, s.batch, s.work);
    }
    for (const key of ["w1", "b1", "w2", "b2"] as const) {
      gWhole[key].forEach((g, x) => expect(gParts[key][x]).toBeCloseTo(g, 6));
    }
  });

  it("encodes and decodes a history as the formula (hand-checked on one hidden unit)", () => {
    // 1 hidden unit, 2 items: h = tanh(0.5·1 + 0.25·2 + 0.1) = tanh(1.1); z_i = w2_i·h + b2_i.
    const net = daeWeights(2, 1);
    net.w1.set([1, 2]);
    net.b1.set([0.1]);
    net.w2.set([3, -1]);
    net.b2.set([0.5, 0]);
    const hid = new Float32Array(1);
    const out = new Float32Array(2);
    daeEncode(net, Int32Array.of(0, 1), Float32Array.of(0.5, 0.25), 0, 2, hid, 0);
    daeDecode(net, hid, out, 0);
    const h = Math.tanh(1.1);
    expect(hid[0]).toBeCloseTo(h, 6);
    expect(out[0]).toBeCloseTo(3 * h + 0.5, 6);
    expect(out[1]).toBeCloseTo(-h, 6);
  });
});
