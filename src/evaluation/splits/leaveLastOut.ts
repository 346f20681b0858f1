// Leave-last-out (the next-item protocol of SASRec, Kang & McAuley 2018,
// sec. IV-A, and of most sequential recommenders since): every rating is an
// interaction whatever its value; each user's interactions in time order
// (ties in file order); users with fewer than `minInteractions` are dropped;
// the last interaction is the test target and the one before it the
// validation target. Testing trains on all but each user's last item (the
// validation item included); validating trains on all but the last two and
// targets the second-to-last, so settings can be chosen without looking at
// the test targets.
import type { RatingTable } from "../datasets";
import type { Fold } from "./Fold";

export type LeaveLastOutTarget = "test" | "validation";

export interface LeaveLastOutOptions {
  target?: LeaveLastOutTarget; // "test"
  minInteractions?: number; // 5
}

// One fold: `train` the rows before each kept user's target, `test` one row per kept user (their target).
export function leaveLastOut(table: RatingTable, options: LeaveLastOutOptions = {}): Fold {
  const heldOut = options.target === "validation" ? 2 : 1;
  const minInteractions = options.minInteractions ?? 5;
  const n = table.users.length;
  const order = Array.from({ length: n }, (_, r) => r);
  order.sort((a, b) => table.users[a] - table.users[b] || table.timestamps[a] - table.timestamps[b] || a - b);
  const train: number[] = [];
  const test: number[] = [];
  for (let start = 0; start < n; ) {
    let end = start;
    while (end < n && table.users[order[end]] === table.users[order[start]]) end++;
    if (end - start >= minInteractions) {
      for (let p = start; p < end - heldOut; p++) train.push(order[p]);
      test.push(order[end - heldOut]);
    }
    start = end;
  }
  return { train: Int32Array.from(train).sort(), test: Int32Array.from(test) };
}
