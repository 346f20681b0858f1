// Data-parallel gradients for the next-item networks on several threads
// (node:worker_threads over SharedArrayBuffers, as ialsThreads.ts): the
// weights live in shared memory; each batch is split into `threads` parts of
// about equal positions, the calling thread computes the first and each
// worker one other into its own gradient vector, and the calling thread adds
// the workers' vectors onto its own in worker order. Dropout masks follow
// each sequence's seed, not its thread, so only the order of the floating-
// point sums depends on the thread count: a fit is deterministic for a seed
// and a thread count.
import path from "node:path";
import { Worker } from "node:worker_threads";
import { batchPart, type SequenceBatch } from "../nn/sequenceBatch";
import type { SequenceNetwork } from "../nn/sequenceNetwork";
import { gru4recNetwork, type Gru4recShape } from "./gru4recNetwork";
import { sasrecNetwork, type SasrecShape } from "./sasrecNetwork";
import type { GradientFn } from "./sequenceTraining";

export type NetworkSpec = { kind: "sasrec"; shape: SasrecShape } | { kind: "gru4rec"; shape: Gru4recShape };

export function networkOf(spec: NetworkSpec, params: Float32Array): SequenceNetwork {
  return spec.kind === "sasrec" ? sasrecNetwork(spec.shape, params) : gru4recNetwork(spec.shape, params);
}

// control[] slots
const GENERATION = 0;
const DONE = 1;
const FAILED = 2;
const READY = 3;
const STOP = 4;
const CONTROL_SLOTS = 5;
const START_TIMEOUT_MS = 60_000;

export interface SequenceWorkerData {
  spec: NetworkSpec;
  control: Int32Array;
  params: Float32Array;
  grad: Float32Array;
  // The batch: sequence offsets, items, targets, seeds; parts[w], parts[w + 1] the worker's sequences.
  offsets: Int32Array;
  items: Int32Array;
  targets: Int32Array;
  seeds: Int32Array;
  parts: Int32Array;
  // [loss of each worker, the batch's loss scale]
  scalars: Float64Array;
  part: number;
}

export interface SequenceThreads {
  readonly params: Float32Array;
  readonly gradient: GradientFn;
  close(): void;
}

function sharedArray<T extends Int32Array | Float32Array | Float64Array>(Ctor: { new (b: SharedArrayBuffer): T; BYTES_PER_ELEMENT: number }, length: number): T {
  return new Ctor(new SharedArrayBuffer(Math.max(1, length) * Ctor.BYTES_PER_ELEMENT));
}

function waitFor(control: Int32Array, slot: number, value: number, timeoutMs: number): boolean {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const now = Atomics.load(control, slot);
    if (now >= value) return true;
    const left = deadline - Date.now();
    if (left <= 0) return false;
    Atomics.wait(control, slot, now, Math.min(left, 1000));
  }
}

function workerFile(): { file: string; execArgv: string[] } {
  const ts = __filename.endsWith(".ts");
  return { file: path.join(__dirname, ts ? "sequenceWorker.ts" : "sequenceWorker.js"), execArgv: ts ? ["--import", "tsx"] : [] };
}

// Starts threads − 1 workers over shared weights (returned, to initialise
// and train in place); undefined for one thread or when workers do not
// start (the caller trains on its own thread).
export function startSequenceThreads(spec: NetworkSpec, size: number, threads: number, maxSequences: number, maxTokens: number): SequenceThreads | undefined {
  if (threads <= 1) return undefined;
  const control = sharedArray(Int32Array, CONTROL_SLOTS);
  const params = sharedArray(Float32Array, size);
  const offsets = sharedArray(Int32Array, maxSequences + 1);
  const items = sharedArray(Int32Array, maxTokens);
  const targets = sharedArray(Int32Array, maxTokens);
  const seeds = sharedArray(Int32Array, maxSequences);
  const parts = sharedArray(Int32Array, threads + 1);
  const scalars = sharedArray(Float64Array, threads + 1);
  const grads: Float32Array[] = [];
  const { file, execArgv } = workerFile();
  const workers: Worker[] = [];
  const stop = () => {
    Atomics.store(control, STOP, 1);
    Atomics.add(control, GENERATION, 1);
    Atomics.notify(control, GENERATION);
    for (const w of workers) void w.terminate();
  };
  try {
    for (let part = 1; part < threads; part++) {
      const grad = sharedArray(Float32Array, size);
      grads.push(grad);
      const workerData: SequenceWorkerData = { spec, control, params, grad, offsets, items, targets, seeds, parts, scalars, part };
      const w = new Worker(file, { workerData, execArgv });
      w.unref();
      w.on("error", () => undefined);
      workers.push(w);
    }
  } catch {
    stop();
    return undefined;
  }
  if (!waitFor(control, READY, threads - 1, START_TIMEOUT_MS)) {
    stop();
    return undefined;
  }
  const net = networkOf(spec, params);
  const shared: SequenceBatch = { sequences: 0, offsets, items, targets, seeds, lossScale: 1 };
  return {
    params,
    gradient(batch, grad) {
      const S = batch.sequences;
      const T = batch.offsets[S];
      offsets.set(batch.offsets.subarray(0, S + 1));
      items.set(batch.items.subarray(0, T));
      targets.set(batch.targets.subarray(0, T));
      seeds.set(batch.seeds.subarray(0, S));
      shared.sequences = S;
      shared.lossScale = batch.lossScale;
      scalars[threads] = batch.lossScale;
      // Parts of about T/threads positions each, whole sequences.
      parts[0] = 0;
      for (let w = 1, s = 0; w <= threads; w++) {
        const goal = (T * w) / threads;
        while (s < S && offsets[s + 1] <= goal) s++;
        parts[w] = w === threads ? S : Math.max(parts[w - 1], s);
      }
      Atomics.store(control, DONE, 0);
      Atomics.add(control, GENERATION, 1);
      Atomics.notify(control, GENERATION);
      let loss = parts[1] > 0 ? net.gradient(batchPart(shared, 0, parts[1]), grad) : 0;
      if (!waitFor(control, DONE, threads - 1, 24 * 3600 * 1000) || Atomics.load(control, FAILED) !== 0) {
        stop();
        throw new Error("sequence model: a training thread failed");
      }
      for (let w = 0; w < grads.length; w++) {
        const g = grads[w];
        for (let x = 0; x < size; x++) grad[x] += g[x];
        loss += scalars[w + 1];
      }
      return loss;
    },
    close: stop,
  };
}

// The worker side (sequenceWorker.ts calls it with its workerData).
export function runSequenceWorker(data: SequenceWorkerData): void {
  const { spec, control, params, grad, offsets, items, targets, seeds, parts, scalars, part } = data;
  const net = networkOf(spec, params);
  const shared: SequenceBatch = { sequences: 0, offsets, items, targets, seeds, lossScale: 1 };
  let generation = Atomics.load(control, GENERATION);
  Atomics.add(control, READY, 1);
  Atomics.notify(control, READY);
  for (;;) {
    Atomics.wait(control, GENERATION, generation);
    generation = Atomics.load(control, GENERATION);
    if (Atomics.load(control, STOP) !== 0) return;
    try {
      grad.fill(0);
      shared.lossScale = scalars[parts.length - 1];
      const from = parts[part];
      const to = parts[part + 1];
      scalars[part] = to > from ? net.gradient(batchPart(shared, from, to), grad) : 0;
    } catch {
      Atomics.store(control, FAILED, 1);
    }
    Atomics.add(control, DONE, 1);
    Atomics.notify(control, DONE);
  }
}
