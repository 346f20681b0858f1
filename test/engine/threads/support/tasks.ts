// Tasks for threadPool.test.ts, loaded by the workers by module and name.
import type { PartContext } from "../../../../src/engine/threads/threadPool";

// Claims pieces 0…n−1 and sends which part took each; counts the pieces in shared memory.
export function claimPieces(data: { n: number; seen: Int32Array }, ctx: PartContext): void {
  for (let c = ctx.claim(); c < data.n; c = ctx.claim()) {
    Atomics.add(data.seen, c, 1);
    ctx.send({ piece: c, part: ctx.part, step: ctx.step });
  }
}

// Fails on the workers (part 0, the calling thread, succeeds).
export function failOnWorkers(_data: unknown, ctx: PartContext): void {
  if (ctx.part > 0) throw new Error(`part ${ctx.part} broke`);
}
