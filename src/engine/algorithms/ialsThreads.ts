// iALS's half-steps on several threads (node:worker_threads over
// SharedArrayBuffers), for large training sets: the calling thread and
// threads − 1 workers each re-solve a fixed range of rows, balanced by their
// entries, against the fixed side and a shared YᵀY the calling thread
// computes. Every row's arithmetic is the one-thread arithmetic, so the
// factors are bit for bit the same.
//
// The fit stays synchronous (as every Algorithm.fit is): the calling thread
// hands out a half-step by bumping a generation counter and waits on an
// Atomics counter, so no event loop turn is needed. node:worker_threads
// directly rather than a pool library (piscina, tinypool): the work is one
// fixed partition re-run 2 × iterations times on shared memory, with no
// queue, no messages and no results to collect, and a pool's promises would
// need an asynchronous fit.
import path from "node:path";
import { Worker } from "node:worker_threads";
import { balancedRanges, gramOf, solveRows, type CsrArrays, type SolveParams } from "./ialsSolve";

// control[] slots
const GENERATION = 0;
const DONE = 1;
const FAILED = 2;
const READY = 3;
const SIDE = 4;
const STOP = 5;
const CONTROL_SLOTS = 6;

// Workers start in well under this; past it the fit runs on one thread.
const START_TIMEOUT_MS = 60_000;

export interface SharedSide extends CsrArrays {
  nRows: number;
}

// What a worker is given once, at start.
export interface IalsWorkerData {
  control: Int32Array;
  k: number;
  params: SolveParams;
  users: SharedSide;
  items: SharedSide;
  xu: Float64Array;
  yi: Float64Array;
  gram: Float64Array;
  // Row ranges per side: side s, part t covers [ranges[s][t], ranges[s][t + 1]).
  ranges: [Int32Array, Int32Array];
  part: number;
}

function shared<T extends Int32Array | Float32Array | Float64Array>(a: T): T {
  const Ctor = a.constructor as { new (buffer: SharedArrayBuffer): T; BYTES_PER_ELEMENT: number };
  const out = new Ctor(new SharedArrayBuffer(Math.max(1, a.length) * Ctor.BYTES_PER_ELEMENT));
  out.set(a);
  return (a.length === 0 ? out.subarray(0, 0) : out) as T;
}

function sharedSide(m: CsrArrays & { nRows: number }): SharedSide {
  return { nRows: m.nRows, indptr: shared(m.indptr), indices: shared(m.indices), values: shared(m.values) };
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

function workerFile(): { file: string; execArgv: string[] } {
  // Run from TypeScript sources (tsx, ts-jest): the worker loads the .ts
  // file through tsx; from compiled JavaScript, the .js beside this one.
  const ts = __filename.endsWith(".ts");
  return { file: path.join(__dirname, ts ? "ialsWorker.ts" : "ialsWorker.js"), execArgv: ts ? ["--import", "tsx"] : [] };
}

export interface ThreadedSweeps {
  // Re-solves every row of one side: 0 the users (x = xu against yi), 1 the items.
  solve(side: 0 | 1): void;
  readonly xu: Float64Array;
  readonly yi: Float64Array;
  readonly threads: number;
  close(): void;
}

// Starts threads − 1 workers over shared copies of the data and factors;
// undefined when they do not start (the caller fits on one thread).
export function startThreadedSweeps(
  users: CsrArrays & { nRows: number },
  items: CsrArrays & { nRows: number },
  xu0: Float64Array,
  yi0: Float64Array,
  k: number,
  params: SolveParams,
  threads: number,
): ThreadedSweeps | undefined {
  const control = new Int32Array(new SharedArrayBuffer(CONTROL_SLOTS * 4));
  const u = sharedSide(users);
  const i = sharedSide(items);
  const xu = shared(xu0);
  const yi = shared(yi0);
  const gram = new Float64Array(new SharedArrayBuffer(k * k * 8));
  // A row costs (cgSteps + 1) products with YᵀY, k² each, and per entry
  // k·(2·(cgSteps + 1) + 1) (the right side and two passes per product):
  // its fixed part in entries' worth, for balancing.
  const rowCost = Math.max(1, Math.round(((params.cgSteps + 1) * k) / (2 * (params.cgSteps + 1) + 1)));
  const ranges: [Int32Array, Int32Array] = [shared(balancedRanges(u.indptr, threads, rowCost)), shared(balancedRanges(i.indptr, threads, rowCost))];
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
      const data: IalsWorkerData = { control, k, params: { ...params }, users: u, items: i, xu, yi, gram, ranges, part };
      const w = new Worker(file, { workerData: data, execArgv });
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
    xu,
    yi,
    threads,
    solve(side) {
      const [x, y, m, nY] = side === 0 ? [xu, yi, u, i.nRows] : [yi, xu, i, u.nRows];
      gramOf(y, nY, k, gram);
      Atomics.store(control, SIDE, side);
      Atomics.store(control, DONE, 0);
      Atomics.add(control, GENERATION, 1);
      Atomics.notify(control, GENERATION);
      const r = ranges[side];
      solveRows(m, x, y, gram, k, params, r[0], r[1]);
      if (!waitFor(control, DONE, threads - 1, 24 * 3600 * 1000) || Atomics.load(control, FAILED) !== 0) {
        stop();
        throw new Error("ials: a training thread failed");
      }
    },
    close: stop,
  };
}

// The worker side (ialsWorker.ts calls it with its workerData).
export function runIalsWorker(data: IalsWorkerData): void {
  const { control, k, params, users, items, xu, yi, gram, ranges, part } = data;
  let generation = Atomics.load(control, GENERATION);
  Atomics.add(control, READY, 1);
  Atomics.notify(control, READY);
  for (;;) {
    Atomics.wait(control, GENERATION, generation);
    generation = Atomics.load(control, GENERATION);
    if (Atomics.load(control, STOP) !== 0) return;
    const side = Atomics.load(control, SIDE);
    const [x, y, m] = side === 0 ? [xu, yi, users] : [yi, xu, items];
    try {
      solveRows(m, x, y, gram, k, params, ranges[side][part], ranges[side][part + 1]);
    } catch {
      Atomics.store(control, FAILED, 1);
    }
    Atomics.add(control, DONE, 1);
    Atomics.notify(control, DONE);
  }
}
