import { multVae } from "../../../src/engine/algorithms/multVae";
import { ndcgAt10, popularityNdcg, syntheticData } from "./support/syntheticData";

describe("multVae (Mult-DAE of Liang et al. 2018)", () => {
  const data = syntheticData(1, { implicit: true });
  const params = { hiddenDim: 32, nEpochs: 30, batchSize: 20 };

  it("ranks the synthetic catalog far above popularity (pinned nDCG@10)", () => {
    const value = ndcgAt10(multVae.fit(data.train, params, { seed: 3 }), data);
    expect(value).toBeGreaterThan(popularityNdcg(data) + 0.3);
    expect(value).toBeCloseTo(0.6731, 3);
  });

  it("is deterministic for a seed: the same weights bit for bit (dropout masks included)", () => {
    const p = { ...params, nEpochs: 3 };
    const a = multVae.fit(data.train, p, { seed: 9 }).serialize!();
    const b = multVae.fit(data.train, p, { seed: 9 }).serialize!();
    const c = multVae.fit(data.train, p, { seed: 10 }).serialize!();
    expect(Object.keys(a.arrays)).toEqual(["encoder", "encoderBias", "decoder", "decoderBias"]);
    for (const key of Object.keys(a.arrays)) {
      expect(Buffer.from(b.arrays[key].buffer).equals(Buffer.from(a.arrays[key].buffer))).toBe(true);
      expect(Buffer.from(c.arrays[key].buffer).equals(Buffer.from(a.arrays[key].buffer))).toBe(false);
    }
  });

  it("scores a training user as the served model scores their history", () => {
    const model = multVae.fit(data.train, { ...params, nEpochs: 2 }, { seed: 3 });
    const served = multVae.deserialize(model.serialize!());
    const { indptr, indices } = data.train.ratings;
    const history = { items: indices.subarray(indptr[4], indptr[5]), values: new Float32Array(indptr[5] - indptr[4]).fill(1) };
    expect(Array.from(served.scoreHistory!(history))).toEqual(Array.from(model.scoreAll(4)));
  });

  it("estimates its cost from the shape of the data (worked by hand)", () => {
    // 3 users (one without history), 5 items, 4 entries; H 2, 3 epochs, batches of 1, half the users validate.
    const set = {
      nUsers: 3,
      nItems: 5,
      ratings: { nRows: 3, nCols: 5, indptr: Int32Array.of(0, 2, 2, 4), indices: Int32Array.of(0, 2, 1, 3), values: Float32Array.of(1, 1, 1, 1) },
    };
    // Per epoch: 3·U·H·I = 3·2·2·5 = 60, sparse layer 2·nnz·H = 16, Adam 2 batches × (2·5·2 + 5 + 2 = 27) = 54,
    // validation 1 user · H·I = 10: 140. Bytes: 4·(5·27 parameters + 1·5 logits + 2·1·2 hidden) + 8·4 inputs = 608.
    expect(multVae.estimateCost(set, { hiddenDim: 2, nEpochs: 3, batchSize: 1, validationUsers: 0.5 })).toEqual({ multiplyAdds: 420, bytes: 608 });
    // Without early stopping: no validation pass, no copy of the best weights.
    expect(multVae.estimateCost(set, { hiddenDim: 2, nEpochs: 3, batchSize: 1, validationUsers: 0 })).toEqual({ multiplyAdds: 390, bytes: 500 });
    // ML-100K at the defaults: 943 users × 1,682 items, 100,000 entries: 3·943·200·1682 = 951,675,600, + 2·100,000·200 = 40,000,000,
    // + 10 batches × 674,682 = 6,746,820 = 998,422,420 an epoch; × 28 epochs.
    const ml = { nUsers: 943, nItems: 1682, ratings: { nRows: 943, nCols: 1682, indptr: Int32Array.from({ length: 944 }, (_, u) => Math.round((u * 100000) / 943)), indices: new Int32Array(100000), values: new Float32Array(100000) } };
    expect(multVae.estimateCost(ml, {}).multiplyAdds).toBe(27_955_827_760);
  });

  it("gives a cold-start user finite scores", () => {
    const model = multVae.fit(data.train, { ...params, nEpochs: 3 }, { seed: 3 });
    expect(model.scoreAll(data.train.nUsers - 1).every(Number.isFinite)).toBe(true);
    expect(model.similarItems!(0, 4)).toHaveLength(4);
  });

  it("lowers the training loss: scores rank a user's training items above the rest", () => {
    const model = multVae.fit(data.train, params, { seed: 3 });
    const { indptr, indices } = data.train.ratings;
    const s = model.scoreAll(0);
    const mine = new Set(indices.subarray(indptr[0], indptr[1]));
    const avg = (keep: (i: number) => boolean) => {
      const xs = Array.from(s).filter((_, i) => keep(i));
      return xs.reduce((a, b) => a + b, 0) / xs.length;
    };
    expect(avg((i) => mine.has(i))).toBeGreaterThan(avg((i) => !mine.has(i)));
  });
});
