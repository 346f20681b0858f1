// The ranking metrics of one user's list under a protocol's conventions:
// what the offline runner computes for each test user, and what the served
// check (`npm run evaluate -- --served`) computes for the lists the API returned.
import { averagePrecisionAtK } from "./metrics/averagePrecisionAtK";
import { ndcgAtK } from "./metrics/ndcgAtK";
import { precisionAtK } from "./metrics/precisionAtK";
import { recallAtK } from "./metrics/recallAtK";
import { reciprocalRankAtK } from "./metrics/reciprocalRankAtK";
import type { RankingConventions } from "./protocols";

export interface ListScores {
  precision: number;
  recall: number;
  map: number;
  ndcg: number;
  mrr: number;
}

// `list` may be longer than k (the runner ranks curveMaxK items); each metric
// looks at its first k, with the protocol's divisors and ideal cutoff.
export function scoreList(list: readonly number[], relevant: ReadonlySet<number>, k: number, conventions: RankingConventions): ListScores {
  return {
    precision: precisionAtK(list, relevant, k, conventions.precisionDivideBy),
    recall: recallAtK(list, relevant, k),
    map: averagePrecisionAtK(list, relevant, k, conventions.mapDivideBy),
    ndcg: ndcgAtK(list, relevant, k, { idealCutoff: idealCutoff(conventions, k, list) }),
    mrr: reciprocalRankAtK(list, relevant, k),
  };
}

// Gorse's IDCG runs over min(|relevant|, len(rankList)); Recommenders' over
// min(|relevant|, k).
export function idealCutoff(conventions: RankingConventions, k: number, list: readonly number[]): number {
  return conventions.idealCutoff === "k" ? k : Math.min(k, list.length);
}
