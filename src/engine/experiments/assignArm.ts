// Deterministic, sticky assignment of a user to an arm, with no write per
// user: u = the first 52 bits of sha256("<experiment id>:<user id>") / 2^52,
// uniform on [0, 1) and independent across experiments (the id is in the
// hash), then the arm whose slice of the cumulative normalised weights holds
// u. The same user gets the same arm on every request, in every process,
// and anyone can reproduce it from the two ids.
import crypto from "node:crypto";

export function assignmentPoint(experimentId: number, userExternalId: string): number {
  const hex = crypto.createHash("sha256").update(`${experimentId}:${userExternalId}`).digest("hex");
  // 13 hex digits = 52 bits: exact in a double.
  return parseInt(hex.slice(0, 13), 16) / 2 ** 52;
}

// The index of the arm for point u in [0, 1), by weight (nonnegative, with
// a positive sum; an arm of weight 0 gets no one).
export function armAt(u: number, weights: readonly number[]): number {
  const total = weights.reduce((a, b) => a + b, 0);
  let cumulative = 0;
  for (let k = 0; k < weights.length; k++) {
    cumulative += weights[k] / total;
    if (u < cumulative && weights[k] > 0) return k;
  }
  // Rounding left u above the last cumulative sum: the last arm with weight.
  for (let k = weights.length - 1; k >= 0; k--) if (weights[k] > 0) return k;
  return 0;
}

export function assignArm(experimentId: number, userExternalId: string, weights: readonly number[]): number {
  return armAt(assignmentPoint(experimentId, userExternalId), weights);
}
