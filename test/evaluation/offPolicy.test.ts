// The off-policy estimators on three logged answers of depth k = 2 whose
// values are worked out by hand below. Items: A = 1, B = 2, C = 3.
import { fitPositionModel, offPolicyEstimates, type LoggedSlate } from "../../src/evaluation/offPolicy";

const A = 1;
const B = 2;
const C = 3;
const Z = 1.959963984540054;

// S1 shows [A, B] with p [0.6, 0.1], A clicked; the candidate says [A, C]:
//   w = [1/0.6 = 5/3, 0].
// S2 shows [B, A] with p [0.1, 0.1], A clicked; the candidate says [B, A]:
//   w = [10, 10].
// S3 shows [A, C] with p [0.6, 0.6], nothing clicked; the candidate says
//   [A, B], and B was outside the logging policy's support at rank 2: w = [5/3, 0].
const SLATES: LoggedSlate[] = [
  { shown: [A, B], propensities: [0.6, 0.1], clicks: [1, 0], candidate: [A, C], supported: [true, true] },
  { shown: [B, A], propensities: [0.1, 0.1], clicks: [0, 1], candidate: [B, A], supported: [true, true] },
  { shown: [A, C], propensities: [0.6, 0.6], clicks: [0, 0], candidate: [A, B], supported: [true, false] },
];

describe("off-policy estimates (item-position model)", () => {
  const q = fitPositionModel(SLATES, 2, 1);
  const e = offPolicyEstimates(SLATES, 2, q);

  it("fits the position-based click model: rank CTR times a shrunk item attractiveness", () => {
    // theta = [1/3, 1/3] (one click at each rank over three answers).
    // A: 2 clicks, expected 1/3 + 1/3 + 1/3 = 1: gamma = (2 + 1) / (1 + 1) = 3/2, q = 1/2.
    // B: 0 clicks, expected 2/3: gamma = 1 / (5/3) = 3/5, q = 1/5.
    // C: 0 clicks, expected 1/3: gamma = 1 / (4/3) = 3/4, q = 1/4.
    // An item never shown: gamma = 1, q = theta.
    expect(q(A, 0)).toBeCloseTo(1 / 2, 12);
    expect(q(A, 1)).toBeCloseTo(1 / 2, 12);
    expect(q(B, 0)).toBeCloseTo(1 / 5, 12);
    expect(q(C, 1)).toBeCloseTo(1 / 4, 12);
    expect(q(99, 0)).toBeCloseTo(1 / 3, 12);
  });

  it("IPS: the mean of (1/k) sum_r w_r c_r, with its standard error", () => {
    // X = [(5/3 * 1)/2, (10 * 0 + 10 * 1)/2, 0] = [5/6, 5, 0]; mean 35/18.
    // Deviations -20/18, 55/18, -35/18: sum of squares 4650/324; variance /2;
    // standard error sqrt(4650/324/2/3).
    const se = Math.sqrt(4650 / 324 / 2 / 3);
    expect(e.ips.value).toBeCloseTo(35 / 18, 12);
    expect(e.ips.standardError).toBeCloseTo(se, 12);
    expect(e.ips.low).toBeCloseTo(35 / 18 - Z * se, 12);
    expect(e.ips.high).toBeCloseTo(35 / 18 + Z * se, 12);
  });

  it("self-normalised IPS: per rank sum w c / sum w, averaged, with the delta-method error", () => {
    // Rank 1: w = [5/3, 10, 5/3], c = [1, 0, 0]: (5/3) / (40/3) = 1/8.
    // Rank 2: w = [0, 10, 0], c = [0, 1, 0]: 10 / 10 = 1.  SNIPS = (1/8 + 1)/2 = 9/16.
    // Influence phi_i = (1/2) * 3 * sum_r (w c - V_r w) / B_r:
    //   phi = [21/128, -18/128, -3/128] (sum 0); SE = sqrt(774/16384 / (3 * 2)) = sqrt(129)/128.
    expect(e.snips.value).toBeCloseTo(9 / 16, 12);
    expect(e.snips.standardError).toBeCloseTo(Math.sqrt(129) / 128, 12);
    expect(e.snips.low).toBeCloseTo(9 / 16 - (Z * Math.sqrt(129)) / 128, 12);
  });

  it("doubly robust: the model's value of the candidate plus the weighted residuals", () => {
    // D1 = ([1/2 + 5/3 (1 - 1/2)] + [1/4])/2 = (4/3 + 1/4)/2 = 19/24.
    // D2 = ([1/5 + 10 (0 - 1/5)] + [1/2 + 10 (1 - 1/2)])/2 = (-9/5 + 11/2)/2 = 37/20.
    // D3 = ([1/2 + 5/3 (0 - 1/2)] + [1/5])/2 = (-1/3 + 1/5)/2 = -1/15.
    // Mean (95 + 222 - 8)/120/3 = 103/120.
    const d = [19 / 24, 37 / 20, -1 / 15];
    const mean = 103 / 120;
    const se = Math.sqrt(d.reduce((a, v) => a + (v - mean) ** 2, 0) / 2 / 3);
    expect(e.doublyRobust.value).toBeCloseTo(mean, 12);
    expect(e.doublyRobust.standardError).toBeCloseTo(se, 12);
  });

  it("counts matched slots, support, the effective sample size and the logged CTR", () => {
    // Weights over the six slots: 5/3, 0, 10, 10, 5/3, 0: (70/3)^2 / (1850/9) = 98/37.
    expect(e).toMatchObject({ impressions: 3, matchedSlots: 4, loggedClicks: 2, loggedSlots: 6 });
    expect(e.support).toBeCloseTo(5 / 6, 12);
    expect(e.effectiveSampleSize).toBeCloseTo(98 / 37, 12);
  });

  it("has no SNIPS value when a rank has no matched slot, and nothing from no impressions", () => {
    const unmatched = SLATES.map((s) => ({ ...s, candidate: [s.shown[0], 99] }));
    const u = offPolicyEstimates(unmatched, 2, q);
    expect(u.snips).toEqual({ value: null, standardError: null, low: null, high: null });
    expect(u.ips.value).toBeCloseTo((5 / 6 + 0 + 0) / 3, 12);
    const none = offPolicyEstimates([], 2, q);
    expect(none).toEqual({
      impressions: 0, matchedSlots: 0, support: null, effectiveSampleSize: 0, loggedClicks: 0, loggedSlots: 0,
      ips: { value: null, standardError: null, low: null, high: null },
      snips: { value: null, standardError: null, low: null, high: null },
      doublyRobust: { value: null, standardError: null, low: null, high: null },
    });
  });

  it("is unbiased where the candidate is the logging policy's deterministic part: exact enumeration", () => {
    // One user, pool of M = 3 items [A, B, C], n = k = 1, eps = 1/2, normal
    // list [A]; A is clicked with probability 1 (deterministic rule), B and
    // C never. Outcomes: A with probability 1/2 + 1/6 = 2/3, B and C with 1/6
    // each. IPS over the three outcomes weighted by probability:
    //   2/3 * (1 / (2/3)) * 1 = 1 = the candidate's true CTR.
    const pA = 2 / 3;
    const slate = (x: number): LoggedSlate => ({ shown: [x], propensities: [x === A ? pA : 1 / 6], clicks: [x === A ? 1 : 0], candidate: [A], supported: [true] });
    const flat = () => 0;
    const expected = pA * offPolicyEstimates([slate(A)], 1, flat).ips.value! + (1 / 6) * offPolicyEstimates([slate(B)], 1, flat).ips.value! + (1 / 6) * offPolicyEstimates([slate(C)], 1, flat).ips.value!;
    expect(expected).toBeCloseTo(1, 12);
  });
});
