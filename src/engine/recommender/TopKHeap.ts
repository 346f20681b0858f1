// Keeps the k best (score, index) pairs seen so far in a binary min-heap, so
// choosing the top k of n costs O(n log k) instead of a full O(n log n) sort.
// Ties go to the lower index, so results never depend on visiting order.
import type { ScoredItem } from "../types";

export class TopKHeap {
  private readonly scores: Float64Array;
  private readonly ids: Int32Array;
  private size = 0;

  constructor(readonly k: number) {
    this.scores = new Float64Array(Math.max(0, k));
    this.ids = new Int32Array(Math.max(0, k));
  }

  get length(): number {
    return this.size;
  }

  // true when (s, i) ranks below (t, j).
  private static worse(s: number, i: number, t: number, j: number): boolean {
    return s < t || (s === t && i > j);
  }

  // Whether push(id, score) would keep the pair: a caller can test this
  // before a costlier check of its own (searchIvf's skip).
  accepts(id: number, score: number): boolean {
    return this.k > 0 && (this.size < this.k || TopKHeap.worse(this.scores[0], this.ids[0], score, id));
  }

  push(id: number, score: number): void {
    if (this.k <= 0) return;
    if (this.size < this.k) {
      let c = this.size++;
      while (c > 0) {
        const p = (c - 1) >> 1;
        if (!TopKHeap.worse(score, id, this.scores[p], this.ids[p])) break;
        this.scores[c] = this.scores[p];
        this.ids[c] = this.ids[p];
        c = p;
      }
      this.scores[c] = score;
      this.ids[c] = id;
      return;
    }
    // Full: replace the root (the worst kept) only if the newcomer beats it.
    if (!TopKHeap.worse(this.scores[0], this.ids[0], score, id)) return;
    let c = 0;
    for (;;) {
      const l = 2 * c + 1;
      if (l >= this.size) break;
      const r = l + 1;
      const m = r < this.size && TopKHeap.worse(this.scores[r], this.ids[r], this.scores[l], this.ids[l]) ? r : l;
      if (!TopKHeap.worse(this.scores[m], this.ids[m], score, id)) break;
      this.scores[c] = this.scores[m];
      this.ids[c] = this.ids[m];
      c = m;
    }
    this.scores[c] = score;
    this.ids[c] = id;
  }

  clear(): void {
    this.size = 0;
  }

  // Visits the kept pairs in heap order (cheaper than sorted() when order does not matter).
  forEach(fn: (id: number, score: number) => void): void {
    for (let n = 0; n < this.size; n++) fn(this.ids[n], this.scores[n]);
  }

  // The kept pairs, best first.
  sorted(): ScoredItem[] {
    const out: ScoredItem[] = [];
    for (let n = 0; n < this.size; n++) out.push({ item: this.ids[n], score: this.scores[n] });
    return out.sort((a, b) => b.score - a.score || a.item - b.item);
  }
}
