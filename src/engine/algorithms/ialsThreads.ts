// iALS's half-steps on several threads (threadPool.ts), for large training
// sets: the calling thread and threads − 1 workers each re-solve a fixed
// range of rows, balanced by their entries, against the fixed side and a
// shared YᵀY the calling thread computes. Every row's arithmetic is the
// one-thread arithmetic, so the factors are bit for bit the same.
import { sharedCopy, sharedArray, startThreadPool, type PartContext } from "../threads/threadPool";
import { balancedRanges, gramOf, solveRows, type CsrArrays, type SolveParams } from "./ialsSolve";

export interface SharedSide extends CsrArrays {
  nRows: number;
}

// What a worker is given once, at start.
export interface IalsThreadData {
  k: number;
  params: SolveParams;
  users: SharedSide;
  items: SharedSide;
  xu: Float64Array;
  yi: Float64Array;
  gram: Float64Array;
  // Row ranges per side: side s, part t covers [ranges[s][t], ranges[s][t + 1]).
  ranges: [Int32Array, Int32Array];
}

function sharedSide(m: CsrArrays & { nRows: number }): SharedSide {
  return { nRows: m.nRows, indptr: sharedCopy(m.indptr), indices: sharedCopy(m.indices), values: sharedCopy(m.values) };
}

// Step s re-solves this part's rows of side s: 0 the users (x = xu against yi), 1 the items.
export function ialsPart(data: IalsThreadData, ctx: PartContext): void {
  const { k, params, users, items, xu, yi, gram, ranges } = data;
  const [x, y, m] = ctx.step === 0 ? [xu, yi, users] : [yi, xu, items];
  const r = ranges[ctx.step];
  solveRows(m, x, y, gram, k, params, r[ctx.part], r[ctx.part + 1]);
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
  const u = sharedSide(users);
  const i = sharedSide(items);
  const xu = sharedCopy(xu0);
  const yi = sharedCopy(yi0);
  const gram = sharedArray(Float64Array, k * k);
  // A row costs (cgSteps + 1) products with YᵀY, k² each, and per entry
  // k·(2·(cgSteps + 1) + 1) (the right side and two passes per product):
  // its fixed part in entries' worth, for balancing.
  const rowCost = Math.max(1, Math.round(((params.cgSteps + 1) * k) / (2 * (params.cgSteps + 1) + 1)));
  const ranges: [Int32Array, Int32Array] = [sharedCopy(balancedRanges(u.indptr, threads, rowCost)), sharedCopy(balancedRanges(i.indptr, threads, rowCost))];
  const data: IalsThreadData = { k, params: { ...params }, users: u, items: i, xu, yi, gram, ranges };
  const pool = startThreadPool({ module: __filename, name: "ialsPart" }, data, threads);
  if (!pool) return undefined;
  return {
    xu,
    yi,
    threads,
    solve(side) {
      const [y, nY] = side === 0 ? [yi, i.nRows] : [xu, u.nRows];
      gramOf(y, nY, k, gram);
      pool.run(side);
    },
    close: () => pool.close(),
  };
}
