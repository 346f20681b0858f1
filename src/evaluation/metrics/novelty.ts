// Novelty: mean self-information -log2 p(i) of the recommended items, where
// p(i) is the share of training users who interacted with item i (Zhou et al.
// 2010, "Solving the apparent diversity-accuracy dilemma", PNAS; the form of
// Recommenders `novelty`). Averaged over every recommended slot. An item no
// training user has seen is counted as seen by one user, so it scores the
// largest finite value instead of infinity.
export function novelty(
  lists: Iterable<ArrayLike<number>>,
  itemUserCounts: ArrayLike<number>,
  nUsers: number,
): number {
  if (nUsers <= 0) return 0;
  let sum = 0;
  let count = 0;
  for (const list of lists) {
    for (let i = 0; i < list.length; i++) {
      const users = Math.max(1, itemUserCounts[list[i]]);
      sum += -Math.log2(users / nUsers);
      count++;
    }
  }
  return count === 0 ? 0 : sum / count;
}
