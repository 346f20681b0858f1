// The always-valid test of an experiment: a mixture sequential probability
// ratio test (mSPRT) with a normal mixture on the difference of two
// proportions, after Johari, Koomen, Pekelis and Walsh, "Always Valid
// Inference: Continuous Monitoring of A/B Tests", Operations Research 70(3),
// 2022, section 4. With the normal approximation the difference
// theta = p1 - p0 has variance V = p1(1-p1)/n1 + p0(1-p0)/n0, and mixing
// the likelihood ratio over theta ~ N(0, tau^2) gives, in closed form,
//   Lambda = sqrt(V / (V + tau^2)) * exp(theta^2 tau^2 / (2 V (V + tau^2))).
// Under "no difference" Lambda is a nonnegative martingale with mean 1, so by
// Ville's inequality P(Lambda ever >= 1/alpha) <= alpha: the result may be read
// after every batch of traffic without inflating false positives. Reading
// Lambda >= 1/alpha for theta and solving gives the confidence sequence
//   theta ± sqrt(V (V + tau^2) / tau^2 * (2 log(1/alpha) + log((V + tau^2) / V))).
// tau is the scale of effects the test is most sensitive to; it must be
// fixed before the data (it is stored with the experiment).

export interface ArmCounts {
  successes: number;
  trials: number;
}

export interface MixtureTest {
  // p1 - p0 (treatment minus control).
  difference: number;
  // The mixture likelihood ratio.
  lambda: number;
  // min(1, 1/Lambda): the always-valid p-value of this look alone.
  pValue: number;
  // The always-valid (1 - alpha) confidence sequence on the difference.
  low: number;
  high: number;
  // Lambda >= 1/alpha.
  rejects: boolean;
}

// A proportion whose sample variance is not 0: with no (or only) successes
// in n trials the normal approximation would claim certainty, so the rate
// is kept half a trial inside (0, 1).
function varianceOf(a: ArmCounts): number {
  const n = a.trials;
  const p = Math.min(Math.max(a.successes / n, 0.5 / n), 1 - 0.5 / n);
  return (p * (1 - p)) / n;
}

// `alpha`: the level of this one comparison (already split over the
// treatments by the caller). Both arms need trials.
export function mixtureSprt(treatment: ArmCounts, control: ArmCounts, tau: number, alpha: number): MixtureTest {
  if (!(treatment.trials > 0 && control.trials > 0)) throw new RangeError("mixtureSprt needs trials in both arms");
  if (!(tau > 0) || !(alpha > 0 && alpha < 1)) throw new RangeError(`mixtureSprt needs tau > 0 and alpha in (0, 1); got tau ${tau}, alpha ${alpha}`);
  const theta = treatment.successes / treatment.trials - control.successes / control.trials;
  const v = varianceOf(treatment) + varianceOf(control);
  const t2 = tau * tau;
  // In logs: exp() of a large exponent would overflow before it is compared.
  const logLambda = 0.5 * Math.log(v / (v + t2)) + (theta * theta * t2) / (2 * v * (v + t2));
  const lambda = Math.exp(logLambda);
  const half = Math.sqrt(((v * (v + t2)) / t2) * (2 * Math.log(1 / alpha) + Math.log((v + t2) / v)));
  return {
    difference: theta,
    lambda,
    pValue: Math.min(1, Math.exp(-logLambda)),
    low: theta - half,
    high: theta + half,
    rejects: logLambda >= Math.log(1 / alpha),
  };
}
