import { multVae } from "../../../src/engine/algorithms/multVae";
import { ndcgAt10, popularityNdcg, syntheticData } from "./support/syntheticData";

describe("multVae (Mult-DAE of Liang et al. 2018)", () => {
  const data = syntheticData(1, { implicit: true });
  const params = { hiddenDim: 32, nEpochs: 30, batchSize: 20 };

  it("ranks the synthetic catalog far above popularity (pinned nDCG@10)", () => {
    const value = ndcgAt10(multVae.fit(data.train, params, { seed: 3 }), data);
    expect(value).toBeGreaterThan(popularityNdcg(data) + 0.3);
    expect(value).toBeCloseTo(0.6673, 3);
  });

  it("is deterministic for a seed (dropout masks included)", () => {
    const p = { ...params, nEpochs: 3 };
    const a = multVae.fit(data.train, p, { seed: 9 });
    const b = multVae.fit(data.train, p, { seed: 9 });
    const c = multVae.fit(data.train, p, { seed: 10 });
    expect(Array.from(a.scoreAll(1))).toEqual(Array.from(b.scoreAll(1)));
    expect(Array.from(a.scoreAll(1))).not.toEqual(Array.from(c.scoreAll(1)));
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
