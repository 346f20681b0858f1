// Synchronous work on several threads (node:worker_threads over
// SharedArrayBuffers), shared by every fit that splits its work: iALS's
// half-steps (ialsThreads.ts), the kNN similarity (allPairsPart.ts), EASE's
// Gram matrix and inverse (easeThreads.ts) and the evaluation's folds
// (evaluation/foldThreads.ts).
//
// A task is a function exported by a module, named by the module's file and
// the export's name, so that a worker can load it: `run(step)` has the
// calling thread (part 0) and threads − 1 workers (parts 1…) each call it
// once on the same data, and returns when all have finished. A part takes a
// fixed share of the work (ctx.part) or claims pieces from a shared counter
// (ctx.claim()); what it computes it writes into shared arrays, or hands
// back with ctx.send() (structured clone).
//
// The caller stays synchronous (as every Algorithm.fit is): it bumps a
// generation counter and waits on an Atomics counter, and a worker's values
// are read with receiveMessageOnPort, so no event loop turn is needed.
// node:worker_threads directly rather than a pool library (piscina,
// tinypool): their tasks are promises, which would make every fit
// asynchronous, and each task's arguments and result are copied through a
// message; here the work is a fixed partition of arrays the threads share,
// re-run as often as the algorithm needs (2 × iterations for iALS), with no
// queue and nothing to copy back.
import path from "node:path";
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from "node:worker_threads";

// control[] slots
const GENERATION = 0;
const DONE = 1;
const FAILED = 2;
const READY = 3;
const STEP = 4;
const STOP = 5;
const CLAIM = 6;
const CONTROL_SLOTS = 7;

// Workers start in well under this; past it the caller works on one thread.
const START_TIMEOUT_MS = 60_000;

// A function `name` exported by the module at `module` (its __filename).
export interface ThreadTask {
  module: string;
  name: string;
}

export interface PartContext {
  readonly part: number;
  readonly threads: number;
  readonly step: number;
  // The next piece of this step's work (0, 1, 2… across all parts).
  claim(): number;
  // Whether another part has failed (a part that waits on another checks it).
  failed(): boolean;
  // Hands a value back to the caller of run() (structured clone).
  send(value: unknown): void;
}

export type PartFunction<D> = (data: D, ctx: PartContext) => void;

interface WorkerData {
  control: Int32Array;
  task: ThreadTask;
  data: unknown;
  part: number;
  threads: number;
  port: MessagePort;
}

export interface ThreadPool {
  readonly threads: number;
  // Runs one step on every part; the values the parts sent, part 0's first.
  run(step: number): unknown[];
  close(): void;
}

// A SharedArrayBuffer-backed copy of `a` (workers see the same memory).
export function sharedCopy<T extends Int32Array | Float32Array | Float64Array>(a: T): T {
  const out = sharedArray(a.constructor as { new (buffer: SharedArrayBuffer): T; BYTES_PER_ELEMENT: number }, a.length);
  out.set(a);
  return out;
}

// A zeroed typed array over a new SharedArrayBuffer.
export function sharedArray<T extends Int32Array | Float32Array | Float64Array>(Ctor: { new (buffer: SharedArrayBuffer): T; BYTES_PER_ELEMENT: number }, length: number): T {
  const out = new Ctor(new SharedArrayBuffer(Math.max(1, length) * Ctor.BYTES_PER_ELEMENT));
  return (length === 0 ? out.subarray(0, 0) : out) as T;
}

// The file of module `base` beside `fromFile`, with fromFile's ending: .ts
// when running from sources (tsx, ts-jest), .js when compiled.
export function siblingModule(fromFile: string, base: string): string {
  return path.join(path.dirname(fromFile), base + path.extname(fromFile));
}

// Waits until control[slot] reaches `value`; false on timeout.
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

function loadTask<D>(task: ThreadTask): PartFunction<D> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const fn = (require(task.module) as Record<string, unknown>)[task.name];
  if (typeof fn !== "function") throw new Error(`threads: ${task.module} exports no function ${task.name}`);
  return fn as PartFunction<D>;
}

function context(control: Int32Array, part: number, threads: number, send: (value: unknown) => void): PartContext {
  return {
    part,
    threads,
    step: Atomics.load(control, STEP),
    claim: () => Atomics.add(control, CLAIM, 1),
    failed: () => Atomics.load(control, FAILED) !== 0,
    send,
  };
}

// Starts threads − 1 workers running `task` over `data` (typed arrays over
// SharedArrayBuffers are shared, everything else is copied once); undefined
// when they do not start (the caller works on one thread).
export function startThreadPool<D>(task: ThreadTask, data: D, threads: number): ThreadPool | undefined {
  const control = new Int32Array(new SharedArrayBuffer(CONTROL_SLOTS * 4));
  const run = loadTask<D>(task);
  const ts = __filename.endsWith(".ts");
  const file = siblingModule(__filename, "threadWorker");
  // From TypeScript sources the worker loads .ts files through tsx.
  const execArgv = ts ? ["--import", "tsx"] : [];
  const workers: Worker[] = [];
  const ports: MessagePort[] = [];
  const stop = () => {
    Atomics.store(control, STOP, 1);
    Atomics.add(control, GENERATION, 1);
    Atomics.notify(control, GENERATION);
    for (const w of workers) void w.terminate();
    for (const p of ports) p.close();
  };
  try {
    for (let part = 1; part < threads; part++) {
      const { port1, port2 } = new MessageChannel();
      ports.push(port1);
      const workerData: WorkerData = { control, task, data, part, threads, port: port2 };
      const w = new Worker(file, { workerData, execArgv, transferList: [port2] });
      w.unref();
      // A failure to start is seen below as a missing READY.
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
  return {
    threads,
    run(step) {
      Atomics.store(control, STEP, step);
      Atomics.store(control, DONE, 0);
      Atomics.store(control, CLAIM, 0);
      Atomics.add(control, GENERATION, 1);
      Atomics.notify(control, GENERATION);
      const values: unknown[] = [];
      try {
        run(data, context(control, 0, threads, (v) => values.push(v)));
      } catch (error) {
        Atomics.store(control, FAILED, 1);
        stop();
        throw error;
      }
      const finished = waitFor(control, DONE, threads - 1, 24 * 3600 * 1000);
      const errors: string[] = [];
      for (const p of ports) {
        for (let m = receiveMessageOnPort(p); m; m = receiveMessageOnPort(p)) {
          const message = m.message as { value?: unknown; error?: string };
          if (message.error !== undefined) errors.push(message.error);
          else values.push(message.value);
        }
      }
      if (!finished || Atomics.load(control, FAILED) !== 0) {
        stop();
        throw new Error(`threads: a worker failed in ${task.name}${errors.length ? `: ${errors[0]}` : ""}`);
      }
      return values;
    },
    close: stop,
  };
}

// One step of `task` on `threads` threads, then the workers stop; undefined
// when they do not start.
export function runOnThreads<D>(task: ThreadTask, data: D, threads: number): unknown[] | undefined {
  const pool = startThreadPool(task, data, threads);
  if (!pool) return undefined;
  try {
    return pool.run(0);
  } finally {
    pool.close();
  }
}

// The worker side (threadWorker.ts calls it with its workerData).
export function runThreadWorker(w: WorkerData): void {
  const { control, task, data, part, threads, port } = w;
  const run = loadTask<unknown>(task);
  const send = (value: unknown) => port.postMessage({ value });
  let generation = Atomics.load(control, GENERATION);
  Atomics.add(control, READY, 1);
  Atomics.notify(control, READY);
  for (;;) {
    Atomics.wait(control, GENERATION, generation);
    generation = Atomics.load(control, GENERATION);
    if (Atomics.load(control, STOP) !== 0) return;
    try {
      run(data, context(control, part, threads, send));
    } catch (error) {
      Atomics.store(control, FAILED, 1);
      port.postMessage({ error: (error as Error)?.message ?? String(error) });
    }
    Atomics.add(control, DONE, 1);
    Atomics.notify(control, DONE);
  }
}
