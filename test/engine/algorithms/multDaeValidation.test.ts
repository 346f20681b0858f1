import { daeWeights } from "../../../src/engine/algorithms/multDaeNetwork";
import { daeValidationNdcg, daeValidationSplit } from "../../../src/engine/algorithms/multDaeValidation";
import { multVae } from "../../../src/engine/algorithms/multVae";
import type { TrainingSet } from "../../../src/engine/types";
import { syntheticData } from "./support/syntheticData";

function csrSet(rows: number[][], nItems: number): TrainingSet {
  const indptr = Int32Array.from([0, ...rows.map((_, u) => rows.slice(0, u + 1).flat().length)]);
  const indices = Int32Array.from(rows.flat());
  return { nUsers: rows.length, nItems, ratings: { nRows: rows.length, nCols: nItems, indptr, indices, values: new Float32Array(indices.length).fill(1) } };
}

describe("Mult-DAE early stopping", () => {
  // Users 0 and 2 have 5 and 10 entries; user 1 has 4 (too few to lend any), user 3 none.
  const set = csrSet([[0, 1, 2, 3, 4], [0, 1, 2, 3], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], []], 12);

  it("holds out 20% (at least one) of each chosen user's entries, and trains on the rest", () => {
    const split = daeValidationSplit(set, 1, 7);
    expect(Array.from(split.users)).toEqual([0, 2]);
    expect(Array.from(split.heldIndptr)).toEqual([0, 1, 3]);
    expect(Array.from(split.indptr)).toEqual([0, 4, 8, 16, 16]);
    // Per user, kept and held-out entries are disjoint and together the original row.
    const rowsOf = (u: number) => Array.from(split.indices.subarray(split.indptr[u], split.indptr[u + 1]));
    const held = (v: number) => Array.from(split.heldItems.subarray(split.heldIndptr[v], split.heldIndptr[v + 1]));
    expect([...rowsOf(0), ...held(0)].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4]);
    expect([...rowsOf(2), ...held(1)].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(rowsOf(1)).toEqual([0, 1, 2, 3]);
    // Seeded: the same split for the same seed; no user chosen at fraction 0.
    expect(daeValidationSplit(set, 1, 7)).toEqual(split);
    expect(daeValidationSplit(set, 0, 7).users).toHaveLength(0);
  });

  it("measures nDCG@10 of the held-out items, ranking all but the user's training items (worked by hand)", () => {
    // One hidden unit with zero output weights: every user's scores are b₂, item 11 best, then 10, 9, ...
    const net = daeWeights(12, 1);
    net.b2.set([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    const split = {
      indptr: Int32Array.of(0, 2, 2),
      indices: Int32Array.of(11, 3),
      users: Int32Array.of(0, 1),
      heldIndptr: Int32Array.of(0, 1, 3),
      heldItems: Int32Array.of(10, 11, 0),
    };
    // User 0 (item 11 seen): ranks 10, 9, ... 1; held-out 10 is first: nDCG 1.
    // User 1 (nothing seen): ranks 11, 10, ..., 2; held-out 11 first, 0 not in the top 10:
    // DCG 1, ideal 1 + 1/log2(3): nDCG 1 / (1 + 0.63093) = 0.61315.
    const ndcg = daeValidationNdcg(net, split, new Float32Array(1), new Float32Array(12));
    expect(ndcg).toBeCloseTo((1 + 1 / (1 + 1 / Math.log2(3))) / 2, 6);
  });

  it("stops when validation stops improving and keeps the best epoch's weights", () => {
    const data = syntheticData(1, { implicit: true });
    const params = { hiddenDim: 16, nEpochs: 200, batchSize: 20, learningRate: 0.01, patience: 2, validationUsers: 0.3 };
    const model = multVae.fit(data.train, params, { seed: 5 });
    const meta = model.serialize!().meta as { epochs: number; epochsRun: number; validationNdcg: number };
    expect(meta.epochsRun).toBeLessThan(200);
    expect(meta.epochsRun).toBe(meta.epochs + 2);
    expect(model.epochs).toBe(meta.epochs);
    // The kept weights score the validation split exactly as recorded for the best epoch.
    const split = daeValidationSplit(data.train, 0.3, 5);
    const net = multVae.deserialize(model.serialize!());
    const weights = { hidden: 16, items: data.train.nItems, w1: net.encoder as Float32Array, b1: model.serialize!().arrays.encoderBias as Float32Array, w2: net.decoder as Float32Array, b2: model.serialize!().arrays.decoderBias as Float32Array };
    expect(daeValidationNdcg(weights, split, new Float32Array(16), new Float32Array(data.train.nItems))).toBe(meta.validationNdcg);
    // Without a validation split it runs every epoch.
    const all = multVae.fit(data.train, { ...params, nEpochs: 4, validationUsers: 0 }, { seed: 5 });
    expect(all.serialize!().meta).toEqual({ nItems: data.train.nItems, hiddenDim: 16, epochs: 4 });
  });
});
