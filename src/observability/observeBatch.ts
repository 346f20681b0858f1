import { processMetrics } from "./metrics";

// Records one DataLoader batch: call it first thing in a batch function, e.g.
//   new DataLoader(async (ids) => { observeBatch("itemById", ids.length); ... })
// `loader` must be a fixed name (it becomes a label value), never user input.
export function observeBatch(loader: string, size: number): void {
  processMetrics().batchSize.observe({ loader }, size);
}
