// EASE on several threads computes every entry of G, L, L⁻¹, G⁻¹ and B with
// the one-thread arithmetic, so B is the one-thread B bit for bit.
import { ease, type EaseModel } from "../../../src/engine/algorithms/ease";
import { EASE_PARALLEL_MIN_ITEMS } from "../../../src/engine/algorithms/easeThreads";
import { syntheticData } from "./support/syntheticData";

// (Jest's realm has its own ArrayBuffer: ask the tag, not instanceof.)
const shared = (a: Float32Array) => Object.prototype.toString.call(a.buffer) === "[object SharedArrayBuffer]";
const sameBits = (a: Float32Array, b: Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));

describe("EASE on threads", () => {
  const data = syntheticData(13, { nUsers: 3000, nItems: EASE_PARALLEL_MIN_ITEMS, perUser: 40, implicit: true });

  it("gives the one-thread weights bit for bit past the size threshold", () => {
    const one = ease.fit(data.train, {}, { seed: 0 }) as EaseModel;
    const two = ease.fit(data.train, {}, { seed: 0, threads: 2 }) as EaseModel;
    const three = ease.fit(data.train, { lambda: 50 }, { seed: 0, threads: 3 }) as EaseModel;
    expect([shared(one.weights), shared(two.weights), shared(three.weights)]).toEqual([false, true, true]);
    expect(sameBits(two.weights, one.weights)).toBe(true);
    expect(sameBits(three.weights, (ease.fit(data.train, { lambda: 50 }, { seed: 0 }) as EaseModel).weights)).toBe(true);
    expect(Array.from(two.scoreAll(5))).toEqual(Array.from(one.scoreAll(5)));
  }, 120_000);

  it("says XᵀX + λI is not positive definite on threads as on one", () => {
    // An item no one has and λ = 0: a zero row in the Gram matrix.
    const train = { ...data.train, nItems: data.train.nItems + 1, ratings: { ...data.train.ratings, nCols: data.train.nItems + 1 } };
    expect(() => ease.fit(train, { lambda: 0 }, { seed: 0 })).toThrow("not positive definite");
    expect(() => ease.fit(train, { lambda: 0 }, { seed: 0, threads: 2 })).toThrow("not positive definite");
  }, 120_000);

  it("stays on one thread below the threshold", () => {
    const small = syntheticData(3, { implicit: true });
    const two = ease.fit(small.train, {}, { seed: 0, threads: 2 }) as EaseModel;
    expect(shared(two.weights)).toBe(false);
    expect(sameBits(two.weights, (ease.fit(small.train, {}, { seed: 0 }) as EaseModel).weights)).toBe(true);
  });
});
