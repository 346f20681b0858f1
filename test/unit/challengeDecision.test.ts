// The challenger gate's rule, with figures worked out by hand: a 2% margin
// lets nDCG@10 fall from 0.25 to 0.245 and not below; lets RMSE rise from
// 0.9 to 0.918 and not above.
import { decideChallenge, formatMargin, withinMargin } from "../../src/serving/challengeDecision";

const champion = (metrics: Record<string, unknown>) => ({ version: 3, metrics });

describe("the challenger gate", () => {
  it("compares within the margin, inclusive, in the metric's own direction", () => {
    expect(withinMargin(0.245, 0.25, 0.02, true)).toBe(true); // 0.25 · 0.98 = 0.245
    expect(withinMargin(0.2449, 0.25, 0.02, true)).toBe(false);
    expect(withinMargin(0.3, 0.25, 0, true)).toBe(true);
    expect(withinMargin(0.918, 0.9, 0.02, false)).toBe(true); // 0.9 · 1.02 = 0.918
    expect(withinMargin(0.9181, 0.9, 0.02, false)).toBe(false);
    expect(withinMargin(0.5, 0.9, 0, false)).toBe(true);
    expect(formatMargin(0.02)).toBe("2%");
    expect(formatMargin(0.025)).toBe("2.5%");
    expect(formatMargin(0)).toBe("0%");
  });

  it("refuses a ranking challenger more than the margin below the champion's nDCG@10, with the figures", () => {
    expect(decideChallenge({ explicit: false, margin: 0.02, challengerMetrics: { "ndcg@10": 0.1012, rmse: 0.1 }, champion: champion({ "ndcg@10": 0.231 }) })).toEqual({
      outcome: "REFUSED",
      reason: "ndcg@10 0.1012 < champion v3's 0.2310 - 2%",
      metric: "ndcg@10",
      challenger: 0.1012,
      champion: 0.231,
      margin: 0.02,
      championVersion: 3,
      offPolicy: null,
    });
  });

  it("promotes a ranking challenger within the margin", () => {
    expect(decideChallenge({ explicit: false, margin: 0.02, challengerMetrics: { "ndcg@10": 0.245 }, champion: champion({ "ndcg@10": 0.25 }) })).toMatchObject({
      outcome: "PROMOTED",
      reason: "ndcg@10 0.2450 >= champion v3's 0.2500 - 2%",
    });
  });

  it("gates a rating model on RMSE, lower being better", () => {
    expect(decideChallenge({ explicit: true, margin: 0.02, challengerMetrics: { rmse: 0.95, "ndcg@10": 0.9 }, champion: champion({ rmse: 0.9, "ndcg@10": 0.1 }) })).toEqual({
      outcome: "REFUSED",
      reason: "rmse 0.9500 > champion v3's 0.9000 + 2%",
      metric: "rmse",
      challenger: 0.95,
      champion: 0.9,
      margin: 0.02,
      championVersion: 3,
      offPolicy: null,
    });
    expect(decideChallenge({ explicit: true, margin: 0.02, challengerMetrics: { rmse: 0.91 }, champion: champion({ rmse: 0.9 }) })).toMatchObject({
      outcome: "PROMOTED",
      reason: "rmse 0.9100 <= champion v3's 0.9000 + 2%",
    });
  });

  it("promotes without a champion, or against one without the metric; refuses a challenger without it", () => {
    expect(decideChallenge({ explicit: false, margin: 0.02, challengerMetrics: { "ndcg@10": 0.1 }, champion: null })).toEqual({
      outcome: "PROMOTED",
      reason: "no champion: no version was active",
      metric: "ndcg@10",
      challenger: 0.1,
      champion: null,
      margin: 0.02,
      championVersion: null,
      offPolicy: null,
    });
    expect(decideChallenge({ explicit: false, margin: 0.02, challengerMetrics: { "ndcg@10": 0.1 }, champion: champion({ origin: "import" }) })).toMatchObject({
      outcome: "PROMOTED",
      reason: "champion v3 has no held-out ndcg@10 to compare with",
      champion: null,
    });
    expect(decideChallenge({ explicit: false, margin: 0.02, challengerMetrics: { fitSeconds: 1 }, champion: champion({ "ndcg@10": 0.2 }) })).toMatchObject({
      outcome: "REFUSED",
      reason: "the challenger has no held-out ndcg@10 (too few interactions to hold any out)",
      challenger: null,
      champion: 0.2,
    });
  });

  it("with off-policy figures, the challenger must also be within the margin there", () => {
    const held = { explicit: false, margin: 0.02, challengerMetrics: { "ndcg@10": 0.3 }, champion: champion({ "ndcg@10": 0.25 }) };
    // 0.03 · 0.98 = 0.0294: 0.0290 is too low.
    expect(decideChallenge({ ...held, offPolicy: { metric: "ctr", champion: 0.03, challenger: 0.029 } })).toMatchObject({
      outcome: "REFUSED",
      reason: "ndcg@10 0.3000 >= champion v3's 0.2500 - 2%; off-policy ctr 0.0290 < champion's 0.0300 - 2%",
      offPolicy: { metric: "ctr", champion: 0.03, challenger: 0.029, higherIsBetter: true },
    });
    expect(decideChallenge({ ...held, offPolicy: { metric: "ctr", champion: 0.03, challenger: 0.0295 } })).toMatchObject({
      outcome: "PROMOTED",
      reason: "ndcg@10 0.3000 >= champion v3's 0.2500 - 2%; off-policy ctr 0.0295 >= champion's 0.0300 - 2%",
    });
    // No estimate: the held-out figures alone decide.
    expect(decideChallenge({ ...held, offPolicy: null })).toMatchObject({ outcome: "PROMOTED", offPolicy: null });
  });
});
