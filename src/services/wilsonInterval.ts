// The Wilson score interval for a binomial proportion (Wilson 1927, "Probable
// inference, the law of succession, and statistical inference", JASA 22):
// unlike the normal approximation p ± z·sqrt(p(1-p)/n) it stays inside
// [0, 1] and is not degenerate at 0 or n successes, which is where the
// click-through rates of a few hours of traffic live.
export interface Proportion {
  successes: number;
  trials: number;
  // null when there were no trials.
  value: number | null;
  low: number | null;
  high: number | null;
}

// z = 1.96: a 95% interval.
export function wilsonInterval(successes: number, trials: number, z = 1.96): Proportion {
  if (trials <= 0) return { successes, trials, value: null, low: null, high: null };
  const x = Math.min(successes, trials);
  const p = x / trials;
  const z2 = z * z;
  const denominator = 1 + z2 / trials;
  const centre = (p + z2 / (2 * trials)) / denominator;
  const half = (z * Math.sqrt((p * (1 - p)) / trials + z2 / (4 * trials * trials))) / denominator;
  return { successes, trials, value: p, low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}
