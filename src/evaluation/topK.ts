// The k best items of a score vector, best first, skipping items `allowed`
// rejects. Ties go to the lower item index so results do not depend on the
// sort; NaN scores rank last.
export function topK(scores: ArrayLike<number>, k: number, allowed?: (item: number) => boolean): number[] {
  const items: number[] = [];
  const vals: number[] = [];
  for (let item = 0; item < scores.length; item++) {
    if (allowed && !allowed(item)) continue;
    const raw = scores[item];
    const s = Number.isNaN(raw) ? -Infinity : raw;
    if (items.length === k && !(s > vals[k - 1])) continue;
    // Insert after every entry scoring >= s (earlier items win ties).
    let pos = items.length;
    while (pos > 0 && vals[pos - 1] < s) pos--;
    items.splice(pos, 0, item);
    vals.splice(pos, 0, s);
    if (items.length > k) {
      items.pop();
      vals.pop();
    }
  }
  return items;
}
