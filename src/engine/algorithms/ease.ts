// EASE^R, Steck (2019), "Embarrassingly Shallow Autoencoders for Sparse Data":
// an item-item weight matrix B with zero diagonal minimising
//   ‖X − XB‖²_F + λ‖B‖²_F  s.t. diag(B) = 0,
// whose closed form (eq. 8) is  P = (XᵀX + λI)⁻¹,  B = I − P·diag(1/diag(P)),
// i.e. B_ij = −P_ij / P_jj for i ≠ j. Scores for user u are x_u B.
// X is binary (every training entry is a positive); the dense n×n inverse is
// fine for catalogs of up to a few thousand items. From EASE_PARALLEL_MIN_ITEMS
// items the fit runs on FitOptions.threads threads (easeThreads.ts), with the
// same B bit for bit.
//
// Serving: B is the whole model (no user state); a user is scored from their
// current history as x B, exactly as scoreAll scores a training row. B is
// stored dense (n² float32: 11 MB for MovieLens-100K's 1,682 items, 324 MB at
// 9,000 items, where a sparsified B would be needed).
import { invertSpd } from "../linalg/invertSpd";
import { transpose } from "../data/CsrMatrix";
import { easeWeightRows, gramRows } from "./easeSolve";
import { EASE_PARALLEL_MIN_ITEMS, easeWeightsOnThreads } from "./easeThreads";
import { topK } from "../linalg/nearestRows";
import type { Algorithm, FitOptions, Model, SerializedModel, TrainingSet, UserHistory } from "../types";
import { checkAlgorithm, serializedArray } from "./serializedArray";
import { itemWeightEvidence } from "./factorEvidence";
import { NO_USER_STATE } from "../userState";
import { sumOverUsers, type CostedAlgorithm, type FitCost } from "../fitCost";

export interface EaseParams {
  // L2 weight λ on B. Steck reports a broad optimum; 500 won among
  // {100, 250, 500, 1000} on a stratified validation split inside the
  // MovieLens-100K training data (Steck used 500 on ML-20M as well).
  lambda: number;
}

export const easeDefaults: EaseParams = { lambda: 500 };

export interface EaseModel extends Model {
  // Row-major nItems x nItems; B[i * nItems + j] is how much interacting
  // with i raises the score of j.
  readonly weights: Float32Array;
}

// x B for a binary row x (every entry a positive, as in training), and the
// items of the row whose weight towards `item` is positive, as evidence.
function easeServing(lambda: number, w: Float32Array): Required<Pick<Model, "scoreHistory" | "explainHistory" | "similarItems" | "serialize">> {
  const n = Math.round(Math.sqrt(w.length));
  const known = (i: number) => i >= 0 && i < n;
  return {
    scoreHistory(history: UserHistory) {
      const out = new Float32Array(n);
      for (let e = 0; e < history.items.length; e++) {
        const i = history.items[e];
        if (!known(i)) continue;
        const row = i * n;
        for (let j = 0; j < n; j++) out[j] += w[row + j];
      }
      return out;
    },
    explainHistory: (history, item, maxEvidence) => itemWeightEvidence(history.items, item, maxEvidence, known, (i, j) => w[i * n + j]),
    similarItems(item, k) {
      if (!known(item)) return [];
      const row = w.slice(item * n, item * n + n);
      row[item] = Number.NEGATIVE_INFINITY;
      return topK(row, k).filter((s) => s.score > 0);
    },
    serialize: (): SerializedModel => ({ algorithm: "ease", params: { lambda }, meta: { nItems: n }, arrays: { weights: w }, userState: NO_USER_STATE }),
  };
}

export const ease = {
  name: "ease",
  defaults: easeDefaults,
  // The Gram matrix, its Cholesky factor, the factor's inverse and the
  // inverse itself (n² float64 each), then B (n² float32): 36 bytes per item
  // pair, 11.5 GB at 18,000 items. The three triangular passes cost about
  // 2n³/3 multiply-adds.
  estimateCost(data: TrainingSet, _params: Partial<EaseParams>): FitCost {
    const n = data.nItems;
    const pairs = sumOverUsers(data, (d) => (d * (d + 1)) / 2);
    return { multiplyAdds: (2 * n * n * n) / 3 + pairs, bytes: 36 * n * n };
  },
  fit(data: TrainingSet, params: Partial<EaseParams>, options: FitOptions): EaseModel {
    const { lambda } = { ...easeDefaults, ...params };
    const { nItems, nUsers, ratings } = data;
    const { indptr, indices } = ratings;
    const n = nItems;
    const threads = Math.max(1, Math.min(64, Math.floor(options.threads ?? 1)));
    const shared = threads > 1 && n >= EASE_PARALLEL_MIN_ITEMS ? easeWeightsOnThreads(ratings, n, lambda, threads, options.onProgress) : undefined;
    if (shared === null) throw new Error(`ease: XᵀX + λI is not positive definite (lambda=${lambda})`);
    let w: Float32Array;
    if (shared) w = shared;
    else {
      // Gram matrix G = XᵀX + λI (the lower triangle, all the inverse reads).
      const g = new Float64Array(n * n);
      gramRows(ratings, transpose(ratings), g, n, lambda, 0, n);
      options.onProgress?.(0.2);
      const p = invertSpd(g, n);
      if (!p) throw new Error(`ease: XᵀX + λI is not positive definite (lambda=${lambda})`);
      w = new Float32Array(n * n);
      easeWeightRows(p, w, n, 0, n);
    }
    options.onProgress?.(1);
    const model: EaseModel = {
      ...easeServing(lambda, w),
      name: "ease",
      weights: w,
      scoreAll(user) {
        const out = new Float32Array(n);
        if (user < 0 || user >= nUsers) return out;
        for (let e = indptr[user]; e < indptr[user + 1]; e++) {
          const row = indices[e] * n;
          for (let j = 0; j < n; j++) out[j] += w[row + j];
        }
        return out;
      },
      explain(user, item, maxEvidence) {
        if (user < 0 || user >= nUsers) return [];
        const known = (i: number) => i >= 0 && i < n;
        return itemWeightEvidence(indices.subarray(indptr[user], indptr[user + 1]), item, maxEvidence, known, (i, j) => w[i * n + j]);
      },
    };
    return model;
  },
  deserialize(serialized: SerializedModel): EaseModel {
    checkAlgorithm("ease", serialized);
    const { lambda } = { ...easeDefaults, ...(serialized.params as Partial<EaseParams>) };
    const w = serializedArray("ease", serialized, "weights", Float32Array);
    const serving = easeServing(lambda, w);
    const empty = { items: new Int32Array(0), values: new Float32Array(0) };
    // No user is stored: every user is scored from a history.
    return { ...serving, name: "ease", weights: w, scoreAll: () => serving.scoreHistory(empty) };
  },
} satisfies Algorithm<EaseParams> & CostedAlgorithm<EaseParams>;
