// The always-valid test (mSPRT with a normal mixture, Johari et al. 2022),
// the winner rule and the hashed assignment, on values worked out by hand.
import { mixtureSprt } from "../../../src/engine/experiments/mixtureSprt";
import { decideWinner } from "../../../src/engine/experiments/decideWinner";
import { armAt, assignArm, assignmentPoint } from "../../../src/engine/experiments/assignArm";
import crypto from "node:crypto";

describe("mixtureSprt", () => {
  it("matches Lambda, the p-value and the confidence sequence worked out by hand", () => {
    // Control 100/1000, treatment 150/1000, tau = 0.05, alpha = 0.05:
    //   V = 0.15*0.85/1000 + 0.1*0.9/1000 = 1.275e-4 + 0.9e-4 = 2.175e-4
    //   V + tau^2 = 2.175e-4 + 0.0025 = 2.7175e-3
    //   sqrt(V / (V + tau^2)) = sqrt(0.0800368) = 0.282908
    //   theta^2 tau^2 / (2 V (V + tau^2)) = 0.0025 * 0.0025 / (2 * 2.175e-4 * 2.7175e-3) = 6.25e-6 / 1.182113e-6 = 5.287145
    //   Lambda = 0.282908 * e^5.287145 = 0.282908 * 197.778 = 55.953 >= 1/0.05 = 20: rejects
    //   p = 1/55.953 = 0.017872
    //   half width = sqrt(V (V + tau^2) / tau^2 * (2 ln 20 + ln(2.7175e-3 / 2.175e-4)))
    //              = sqrt(2.36423e-4 * (5.991465 + 2.525269)) = sqrt(2.013531e-3) = 0.044873
    const t = mixtureSprt({ successes: 150, trials: 1000 }, { successes: 100, trials: 1000 }, 0.05, 0.05);
    expect(t.difference).toBeCloseTo(0.05, 12);
    expect(t.lambda).toBeCloseTo(55.953, 2);
    expect(t.pValue).toBeCloseTo(0.017872, 5);
    expect(t.low).toBeCloseTo(0.05 - 0.044873, 5);
    expect(t.high).toBeCloseTo(0.05 + 0.044873, 5);
    expect(t.rejects).toBe(true);
  });

  it("does not reject a small difference, and its interval holds 0", () => {
    // Control 100/1000, treatment 110/1000, tau = 0.05:
    //   V = 0.11*0.89/1000 + 0.09e-3 = 0.979e-4 + 0.9e-4 = 1.879e-4
    //   exponent = 0.0001 * 0.0025 / (2 * 1.879e-4 * 2.6879e-3) = 2.5e-7 / 1.010113e-6 = 0.247497
    //   Lambda = sqrt(1.879e-4 / 2.6879e-3) * e^0.247497 = 0.264397 * 1.280822 = 0.338644; p = min(1, 2.95) = 1
    const t = mixtureSprt({ successes: 110, trials: 1000 }, { successes: 100, trials: 1000 }, 0.05, 0.05);
    expect(t.lambda).toBeCloseTo(0.338644, 5);
    expect(t.pValue).toBe(1);
    expect(t.rejects).toBe(false);
    expect(t.low).toBeLessThan(0);
    expect(t.high).toBeGreaterThan(0);
  });

  it("is symmetric in the sign of the difference, and rejects exactly when 0 leaves the interval", () => {
    for (const [x1, n1, x0, n0] of [[30, 200, 20, 200], [90, 400, 60, 400], [5, 50, 9, 60], [300, 1000, 250, 1000]]) {
      const a = mixtureSprt({ successes: x1, trials: n1 }, { successes: x0, trials: n0 }, 0.05, 0.05);
      const b = mixtureSprt({ successes: x0, trials: n0 }, { successes: x1, trials: n1 }, 0.05, 0.05);
      expect(b.lambda).toBeCloseTo(a.lambda, 10);
      expect(b.difference).toBeCloseTo(-a.difference, 12);
      expect(a.rejects).toBe(a.low > 0 || a.high < 0);
    }
  });

  it("keeps the variance positive with no successes at all (no division by zero)", () => {
    const t = mixtureSprt({ successes: 0, trials: 100 }, { successes: 0, trials: 100 }, 0.05, 0.05);
    expect(t.difference).toBe(0);
    expect(Number.isFinite(t.lambda)).toBe(true);
    expect(t.lambda).toBeLessThan(1);
    expect(t.pValue).toBe(1);
  });

  it("refuses arms without trials and a bad tau or alpha", () => {
    expect(() => mixtureSprt({ successes: 0, trials: 0 }, { successes: 1, trials: 10 }, 0.05, 0.05)).toThrow(RangeError);
    expect(() => mixtureSprt({ successes: 1, trials: 10 }, { successes: 1, trials: 10 }, 0, 0.05)).toThrow(RangeError);
    expect(() => mixtureSprt({ successes: 1, trials: 10 }, { successes: 1, trials: 10 }, 0.05, 1)).toThrow(RangeError);
  });

  it("seldom declares a difference between two identical arms however often it is read (A/A)", () => {
    // 200 simulated A/A runs of 40 looks of 250 trials per arm at p = 0.2,
    // read after every look: a run is a false positive if any look rejects.
    let seed = 12345;
    const random = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
    let falsePositives = 0;
    for (let run = 0; run < 200; run++) {
      const arms = [{ successes: 0, trials: 0 }, { successes: 0, trials: 0 }];
      let rejected = false;
      for (let look = 0; look < 40 && !rejected; look++) {
        for (const arm of arms) {
          for (let i = 0; i < 250; i++) arm.successes += random() < 0.2 ? 1 : 0;
          arm.trials += 250;
        }
        rejected = mixtureSprt(arms[1], arms[0], 0.05, 0.05).rejects;
      }
      if (rejected) falsePositives++;
    }
    expect(falsePositives / 200).toBeLessThanOrEqual(0.05);
  });
});

describe("decideWinner", () => {
  const c = (arm: string, difference: number, significant: boolean, trials = 500, stopped = false) => ({ arm, difference, significant, trials, stopped });
  it("needs the minimum sample in every arm", () => {
    expect(decideWinner({ arm: "control", trials: 99 }, [c("b", 0.2, true)], 100)).toEqual({ winner: null, why: "control has 99 trials; each arm needs at least 100" });
  });
  it("picks the significantly better treatment with the largest difference, never a stopped one", () => {
    expect(decideWinner({ arm: "control", trials: 500 }, [c("b", 0.05, true), c("c", 0.08, true), c("d", 0.3, true, 500, true)], 100)).toEqual({ winner: "c", why: null });
  });
  it("gives the control the win only when every treatment is significantly worse", () => {
    expect(decideWinner({ arm: "control", trials: 500 }, [c("b", -0.05, true), c("c", -0.08, true)], 100)).toEqual({ winner: "control", why: null });
    expect(decideWinner({ arm: "control", trials: 500 }, [c("b", -0.05, true), c("c", 0.01, false)], 100)).toEqual({ winner: null, why: "no difference from the control is significant yet" });
  });
});

describe("assignArm", () => {
  it("is the first 52 bits of sha256(\"<experiment>:<user>\") over 2^52", () => {
    const hex = crypto.createHash("sha256").update("7:alice").digest("hex");
    expect(assignmentPoint(7, "alice")).toBe(parseInt(hex.slice(0, 13), 16) / 2 ** 52);
    expect(assignmentPoint(7, "alice")).toBe(assignmentPoint(7, "alice"));
    expect(assignmentPoint(8, "alice")).not.toBe(assignmentPoint(7, "alice"));
  });
  it("cuts [0, 1) by the cumulative normalised weights; weight 0 gets no one", () => {
    // Weights 1, 0, 3 -> slices [0, 0.25), empty, [0.25, 1).
    expect(armAt(0, [1, 0, 3])).toBe(0);
    expect(armAt(0.2499, [1, 0, 3])).toBe(0);
    expect(armAt(0.25, [1, 0, 3])).toBe(2);
    expect(armAt(0.9999999, [1, 0, 3])).toBe(2);
    expect(armAt(0.5, [2, 2])).toBe(1);
  });
  it("spreads 20,000 users near the weights", () => {
    const counts = [0, 0, 0];
    for (let u = 0; u < 20_000; u++) counts[assignArm(3, `user-${u}`, [0.5, 0.3, 0.2])]++;
    // Binomial sd at n = 20,000 is at most 71 users: 4 sd is 1.4 points.
    expect(Math.abs(counts[0] / 20_000 - 0.5)).toBeLessThan(0.014);
    expect(Math.abs(counts[1] / 20_000 - 0.3)).toBeLessThan(0.014);
    expect(Math.abs(counts[2] / 20_000 - 0.2)).toBeLessThan(0.014);
  });
});
