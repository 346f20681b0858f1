// Data-parallel gradients for the next-item networks on several threads
// (the shared pool of threads/threadPool.ts, as ialsThreads.ts): the
// weights live in shared memory; each batch is split into `threads` parts of
// about equal positions, the calling thread computes the first and each
// worker one other into its own gradient vector, and the calling thread adds
// the workers' vectors onto its own in worker order. Dropout masks follow
// each sequence's seed, not its thread, so only the order of the floating-
// point sums depends on the thread count: a fit is deterministic for a seed
// and a thread count.
import { batchPart, type SequenceBatch } from "../nn/sequenceBatch";
import type { SequenceNetwork } from "../nn/sequenceNetwork";
import { gru4recNetwork, type Gru4recShape } from "./gru4recNetwork";
import { sasrecNetwork, type SasrecShape } from "./sasrecNetwork";
import type { GradientFn } from "./sequenceTraining";
import { sharedArray, startThreadPool, type PartContext } from "../threads/threadPool";

export type NetworkSpec = { kind: "sasrec"; shape: SasrecShape } | { kind: "gru4rec"; shape: Gru4recShape };

export function networkOf(spec: NetworkSpec, params: Float32Array): SequenceNetwork {
  return spec.kind === "sasrec" ? sasrecNetwork(spec.shape, params) : gru4recNetwork(spec.shape, params);
}

// What every part sees: the shared weights and batch, and per worker a
// gradient vector of its own (part 0, the calling thread, adds into the
// caller's, set before each step and not seen by the workers).
interface SequencePartData {
  spec: NetworkSpec;
  params: Float32Array;
  // The workers' gradients: part w writes grads[w - 1].
  grads: Float32Array[];
  // The batch: sequence offsets, items, targets, seeds; parts[w], parts[w + 1] part w's sequences.
  offsets: Int32Array;
  items: Int32Array;
  targets: Int32Array;
  seeds: Int32Array;
  parts: Int32Array;
  // [loss of each part, the batch's loss scale]
  scalars: Float64Array;
  callerGrad?: Float32Array;
}

export interface SequenceThreads {
  readonly params: Float32Array;
  readonly gradient: GradientFn;
  close(): void;
}

// Each thread's network and batch view over the shared arrays, made once.
const views = new WeakMap<Float32Array, { net: SequenceNetwork; batch: SequenceBatch }>();

function viewOf(data: SequencePartData): { net: SequenceNetwork; batch: SequenceBatch } {
  let view = views.get(data.params);
  if (!view) {
    const { offsets, items, targets, seeds } = data;
    views.set(data.params, (view = { net: networkOf(data.spec, data.params), batch: { sequences: 0, offsets, items, targets, seeds, lossScale: 1 } }));
  }
  return view;
}

// One part of a batch's gradient (a task of the thread pool).
export function sequenceGradientPart(data: SequencePartData, ctx: PartContext): void {
  const { net, batch } = viewOf(data);
  const grad = ctx.part === 0 ? data.callerGrad! : data.grads[ctx.part - 1];
  if (ctx.part > 0) grad.fill(0);
  batch.lossScale = data.scalars[ctx.threads];
  const from = data.parts[ctx.part];
  const to = data.parts[ctx.part + 1];
  data.scalars[ctx.part] = to > from ? net.gradient(batchPart(batch, from, to), grad) : 0;
}

// Starts threads − 1 workers over shared weights (returned, to initialise
// and train in place); undefined for one thread or when workers do not
// start (the caller trains on its own thread).
export function startSequenceThreads(spec: NetworkSpec, size: number, threads: number, maxSequences: number, maxTokens: number): SequenceThreads | undefined {
  if (threads <= 1) return undefined;
  const data: SequencePartData = {
    spec,
    params: sharedArray(Float32Array, size),
    grads: Array.from({ length: threads - 1 }, () => sharedArray(Float32Array, size)),
    offsets: sharedArray(Int32Array, maxSequences + 1),
    items: sharedArray(Int32Array, maxTokens),
    targets: sharedArray(Int32Array, maxTokens),
    seeds: sharedArray(Int32Array, maxSequences),
    parts: sharedArray(Int32Array, threads + 1),
    scalars: sharedArray(Float64Array, threads + 1),
  };
  const pool = startThreadPool({ module: __filename, name: "sequenceGradientPart" }, data, threads);
  if (!pool) return undefined;
  const { offsets, items, targets, seeds, parts, scalars, grads } = data;
  return {
    params: data.params,
    gradient(batch, grad) {
      const S = batch.sequences;
      const T = batch.offsets[S];
      offsets.set(batch.offsets.subarray(0, S + 1));
      items.set(batch.items.subarray(0, T));
      targets.set(batch.targets.subarray(0, T));
      seeds.set(batch.seeds.subarray(0, S));
      viewOf(data).batch.sequences = S;
      scalars[threads] = batch.lossScale;
      // Parts of about T/threads positions each, whole sequences.
      parts[0] = 0;
      for (let w = 1, s = 0; w <= threads; w++) {
        const goal = (T * w) / threads;
        while (s < S && offsets[s + 1] <= goal) s++;
        parts[w] = w === threads ? S : Math.max(parts[w - 1], s);
      }
      data.callerGrad = grad;
      try {
        pool.run(0);
      } catch (error) {
        throw new Error(`sequence model: a training thread failed (${(error as Error)?.message})`);
      } finally {
        data.callerGrad = undefined;
      }
      let loss = scalars[0];
      for (let w = 0; w < grads.length; w++) {
        const g = grads[w];
        for (let x = 0; x < size; x++) grad[x] += g[x];
        loss += scalars[w + 1];
      }
      return loss;
    },
    close: () => pool.close(),
  };
}
