// Off-policy estimates of a ranking policy's CTR@k from logged exploring
// traffic, under the item-position click model: a click on the item at
// rank r depends only on that item and r, so a slot of the logged answer
// counts for the candidate when the candidate puts the same item at the
// same rank (Li, Kim, Zitouni, "Offline Evaluation of Ranking Policies with
// Click Models", KDD 2018, section 4.2). With the logged propensity p_r of
// the shown item a_r at rank r, the candidate's list L and the click c_r:
//   w_r   = [L_r == a_r] / p_r                      (importance weight)
//   IPS   X_i = (1/k) sum_r w_r c_r
//   SNIPS (1/k) sum_r (sum_i w_ir c_ir) / (sum_i w_ir)   (per rank)
//   DR    D_i = (1/k) sum_r [ q(L_r, r) + w_r (c_r - q(a_r, r)) ]
// where q is a position-based click model fitted on the same logs
// (fitPositionModel). Each comes with a standard error and a 95% normal
// interval over impressions; for SNIPS by the delta method (its influence
// function). Pure: the service gathers the slates.

export interface LoggedSlate {
  // Rank r = 0..k-1 of one logged answer: the item shown (a_r), its logged
  // propensity (p_r > 0), whether it was clicked (c_r), the candidate's
  // item at that rank (L_r), and whether the logging policy could show the
  // candidate's item at that rank at all (nonzero propensity).
  shown: readonly number[];
  propensities: readonly number[];
  clicks: readonly number[];
  candidate: readonly number[];
  supported: readonly boolean[];
}

export interface Estimate {
  value: number | null;
  standardError: number | null;
  low: number | null;
  high: number | null;
}

export interface OffPolicyEstimates {
  impressions: number;
  matchedSlots: number;
  // Fraction of the candidate's slots inside the logging policy's support.
  support: number | null;
  // (sum w)^2 / sum w^2 over every slot (Kish's effective sample size).
  effectiveSampleSize: number;
  // Clicks over slots of the logged traffic itself.
  loggedClicks: number;
  loggedSlots: number;
  ips: Estimate;
  snips: Estimate;
  doublyRobust: Estimate;
}

// q(item, rank): an estimated click probability.
export type RewardModel = (item: number, rank: number) => number;

const Z95 = 1.959963984540054;
const EMPTY: Estimate = { value: null, standardError: null, low: null, high: null };

// The position-based model q(x, r) = theta_r * gamma_x, clipped to [0, 1]:
// theta_r is the logged CTR at rank r, and gamma_x the item's clicks over
// the clicks its ranks alone would predict, shrunk towards 1 by `prior`
// pseudo-clicks (an item seen once is not judged by that one showing):
//   gamma_x = (clicks_x + prior) / (sum over x's slots of theta_r + prior).
// An item never shown has gamma 1 (q = theta_r).
export function fitPositionModel(slates: readonly LoggedSlate[], k: number, prior = 1): RewardModel {
  const shownAt = new Float64Array(k);
  const clickedAt = new Float64Array(k);
  for (const s of slates) {
    for (let r = 0; r < k; r++) {
      shownAt[r] += 1;
      clickedAt[r] += s.clicks[r];
    }
  }
  const theta = Array.from({ length: k }, (_, r) => (shownAt[r] > 0 ? clickedAt[r] / shownAt[r] : 0));
  const clicks = new Map<number, number>();
  const expected = new Map<number, number>();
  for (const s of slates) {
    for (let r = 0; r < k; r++) {
      const x = s.shown[r];
      clicks.set(x, (clicks.get(x) ?? 0) + s.clicks[r]);
      expected.set(x, (expected.get(x) ?? 0) + theta[r]);
    }
  }
  return (item, rank) => {
    const e = expected.get(item);
    const gamma = e === undefined ? 1 : ((clicks.get(item) ?? 0) + prior) / (e + prior);
    return Math.min(1, Math.max(0, (theta[rank] ?? 0) * gamma));
  };
}

// Mean of per-impression values with its standard error (sample standard
// deviation over sqrt(n)); no error from one impression.
function meanEstimate(values: readonly number[]): Estimate {
  const n = values.length;
  if (n === 0) return EMPTY;
  const mean = values.reduce((a, b) => a + b, 0) / n;
  if (n < 2) return { value: mean, standardError: null, low: null, high: null };
  const variance = values.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1);
  const se = Math.sqrt(variance / n);
  return { value: mean, standardError: se, low: mean - Z95 * se, high: mean + Z95 * se };
}

export function offPolicyEstimates(slates: readonly LoggedSlate[], k: number, q: RewardModel): OffPolicyEstimates {
  const n = slates.length;
  const ips: number[] = [];
  const dr: number[] = [];
  const weighted = new Float64Array(k); // sum_i w_ir c_ir
  const weights = new Float64Array(k); // sum_i w_ir
  let matched = 0;
  let supported = 0;
  let sumW = 0;
  let sumW2 = 0;
  let loggedClicks = 0;
  const w = (s: LoggedSlate, r: number) => (s.candidate[r] === s.shown[r] ? 1 / s.propensities[r] : 0);
  for (const s of slates) {
    let x = 0;
    let d = 0;
    for (let r = 0; r < k; r++) {
      const wr = w(s, r);
      const c = s.clicks[r];
      if (wr > 0) matched++;
      if (s.supported[r]) supported++;
      sumW += wr;
      sumW2 += wr * wr;
      loggedClicks += c;
      x += wr * c;
      d += q(s.candidate[r], r) + wr * (c - q(s.shown[r], r));
      weighted[r] += wr * c;
      weights[r] += wr;
    }
    ips.push(x / k);
    dr.push(d / k);
  }
  return {
    impressions: n,
    matchedSlots: matched,
    support: n > 0 ? supported / (n * k) : null,
    effectiveSampleSize: sumW2 > 0 ? (sumW * sumW) / sumW2 : 0,
    loggedClicks,
    loggedSlots: n * k,
    ips: meanEstimate(ips),
    snips: selfNormalized(slates, k, w, weighted, weights),
    doublyRobust: meanEstimate(dr),
  };
}

// SNIPS = (1/k) sum_r V_r with V_r = A_r / B_r (A_r = sum_i w_ir c_ir,
// B_r = sum_i w_ir). Its variance by the delta method: impression i's
// influence is phi_i = (1/k) sum_r n (w_ir c_ir - V_r w_ir) / B_r (they sum
// to 0), and Var = sum phi_i^2 / (n (n - 1)). No value when some rank has
// no matched slot (B_r = 0): nothing says what the candidate earns there.
function selfNormalized(slates: readonly LoggedSlate[], k: number, w: (s: LoggedSlate, r: number) => number, weighted: Float64Array, weights: Float64Array): Estimate {
  const n = slates.length;
  if (n === 0 || weights.some((b) => b === 0)) return EMPTY;
  const v = Array.from(weights, (b, r) => weighted[r] / b);
  const value = v.reduce((a, b) => a + b, 0) / k;
  if (n < 2) return { value, standardError: null, low: null, high: null };
  let sum2 = 0;
  for (const s of slates) {
    let phi = 0;
    for (let r = 0; r < k; r++) {
      const wr = w(s, r);
      phi += (n * (wr * s.clicks[r] - v[r] * wr)) / weights[r];
    }
    phi /= k;
    sum2 += phi * phi;
  }
  const se = Math.sqrt(sum2 / (n * (n - 1)));
  return { value, standardError: se, low: value - Z95 * se, high: value + Z95 * se };
}
