// Which arm an experiment's evidence favours, if any, from the always-valid
// comparisons of each treatment with the control (the first arm). A
// treatment significantly better than the control wins (the largest
// difference, when several are); the control wins only when every treatment
// is significantly worse; anything else is "no winner yet". A comparison
// counts only once both arms have `minTrials` trials: the normal
// approximation behind the test is poor on a handful of trials.
export interface Comparison {
  arm: string;
  // Treatment minus control.
  difference: number;
  trials: number;
  significant: boolean;
  // A treatment stopped by a guardrail cannot win.
  stopped: boolean;
}

export interface Decision {
  winner: string | null;
  // Why not (yet), when there is no winner.
  why: string | null;
}

export function decideWinner(control: { arm: string; trials: number }, comparisons: readonly Comparison[], minTrials: number): Decision {
  if (comparisons.length === 0) return { winner: null, why: "the experiment has no treatment arm" };
  const small = [control, ...comparisons].filter((a) => a.trials < minTrials);
  if (small.length > 0) {
    return { winner: null, why: `${small.map((a) => `${a.arm} has ${a.trials} trials`).join(", ")}; each arm needs at least ${minTrials}` };
  }
  const better = comparisons.filter((c) => c.significant && c.difference > 0 && !c.stopped);
  if (better.length > 0) return { winner: better.reduce((a, b) => (b.difference > a.difference ? b : a)).arm, why: null };
  if (comparisons.every((c) => c.significant && c.difference < 0)) return { winner: control.arm, why: null };
  return { winner: null, why: "no difference from the control is significant yet" };
}
