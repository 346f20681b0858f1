import { featureCosine, mmrOrder } from "../../src/serving/mmr";

describe("mmrOrder (maximal marginal relevance)", () => {
  // a1, a2 alike (cosine 1); b unlike both; relevance a1 > a2 > b.
  const pool = [
    { id: "a1", score: 3, f: [{ featureId: 1, weight: 1 }] },
    { id: "a2", score: 2, f: [{ featureId: 1, weight: 1 }] },
    { id: "b", score: 1, f: [{ featureId: 2, weight: 1 }] },
  ];
  const sim = (x: (typeof pool)[number], y: (typeof pool)[number]) => featureCosine(x.f, y.f);
  const ids = (list: typeof pool) => list.map((p) => p.id);

  it("keeps the relevance order at diversity 0", () => {
    expect(ids(mmrOrder(pool, 3, 0, sim))).toEqual(["a1", "a2", "b"]);
  });

  it("moves the unlike item up once redundancy outweighs relevance", () => {
    // After a1: a2 = (1-d)*0.5 - d*1, b = (1-d)*0 - 0; b wins when d > 1/3.
    expect(ids(mmrOrder(pool, 3, 0.3, sim))).toEqual(["a1", "a2", "b"]);
    expect(ids(mmrOrder(pool, 3, 0.4, sim))).toEqual(["a1", "b", "a2"]);
  });

  it("returns at most k items and copes with a pool smaller than k", () => {
    expect(ids(mmrOrder(pool, 2, 1, sim))).toEqual(["a1", "b"]);
    expect(ids(mmrOrder(pool.slice(0, 1), 5, 0.5, sim))).toEqual(["a1"]);
  });

  it("featureCosine is the cosine of the weighted feature lists", () => {
    expect(featureCosine([{ featureId: 1, weight: 1 }, { featureId: 2, weight: 1 }], [{ featureId: 1, weight: 2 }])).toBeCloseTo(Math.SQRT1_2, 10);
    expect(featureCosine([], [{ featureId: 1, weight: 1 }])).toBe(0);
  });
});
