// A thread's share of allPairs (allPairs.ts): chunks of rows claimed in
// order, so the first rows, which pair with the most later rows, are spread
// over the threads and the last, cheapest ones even out the finish.
import type { PartContext } from "../threads/threadPool";
import { pairScratch, rowPairs, type AllPairsThreadData } from "./allPairs";
import { SIMILARITY_MEASURES } from "./similarityMeasures";

export function allPairsPart(data: AllPairsThreadData, ctx: PartContext): void {
  const { rows, cols, options, out, chunk } = data;
  const measure = SIMILARITY_MEASURES[data.measure];
  if (!measure) throw new Error(`allPairs: no similarity measure named "${data.measure}" to share with threads`);
  const n = rows.nRows;
  const scratch = pairScratch(n);
  for (let c = ctx.claim(); c * chunk < n; c = ctx.claim()) {
    rowPairs(rows, cols, measure, options, out, c * chunk, Math.min(n, (c + 1) * chunk), scratch);
  }
}
