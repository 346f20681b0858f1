// Implicit ALS / weighted matrix factorisation, Hu, Koren & Volinsky (2008),
// "Collaborative Filtering for Implicit Feedback Datasets": minimise
//   Σ_{u,i} c_ui (p_ui − x_uᵀ y_i)² + λ (Σ‖x_u‖² + Σ‖y_i‖²)
// with p_ui = 1 for every training entry (0 otherwise) and confidence
// c_ui = 1 + α·r_ui (eq. 1-3; r is the entry's value: buildTrainingSet's
// log-scaled amounts and graded ratings, the α·log(1 + r/ε) of the paper's
// eq. 6 in effect). A non-positive entry (a dislike, or a rating below the
// threshold of an implicit rating rule) is a confident zero instead: p_ui = 0 with
// c_ui = 1 + α·|r_ui|; the paper assumes r ≥ 0, and c < 0 would make the
// loss non-convex (a fold-in then disagrees with anything training found).
// Each half-step solves, per user,
//   (YᵀY + Yᵀ(C_u − I)Y + λI) x_u = Yᵀ C_u p(u)
// not exactly but with a few warm-started conjugate gradient steps using the
// shared YᵀY, as Takács, Pilászy & Tikk (2011) propose: O(k² + n_u·k) per CG
// step instead of O(k³ + n_u·k²) for a direct solve.
//
// Serving stores the item factors only, with an ANN index over them for a
// large catalog (no user state outlives a user's deletion), and folds a
// user in at request time by the exact user half-step of eq. 4: x = (YᵀY + Yᵀ(C_u − I)Y + λI)⁻¹ Yᵀ C_u p(u), YᵀY + λI computed
// once at load, then O(n_u·k² + k³) per request (Hu et al. sec. 4 note the
// same fold-in for new users). A training user's fold-in differs from their
// trained factor only by the CG truncation and the last item half-step.
//
// `weightedRegularization` scales λ by each row's number of positive entries
// (λ·n⁺ in place of λ), the "weighted-λ-regularization" of Zhou, Wilkinson,
// Schreiber & Pan (2008, ALS-WR), which Spark MLlib's ALS always applies
// (ALS.computeFactors: `solve(ls, numExplicits * regParam)`, numExplicits
// counting the entries with a rating > 0). Factors trained by Spark are
// folded in with it, so a history meets the λ its row met in training.
import { choleskyInPlace, choleskySolveInPlace } from "../linalg/cholesky";
import { nearestRows } from "../linalg/nearestRows";
import { createRng, gaussianArray } from "../random";
import { transpose, type CsrMatrix } from "../data/CsrMatrix";
import type { Algorithm, Evidence, FitOptions, Model, SerializedModel, TrainingSet, UserHistory } from "../types";
import { factorEvidence } from "./factorEvidence";
import { checkAlgorithm, serializedArray } from "./serializedArray";
import { buildIvfIndex, IVF_MIN_ITEMS, searchIvf, type IvfIndex } from "../recommender/ivfIndex";
import { buildHnswBytes, HNSW_DEFAULTS, hnswBuildBytes, loadHnswIndex, searchHnsw, type HnswIndex, type HnswSettings } from "../recommender/hnswIndex";
import { NO_USER_STATE } from "../userState";
import { gramOf, solveRows } from "./ialsSolve";
import { startThreadedSweeps } from "./ialsThreads";
import type { CostedAlgorithm, FitCost } from "../fitCost";

export interface IalsParams {
  nFactors: number;
  nIterations: number;
  // λ, the L2 weight.
  regularization: number;
  // α in c = 1 + α·r.
  alpha: number;
  // Conjugate gradient steps per vector per half-sweep (Takács et al. use 3;
  // 2 validated as well here, warm starts carry the rest).
  cgSteps: number;
  initStd: number;
  // λ·n⁺ per row instead of λ (ALS-WR; Spark's ALS): see the note above.
  weightedRegularization: boolean;
}

// Chosen on a validation split inside the training data of MovieLens-100K
// (75/25 splits of the msr-stratified training rows). A first grid on binary
// values (α ∈ {2,3,5,10,20,40}, λ ∈ {0.1,10,30,50,150}) put λ at 50; then with
// the entry values being 1-5 star ratings (c from 3 to 11), α ∈ {1,2,5} and
// λ ∈ {20,50,100}: α = 2, λ = 50 won;
// 8 sweeps are within 0.001 nDCG@10 of 15, and 48 factors with 2 CG steps
// match 64 factors with 3 steps (0.284 vs 0.283) at half the cost. For play
// counts or other scales, α should be re-chosen so that α·r keeps a similar
// range.
export const ialsDefaults: IalsParams = {
  nFactors: 48,
  nIterations: 8,
  regularization: 50,
  alpha: 2,
  cgSteps: 2,
  initStd: 0.01,
  weightedRegularization: false,
};

export interface IalsModel extends Model {
  // Empty in a model loaded from storage: users are folded in from their history.
  readonly userFactors: Float64Array;
  readonly itemFactors: Float64Array;
  readonly nFactors: number;
  // Threads the fit ran on (1 for a model loaded from storage).
  readonly threadsUsed: number;
  // The index topHistory answers from (a loaded model of a large catalog):
  // the HNSW index stored with the version, or the IVF index built at load
  // for a version stored without one.
  readonly servingIndex?: "hnsw" | "ivf";
}

// One half-sweep: re-solve every row of `x` (rows of `m`) against fixed `y`.
function solveSide(m: CsrMatrix, x: Float64Array, y: Float64Array, nY: number, k: number, p: IalsParams): void {
  solveRows(m, x, y, gramOf(y, nY, k), k, p, 0, m.nRows);
}

// Training sets from this many entries fit on FitOptions.threads threads
// (ialsThreads.ts); smaller ones on one, where starting threads costs more
// than it saves.
export const IALS_PARALLEL_MIN_ENTRIES = 100_000;

// An index over the item factors that answers topHistory: the HNSW graph
// stored with the version (recommender/hnswIndex.ts), or for a version
// stored without one the IVF index built at load (recommender/ivfIndex.ts).
type ItemIndex = { hnsw: HnswIndex } | { ivf: IvfIndex };

// Where the stored index's settings live in the serialized meta.
interface StoredItemIndex extends HnswSettings {
  library: "usearch";
  metric: "ip";
}

// What is stored and served: the item factors (float32) and the two
// parameters of the user half-step (the index of a large catalog is added
// by withServingIndex where a version is stored; a loaded model does not
// keep its bytes, so its serialize() gives the factors alone).
// `index`: also answer topHistory from it (served models of large catalogs).
function ialsServing(
  p: IalsParams,
  y: Float32Array,
  index?: ItemIndex,
): Required<Pick<Model, "scoreHistory" | "explainHistory" | "similarItems" | "serialize">> & Pick<Model, "topHistory"> {
  const k = p.nFactors;
  const nItems = y.length / k;
  // YᵀY + λI, shared by every fold-in (YᵀY alone with weighted λ, added per history).
  const base = gramOf(y, nItems, k);
  if (!p.weightedRegularization) for (let a = 0; a < k; a++) base[a * k + a] += p.regularization;
  const known = (i: number) => i >= 0 && i < nItems;

  function userFactor(history: UserHistory): Float64Array | undefined {
    const a = base.slice();
    const x = new Float64Array(k);
    let n = 0;
    let positives = 0;
    for (let e = 0; e < history.items.length; e++) {
      const i = history.items[e];
      if (!known(i)) continue;
      n++;
      if (history.values[e] > 0) positives++;
      const o = i * k;
      const r = history.values[e];
      const b = r > 0 ? 1 + p.alpha * r : 0; // c·p
      for (let f = 0; f < k; f++) {
        x[f] += b * y[o + f];
        const w = p.alpha * Math.abs(r) * y[o + f];
        for (let g = 0; g <= f; g++) a[f * k + g] += w * y[o + g];
      }
    }
    if (n === 0) return undefined;
    if (p.weightedRegularization) {
      // As in training: no positive entry, no factor.
      if (positives === 0) return undefined;
      for (let f = 0; f < k; f++) a[f * k + f] += p.regularization * positives;
    }
    // Only the lower triangle is read by choleskyInPlace; the system is
    // positive definite (λ > 0, every confidence weight ≥ 0).
    if (!choleskyInPlace(a, k)) return undefined;
    choleskySolveInPlace(a, k, x);
    return x;
  }

  return {
    scoreHistory(history) {
      const out = new Float32Array(nItems);
      const x = userFactor(history);
      if (!x) return out;
      for (let i = 0; i < nItems; i++) {
        let s = 0;
        for (let f = 0; f < k; f++) s += x[f] * y[i * k + f];
        out[i] = s;
      }
      return out;
    },
    ...(index
      ? {
          topHistory(history: UserHistory, n: number, skip?: (item: number) => boolean) {
            const x = userFactor(history);
            if (!x) return [];
            // A served request leaves out (at most) the history's items.
            return "hnsw" in index ? searchHnsw(index.hnsw, y, x, n, skip, history.items.length) : searchIvf(index.ivf, x, n, skip);
          },
        }
      : {}),
    explainHistory: (history, item, maxEvidence): Evidence[] => factorEvidence(y, k, history, item, maxEvidence),
    similarItems: (item, n) => nearestRows(y, nItems, k, item, n),
    serialize: (): SerializedModel => ({ algorithm: "ials", params: { ...p }, meta: { nItems, nFactors: k }, arrays: { itemFactors: y }, userState: NO_USER_STATE }),
  };
}

// The stored index's settings, defaults for any a version does not record.
function storedIndexOf(meta: Record<string, unknown>): StoredItemIndex {
  const m = (meta.itemIndex ?? {}) as Partial<StoredItemIndex>;
  return {
    library: "usearch",
    metric: "ip",
    connectivity: m.connectivity ?? HNSW_DEFAULTS.connectivity,
    expansionAdd: m.expansionAdd ?? HNSW_DEFAULTS.expansionAdd,
    expansionSearch: m.expansionSearch ?? HNSW_DEFAULTS.expansionSearch,
  };
}

export const ials = {
  name: "ials",
  defaults: ialsDefaults,
  // Linear in the interactions: each sweep runs a few CG steps per row, each
  // step a k×k product plus two passes over the row's entries. Memory: both factor matrices
  // (float64), the item-major copy of the data and a float32 copy of the items.
  estimateCost(data: TrainingSet, params: Partial<IalsParams>): FitCost {
    const p = { ...ialsDefaults, ...params };
    const k = p.nFactors;
    const nnz = data.ratings.indices.length;
    const rows = data.nUsers + data.nItems;
    const sweep = 2 * nnz * k * (2 * p.cgSteps + 3) + rows * k * k * (p.cgSteps + 2);
    return { multiplyAdds: p.nIterations * sweep, bytes: 12 * rows * k + 12 * nnz + 8 * k * k * 4 };
  },
  // A large catalog's index is built after the fit (withServingIndex) while
  // the fitted model is held: both factor matrices (float64) and the float32
  // item copy beside the build.
  estimateServingIndexBytes(data: TrainingSet, params: Partial<IalsParams>): number {
    const k = { ...ialsDefaults, ...params }.nFactors;
    if (data.nItems < IVF_MIN_ITEMS) return 0;
    return 8 * (data.nUsers + data.nItems) * k + 4 * data.nItems * k + hnswBuildBytes(data.nItems, k);
  },
  fit(data: TrainingSet, params: Partial<IalsParams>, options: FitOptions): IalsModel {
    const p = { ...ialsDefaults, ...params };
    const { nUsers, nItems, ratings } = data;
    const k = p.nFactors;
    const rng = createRng(options.seed);
    let xu = gaussianArray(nUsers * k, p.initStd, rng);
    let yi = gaussianArray(nItems * k, p.initStd, rng);
    const byItem = transpose(ratings);
    const threads = Math.max(1, Math.min(64, Math.floor(options.threads ?? 1)));
    const pool = threads > 1 && ratings.indices.length >= IALS_PARALLEL_MIN_ENTRIES ? startThreadedSweeps(ratings, byItem, xu, yi, k, p, threads) : undefined;
    const threadsUsed = pool?.threads ?? 1;
    try {
      if (pool) {
        xu = pool.xu;
        yi = pool.yi;
      }
      for (let it = 0; it < p.nIterations; it++) {
        if (pool) {
          pool.solve(0);
          pool.solve(1);
        } else {
          solveSide(ratings, xu, yi, nItems, k, p);
          solveSide(byItem, yi, xu, nUsers, k, p);
        }
        options.onProgress?.((it + 1) / p.nIterations);
      }
    } finally {
      pool?.close();
    }
    const model: IalsModel = {
      ...ialsServing(p, Float32Array.from(yi)),
      name: "ials",
      userFactors: xu,
      itemFactors: yi,
      nFactors: k,
      threadsUsed,
      scoreAll(user) {
        const out = new Float32Array(nItems);
        if (user < 0 || user >= nUsers) return out;
        const uo = user * k;
        for (let i = 0; i < nItems; i++) {
          let s = 0;
          for (let f = 0; f < k; f++) s += xu[uo + f] * yi[i * k + f];
          out[i] = s;
        }
        return out;
      },
      similarUsers: (user, n) => nearestRows(xu, nUsers, k, user, n),
    };
    return model;
  },
  // A catalog of IVF_MIN_ITEMS items or more gets its HNSW index here, once,
  // stored with the version; one that has an index keeps it.
  withServingIndex(serialized: SerializedModel): SerializedModel {
    checkAlgorithm("ials", serialized);
    if (serialized.arrays.itemIndex !== undefined) return serialized;
    const k = ({ ...ialsDefaults, ...(serialized.params as Partial<IalsParams>) }).nFactors;
    const y = serializedArray("ials", serialized, "itemFactors", Float32Array);
    const nItems = y.length / k;
    if (nItems < IVF_MIN_ITEMS) return serialized;
    const meta: StoredItemIndex = { library: "usearch", metric: "ip", ...HNSW_DEFAULTS };
    return { ...serialized, meta: { ...serialized.meta, itemIndex: meta }, arrays: { ...serialized.arrays, itemIndex: buildHnswBytes(y, nItems, k, meta) } };
  },
  deserialize(serialized: SerializedModel): IalsModel {
    checkAlgorithm("ials", serialized);
    const p = { ...ialsDefaults, ...(serialized.params as Partial<IalsParams>) };
    const y = serializedArray("ials", serialized, "itemFactors", Float32Array);
    const nItems = y.length / p.nFactors;
    // The stored HNSW index when the version has one; a version stored
    // before indexes were kept (or of a small catalog) builds the IVF index
    // as it always did.
    let index: ItemIndex | undefined;
    if (serialized.arrays.itemIndex !== undefined) {
      const bytes = serializedArray("ials", serialized, "itemIndex", Uint8Array);
      index = { hnsw: loadHnswIndex(bytes, nItems, p.nFactors, storedIndexOf(serialized.meta)) };
    } else if (nItems >= IVF_MIN_ITEMS) {
      index = { ivf: buildIvfIndex(y, nItems, p.nFactors) };
    }
    const serving = ialsServing(p, y, index);
    const empty = { items: new Int32Array(0), values: new Float32Array(0) };
    return {
      ...serving,
      name: "ials",
      userFactors: new Float64Array(0),
      itemFactors: Float64Array.from(y),
      nFactors: p.nFactors,
      threadsUsed: 1,
      ...(index ? { servingIndex: "hnsw" in index ? ("hnsw" as const) : ("ivf" as const) } : {}),
      // No user is stored: every user is scored from a history.
      scoreAll: () => serving.scoreHistory(empty),
    };
  },
} satisfies Algorithm<IalsParams> & CostedAlgorithm<IalsParams>;
