// The exploring policy: what it shows and the exact propensity of each shown item.
import { exploreList, propensityAt } from "../../../src/engine/exploration/epsilonExploration";
import { createRng } from "../../../src/engine/random";

// A random source that replays fixed numbers.
const replay = (...xs: number[]) => () => {
  const x = xs.shift();
  if (x === undefined) throw new Error("out of numbers");
  return x;
};

describe("epsilon exploration over the top M of the ranking", () => {
  it("shows the normal list when the draw is over the rate; propensities (1 - eps) + eps/M", () => {
    // eps = 0.25, M = 4, n = 2: p = 0.75 + 0.25/4 = 0.8125 for each normal item.
    const out = exploreList([0, 1], 4, 0.25, replay(0.3));
    expect(out).toEqual({ shown: [0, 1], propensities: [0.8125, 0.8125], explored: false });
  });

  it("samples an ordered subset of the pool by a partial shuffle when the draw is under the rate", () => {
    // Draw 0.1 < 0.25: explore. Rank 1: j = 0 + floor(0.9 * 4) = 3 -> pool [3,1,2,0];
    // rank 2: j = 1 + floor(0 * 3) = 1 -> [3,1,...]. Shown [3, 1]: item 3 is
    // not the normal first (p = 1/16); item 1 is the normal second (p = 0.75 + 1/16).
    const out = exploreList([0, 1], 4, 0.25, replay(0.1, 0.9, 0));
    expect(out).toEqual({ shown: [3, 1], propensities: [0.0625, 0.8125], explored: true });
  });

  it("with rate 1 every shown item has probability 1/M and the list is a sample without repeats", () => {
    const rng = createRng(7);
    for (let t = 0; t < 50; t++) {
      const out = exploreList([0, 1, 2], 5, 1, () => rng.next());
      expect(out.propensities).toEqual([0.2, 0.2, 0.2]);
      expect(new Set(out.shown).size).toBe(3);
      for (const x of out.shown) expect(x >= 0 && x < 5).toBe(true);
    }
  });

  it("rate 0 is the deterministic list with probability 1", () => {
    expect(exploreList([2, 0], 3, 0, () => 0)).toEqual({ shown: [2, 0], propensities: [1, 1], explored: false });
  });

  it("gives the marginal probabilities the sampler has: frequencies over many draws", () => {
    // eps = 0.5, M = 3, n = 2, normal [0, 1]: P(0 at rank 1) = 0.5 + 1/6 = 2/3,
    // P(2 at rank 1) = 1/6, P(1 at rank 2) = 2/3.
    const rng = createRng(11);
    const counts = new Map<string, number>();
    const trials = 60_000;
    for (let t = 0; t < trials; t++) {
      const { shown } = exploreList([0, 1], 3, 0.5, () => rng.next());
      shown.forEach((x, r) => counts.set(`${x}@${r}`, (counts.get(`${x}@${r}`) ?? 0) + 1));
    }
    for (const [key, p] of [["0@0", 2 / 3], ["2@0", 1 / 6], ["1@1", 2 / 3], ["0@1", 1 / 6]] as const) {
      expect(Math.abs(counts.get(key)! / trials - p)).toBeLessThan(0.01);
      const [x, r] = key.split("@").map(Number);
      expect(propensityAt([0, 1], 3, 0.5, x, r)).toBeCloseTo(p, 12);
    }
    expect(propensityAt([0, 1], 3, 0.5, 3, 0)).toBe(0);
  });
});
