import { selectTopK } from "../../../src/engine/recommender/selectTopK";
import { TopKHeap } from "../../../src/engine/recommender/TopKHeap";
import { createRng } from "../../../src/engine/random";

describe("selectTopK", () => {
  it("returns the k best, best first, ties to the lower index", () => {
    expect(selectTopK([0.1, 0.9, 0.5, 0.9, 0.3], 3)).toEqual([
      { item: 1, score: 0.9 },
      { item: 3, score: 0.9 },
      { item: 2, score: 0.5 },
    ]);
  });

  it("skips excluded and non-finite scores and copes with k > n", () => {
    const mask = Uint8Array.from([0, 1, 0, 0]);
    expect(selectTopK([1, 5, NaN, -Infinity], 10, mask)).toEqual([{ item: 0, score: 1 }]);
    expect(selectTopK([1, 2], 0)).toEqual([]);
  });

  it("agrees with a full sort on random scores", () => {
    const rng = createRng(5);
    const scores = Array.from({ length: 1000 }, () => Math.round(rng.next() * 50));
    const full = scores
      .map((score, item) => ({ item, score }))
      .sort((a, b) => b.score - a.score || a.item - b.item)
      .slice(0, 25);
    expect(selectTopK(Float32Array.from(scores), 25)).toEqual(full);
  });
});

describe("TopKHeap.accepts", () => {
  it("says whether push would keep a pair: room left, or better than the worst kept (ties to the lower index)", () => {
    const heap = new TopKHeap(2);
    expect(heap.accepts(5, -1)).toBe(true);
    heap.push(5, 0.5);
    heap.push(7, 0.8);
    expect(heap.accepts(9, 0.4)).toBe(false);
    expect(heap.accepts(9, 0.5)).toBe(false);
    expect(heap.accepts(4, 0.5)).toBe(true);
    expect(heap.accepts(9, 0.6)).toBe(true);
    expect(new TopKHeap(0).accepts(1, 1)).toBe(false);
  });
});
