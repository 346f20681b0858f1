// SASRec and GRU4Rec end to end on a tiny catalog whose sequences walk the
// items in a cycle (each user starts somewhere and goes i, i + 1, i + 2 ...
// mod 12): the next item after any sequence is its last item + 1, which
// both models must learn; plus determinism, threads, storage and cost.
import { gru4rec } from "../../../src/engine/algorithms/gru4rec";
import { sasrec, trainingTokens } from "../../../src/engine/algorithms/sasrec";
import type { SequenceModel } from "../../../src/engine/algorithms/sequenceModel";
import { csrFromTriplets } from "../../../src/engine/data/CsrMatrix";
import { createRng } from "../../../src/engine/random";
import type { TrainingSet } from "../../../src/engine/types";
import { MODEL_REGISTRY } from "../../../src/engine/registry";

const N_ITEMS = 12;

function cycleData(nUsers: number, seed: number): TrainingSet {
  const rng = createRng(seed);
  const offsets = new Int32Array(nUsers + 1);
  const items: number[] = [];
  for (let u = 0; u < nUsers; u++) {
    const start = rng.int(N_ITEMS);
    const len = 6 + rng.int(5);
    for (let k = 0; k < len; k++) items.push((start + k) % N_ITEMS);
    offsets[u + 1] = items.length;
  }
  const rows: number[] = [];
  for (let u = 0; u < nUsers; u++) for (let e = offsets[u]; e < offsets[u + 1]; e++) rows.push(u);
  const seq = Int32Array.from(items);
  return {
    nUsers,
    nItems: N_ITEMS,
    ratings: csrFromTriplets(nUsers, N_ITEMS, rows, seq, new Float32Array(seq.length).fill(1), "max"),
    sequences: { offsets, items: seq, timestamps: Float64Array.from(seq, (_, k) => k) },
  };
}

const data = cycleData(40, 5);
const quick = { dim: 16, maxLength: 8, batchSize: 8, learningRate: 0.01, nEpochs: 30, patience: 3, validateEvery: 3, dropout: 0.1 };
const argmax = (a: Float32Array) => a.reduce((best, x, i) => (x > a[best] ? i : best), 0);

describe.each([
  ["sasrec", sasrec, { ...quick, blocks: 1 }],
  ["gru4rec", gru4rec, quick],
] as const)("%s", (name, algorithm, params) => {
  let model: SequenceModel;
  beforeAll(() => {
    model = algorithm.fit(data, params, { seed: 7 });
  });

  it("learns the next item of a cycle", () => {
    for (const seq of [[3, 4, 5], [10, 11], [11, 0, 1, 2]]) expect(argmax(model.scoreSequence(Int32Array.from(seq)))).toBe((seq[seq.length - 1] + 1) % N_ITEMS);
    // scoreAll reads the user's training sequence.
    const { offsets, items } = data.sequences!;
    expect(argmax(model.scoreAll(0))).toBe((items[offsets[1] - 1] + 1) % N_ITEMS);
    const meta = model.serialize!().meta as { validationNdcg: number; epochs: number };
    expect(meta.validationNdcg).toBeGreaterThan(0.5);
  });

  it("is the same model for the same seed, and nearly the same on two threads", () => {
    const again = algorithm.fit(data, params, { seed: 7 });
    expect(Array.from(again.network.params)).toEqual(Array.from(model.network.params));
    const threaded = algorithm.fit(data, params, { seed: 7, threads: 2 });
    const twice = algorithm.fit(data, params, { seed: 7, threads: 2 });
    expect(Array.from(twice.network.params)).toEqual(Array.from(threaded.network.params));
    // Only the order of the gradient sums differs from one thread.
    expect(argmax(threaded.scoreSequence(Int32Array.of(3, 4, 5)))).toBe(6);
  });

  it("stores its weights only, and scores the same after loading", () => {
    const stored = model.serialize!();
    expect(stored.userState).toEqual({});
    expect(Object.keys(stored.arrays)).toEqual(["weights"]);
    const loaded = algorithm.deserialize(stored);
    const seq = Int32Array.of(1, 2, 3, 4);
    expect(Array.from(loaded.scoreSequence(seq))).toEqual(Array.from(model.scoreSequence(seq)));
    // A deserialised model has no training sequences: a user gets the empty sequence's ranking, the output biases.
    expect(Array.from(loaded.scoreAll(0))).toEqual(Array.from(loaded.scoreSequence(new Int32Array(0))));
  });

  it("explains a score by the recent items, and takes unknown items and long sequences in its stride", () => {
    const evidence = model.explainSequence(Int32Array.of(7, 8, 9), 10, 2);
    expect(evidence.length).toBe(2);
    for (const e of evidence) expect(e).toMatchObject({ kind: "becauseYouJustInteracted" });
    const items = evidence.map((e) => (e as { item: number }).item);
    for (const i of items) expect([7, 8, 9]).toContain(i);
    expect(model.explainSequence(new Int32Array(0), 1, 3)).toEqual([]);
    // Unknown items are dropped; only the last maxLength items are read.
    const long = Int32Array.from({ length: 30 }, (_, k) => k % N_ITEMS);
    expect(Array.from(model.scoreSequence(Int32Array.from([...long, 99, -1])))).toEqual(Array.from(model.scoreSequence(long.subarray(30 - 8))));
  });

  it("is registered, and its cost grows with the catalog by the output softmax, 3·T·d·I an epoch", () => {
    expect(MODEL_REGISTRY[name].algorithm).toBe(algorithm);
    const { tokens } = trainingTokens(data, { ...sasrec.defaults, ...params });
    const small = algorithm.estimateCost(data, params);
    const big = algorithm.estimateCost({ ...data, nItems: 1000 * N_ITEMS }, params);
    expect(big.multiplyAdds).toBeGreaterThan(params.nEpochs * 3 * tokens * params.dim * 1000 * N_ITEMS);
    expect(big.multiplyAdds).toBeLessThan(2 * params.nEpochs * 3 * tokens * params.dim * 1000 * N_ITEMS);
    expect(big.bytes).toBeGreaterThan(small.bytes);
  });
});

describe("sequences from a training set built without them", () => {
  it("orders each user's entries by time", () => {
    const ratings = csrFromTriplets(1, 4, [0, 0, 0], [0, 2, 3], [1, 1, 1]);
    const model = gru4rec.fit({ nUsers: 1, nItems: 4, ratings, timestamps: Float64Array.of(30, 10, 20) }, { ...quick, nEpochs: 1, patience: 0 }, { seed: 1 });
    // Time order 2, 3, 0: scoreAll reads the sequence ending in 0.
    expect(Array.from(model.scoreAll(0))).toEqual(Array.from(model.scoreSequence(Int32Array.of(2, 3, 0))));
  });
});
