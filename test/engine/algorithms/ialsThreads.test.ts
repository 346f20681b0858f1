// iALS on several threads re-solves each row with the one-thread arithmetic,
// so the factors are bit for bit those of one thread, for the same seed.
import { ials, IALS_PARALLEL_MIN_ENTRIES, type IalsModel } from "../../../src/engine/algorithms/ials";
import { balancedRanges } from "../../../src/engine/algorithms/ialsSolve";
import { syntheticData } from "./support/syntheticData";

describe("iALS on threads", () => {
  // 4,200 users × 32 items, three quarters kept for training: 100,800 entries.
  const data = syntheticData(11, { nUsers: 4201, nItems: 400, perUser: 32, implicit: true });
  const params = { nFactors: 8, nIterations: 3 };

  it("trains on the threads asked for and gives the one-thread factors bit for bit", () => {
    expect(data.train.ratings.indices.length).toBeGreaterThanOrEqual(IALS_PARALLEL_MIN_ENTRIES);
    const one = ials.fit(data.train, params, { seed: 5 }) as IalsModel;
    const two = ials.fit(data.train, params, { seed: 5, threads: 2 }) as IalsModel;
    const three = ials.fit(data.train, params, { seed: 5, threads: 3 }) as IalsModel;
    expect([one.threadsUsed, two.threadsUsed, three.threadsUsed]).toEqual([1, 2, 3]);
    expect(Buffer.from(two.userFactors.buffer, 0, two.userFactors.byteLength).equals(Buffer.from(one.userFactors.buffer, 0, one.userFactors.byteLength))).toBe(true);
    expect(Buffer.from(two.itemFactors.buffer, 0, two.itemFactors.byteLength).equals(Buffer.from(one.itemFactors.buffer, 0, one.itemFactors.byteLength))).toBe(true);
    expect(Array.from(three.itemFactors)).toEqual(Array.from(one.itemFactors));
    expect(Array.from(two.scoreAll(7))).toEqual(Array.from(one.scoreAll(7)));
  }, 120_000);

  it("weights λ on the threads as on one (weightedRegularization)", () => {
    const weighted = { ...params, regularization: 0.5, weightedRegularization: true };
    const one = ials.fit(data.train, weighted, { seed: 5 }) as IalsModel;
    const two = ials.fit(data.train, weighted, { seed: 5, threads: 2 }) as IalsModel;
    expect(two.threadsUsed).toBe(2);
    expect(Array.from(two.itemFactors)).toEqual(Array.from(one.itemFactors));
    // And it is another fit than the unweighted one.
    expect(Array.from(one.itemFactors)).not.toEqual(Array.from((ials.fit(data.train, { ...weighted, weightedRegularization: false }, { seed: 5 }) as IalsModel).itemFactors));
  }, 120_000);

  it("stays on one thread for a small training set", () => {
    const small = syntheticData(3, { implicit: true });
    expect((ials.fit(small.train, params, { seed: 5, threads: 2 }) as IalsModel).threadsUsed).toBe(1);
  });

  it("splits rows into ranges of about equal work", () => {
    // Rows with 10, 0, 0, 10 entries and a fixed cost of 5 each: total 40, halves at 20.
    const indptr = Int32Array.from([0, 10, 10, 10, 20]);
    expect(Array.from(balancedRanges(indptr, 2, 5))).toEqual([0, 2, 4]);
    expect(Array.from(balancedRanges(indptr, 1, 5))).toEqual([0, 4]);
    // More parts than rows: empty ranges, every row still covered once.
    const ranges = Array.from(balancedRanges(Int32Array.from([0, 3]), 3, 0));
    expect(ranges[0]).toBe(0);
    expect(ranges[3]).toBe(1);
    expect(ranges.every((r, t) => t === 0 || r >= ranges[t - 1])).toBe(true);
  });
});
