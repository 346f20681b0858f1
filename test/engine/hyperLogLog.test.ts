// The HyperLogLog sketch behind onlineMetrics' users: hand-worked estimates
// at the edges, exact small counts, duplicates and merging, and the error
// over larger sets within a few standard errors (1.6%).
import { HLL_REGISTERS, HyperLogLog, hllEstimate, hllPosition } from "../../src/engine/sketch/hyperLogLog";

const sketchOf = (ids: Iterable<number>) => {
  const s = new HyperLogLog();
  for (const id of ids) s.add(id);
  return s;
};
const range = (from: number, n: number) => Array.from({ length: n }, (_, i) => from + i);

describe("the HyperLogLog estimate", () => {
  it("matches hand-worked values: linear counting for few registers, the raw estimate when none is empty", () => {
    expect(hllEstimate(0, 0)).toBe(0);
    // m ln(m / (m - 1)) with m = 4096.
    expect(hllEstimate(1, 0.5)).toBeCloseTo(1.000122, 6);
    expect(hllEstimate(2, 0.75)).toBeCloseTo(2.000488, 6);
    // Every register at rank 1: alpha m^2 / (m / 2) = 2 alpha m, alpha = 0.7213 / (1 + 1.079 / 4096).
    expect(hllEstimate(HLL_REGISTERS, HLL_REGISTERS / 2)).toBeCloseTo(5907.34, 1);
  });

  it("places ids in registers 0..4095 with ranks 1..53, the same way every time", () => {
    for (const id of [0, 1, 2, 41, 2 ** 31 - 1]) {
      const p = hllPosition(id);
      expect(p).toEqual(hllPosition(id));
      expect(p.register).toBeGreaterThanOrEqual(0);
      expect(p.register).toBeLessThan(HLL_REGISTERS);
      expect(p.rho).toBeGreaterThanOrEqual(1);
      expect(p.rho).toBeLessThanOrEqual(53);
    }
    // The ranks follow a geometric law: about half the ids rank 1, a quarter 2.
    const ranks = range(1, 100_000).map((id) => hllPosition(id).rho);
    expect(ranks.filter((r) => r === 1).length / ranks.length).toBeCloseTo(0.5, 1);
    expect(ranks.filter((r) => r === 2).length / ranks.length).toBeCloseTo(0.25, 1);
    // Registers are spread evenly: none holds more than twice its share.
    const perRegister = new Array<number>(HLL_REGISTERS).fill(0);
    for (const id of range(1, 100_000)) perRegister[hllPosition(id).register]++;
    expect(Math.max(...perRegister)).toBeLessThan((2 * 100_000) / HLL_REGISTERS);
  });

  it("counts a few users exactly, and a user seen twice once", () => {
    expect(sketchOf([]).estimate()).toBe(0);
    expect(Math.round(sketchOf([7]).estimate())).toBe(1);
    expect(Math.round(sketchOf([7, 7, 7]).estimate())).toBe(1);
    expect(Math.round(sketchOf([1, 2]).estimate())).toBe(2);
    expect(Math.round(sketchOf(range(1, 50)).estimate())).toBe(50);
  });

  it("merges to the sketch of the union, in any order", () => {
    const a = sketchOf(range(1, 3000));
    const b = sketchOf(range(2001, 3000));
    const union = sketchOf(range(1, 5000));
    const ab = sketchOf([]);
    ab.merge(a);
    ab.merge(b);
    const ba = sketchOf([]);
    ba.merge(b);
    ba.merge(a);
    expect(ab.registers).toEqual(union.registers);
    expect(ba.registers).toEqual(union.registers);
  });

  it.each([1_000, 10_000, 30_000, 200_000])("estimates %d distinct ids within 5% (three standard errors)", (n) => {
    for (const offset of [0, 1_000_000]) {
      const estimate = sketchOf(range(offset + 1, n)).estimate();
      expect(Math.abs(estimate - n) / n).toBeLessThan(0.05);
    }
  });
});
