// Whole-network gradient checks of the two next-item networks on tiny
// shapes: every weight, with dropout on (each sequence's masks come from its
// own seed, so the loss is a fixed function of the weights).
import { gru4recLayout, gru4recNetwork, initGru4rec } from "../../../src/engine/algorithms/gru4recNetwork";
import { initSasrec, sasrecLayout, sasrecNetwork } from "../../../src/engine/algorithms/sasrecNetwork";
import { sequenceBatch, type SequenceBatch } from "../../../src/engine/nn/sequenceBatch";
import type { SequenceNetwork } from "../../../src/engine/nn/sequenceNetwork";
import { createRng } from "../../../src/engine/random";
import { gradientError } from "../nn/gradientCheck";

function tinyBatch(): SequenceBatch {
  // Three sequences (lengths 4, 1, 3); the second has no target.
  const batch = sequenceBatch(3, 8);
  batch.sequences = 3;
  batch.offsets.set([0, 4, 5, 8]);
  batch.items.set([0, 3, 3, 5, 2, 1, 4, 0]);
  batch.targets.set([3, 3, 5, 1, -1, 4, 0, 2]);
  batch.seeds.set([11, 12, 13]);
  batch.lossScale = 1 / 7;
  return batch;
}

function checkWholeNetwork(net: SequenceNetwork): void {
  const batch = tinyBatch();
  const grad = new Float32Array(net.layout.size);
  const loss = net.gradient(batch, grad);
  expect(loss).toBeGreaterThan(0);
  const scratch = new Float32Array(net.layout.size);
  const lossOf = () => {
    scratch.fill(0);
    return net.gradient(batch, scratch);
  };
  for (const name of net.layout.names()) {
    const { error, scale } = gradientError(lossOf, net.layout.view(net.params, name), net.layout.view(grad, name), 1e-3);
    if (scale > 1e-4) expect({ name, error: error < 3e-2 }).toEqual({ name, error: true });
  }
}

describe("SASRec network", () => {
  const shape = { nItems: 6, dim: 4, maxLength: 5, blocks: 2, dropout: 0.3 };

  it("has the gradient of every weight (two blocks, dropout on)", () => {
    const params = new Float32Array(sasrecLayout(shape).size);
    const net = sasrecNetwork(shape, params);
    initSasrec(shape, net.layout, params, createRng(1));
    // Non-trivial gains and biases, so their gradients are checked away from 1 and 0.
    for (const name of net.layout.names()) if (/\.(g|b)$/.test(name) || name === "itemBias") net.layout.view(params, name).forEach((_, i, a) => (a[i] += 0.1 * Math.sin(3 * i + 1)));
    checkWholeNetwork(net);
  });

  it("encodes a sequence the same alone as in a batch, and a token does not see the future", () => {
    const params = new Float32Array(sasrecLayout(shape).size);
    const net = sasrecNetwork(shape, params);
    initSasrec(shape, net.layout, params, createRng(2));
    const batch = tinyBatch();
    const all = new Float32Array(3 * shape.dim);
    net.encodeLast(batch, all);
    const alone = sequenceBatch(1, 3);
    alone.sequences = 1;
    alone.offsets.set([0, 3]);
    alone.items.set([1, 4, 0]);
    const one = new Float32Array(shape.dim);
    net.encodeLast(alone, one);
    for (let f = 0; f < shape.dim; f++) expect(one[f]).toBeCloseTo(all[2 * shape.dim + f], 5);
    // Weights of the last token's attention: one per token, summing to 1.
    const p = net.lastAttention(0);
    expect(p.length).toBe(3);
    expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
  });
});

describe("GRU4Rec network", () => {
  const shape = { nItems: 6, dim: 4, maxLength: 5, dropout: 0.3 };

  it("has the gradient of every weight (dropout on)", () => {
    const params = new Float32Array(gru4recLayout(shape).size);
    const net = gru4recNetwork(shape, params);
    initGru4rec(shape, net.layout, params, createRng(3));
    for (const name of ["gru.b", "gru.c", "itemBias"]) net.layout.view(params, name).forEach((_, i, a) => (a[i] = 0.1 * Math.sin(3 * i + 1)));
    checkWholeNetwork(net);
  });
});
