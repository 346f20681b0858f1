// The all-pairs similarity on several threads computes each row's pairs with
// the one-thread arithmetic, so the matrix is the one-thread matrix bit for bit.
import { transpose } from "../../../src/engine/data/CsrMatrix";
import { itemKnn } from "../../../src/engine/algorithms/itemKnn";
import { ALL_PAIRS_PARALLEL_MIN_UPDATES, allPairs, coRatedUpdates } from "../../../src/engine/similarity/allPairs";
import { similarityMatrix } from "../../../src/engine/similarity/similarityMatrix";
import { implicitCosineMeasure } from "../../../src/engine/similarity/similarityMeasures";
import { syntheticData } from "../algorithms/support/syntheticData";

// (Jest's realm has its own ArrayBuffer: ask the tag, not instanceof.)
const shared = (a: Float32Array) => Object.prototype.toString.call(a.buffer) === "[object SharedArrayBuffer]";
const sameBits = (a: Float32Array, b: Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));

describe("allPairs on threads", () => {
  // 6,000 users × 600 items, 75 training entries each: 16.6 million co-rated updates item-item.
  const data = syntheticData(7, { nUsers: 6000, nItems: 600, perUser: 100 });
  const byItem = transpose(data.train.ratings);

  it("gives the one-thread matrix bit for bit past the size threshold", () => {
    expect(coRatedUpdates(data.train.ratings)).toBeGreaterThanOrEqual(ALL_PAIRS_PARALLEL_MIN_UPDATES);
    for (const name of ["pearson", "msd", "cosine"] as const) {
      const one = similarityMatrix(byItem, name, { shrinkage: 100 });
      const two = similarityMatrix(byItem, name, { shrinkage: 100, threads: 2 });
      expect([shared(one), shared(two)]).toEqual([false, true]);
      expect(sameBits(two, one)).toBe(true);
    }
    const three = allPairs(byItem, implicitCosineMeasure, { threads: 3 });
    expect(sameBits(three, allPairs(byItem, implicitCosineMeasure))).toBe(true);
  }, 120_000);

  it("fits item-kNN on threads to the one-thread model", () => {
    const one = itemKnn.fit(data.train, {}, { seed: 1 });
    const two = itemKnn.fit(data.train, {}, { seed: 1, threads: 2 });
    for (const u of [0, 17, 5999]) expect(Array.from(two.scoreAll(u))).toEqual(Array.from(one.scoreAll(u)));
  }, 120_000);

  it("stays on one thread below the threshold", () => {
    const small = syntheticData(3);
    const rows = transpose(small.train.ratings);
    expect(coRatedUpdates(small.train.ratings)).toBeLessThan(ALL_PAIRS_PARALLEL_MIN_UPDATES);
    const two = similarityMatrix(rows, "pearson", { threads: 2 });
    expect(shared(two)).toBe(false);
    expect(sameBits(two, similarityMatrix(rows, "pearson"))).toBe(true);
  });
});
