import { csrFromTriplets } from "../../src/engine/data/CsrMatrix";
import { averagePrecisionAtK } from "../../src/evaluation/metrics/averagePrecisionAtK";
import { catalogCoverage } from "../../src/evaluation/metrics/catalogCoverage";
import { cosine, intraListDiversity } from "../../src/evaluation/metrics/intraListDiversity";
import { mae } from "../../src/evaluation/metrics/mae";
import { ndcgAtK } from "../../src/evaluation/metrics/ndcgAtK";
import { novelty } from "../../src/evaluation/metrics/novelty";
import { precisionAtK } from "../../src/evaluation/metrics/precisionAtK";
import { recallAtK } from "../../src/evaluation/metrics/recallAtK";
import { reciprocalRankAtK } from "../../src/evaluation/metrics/reciprocalRankAtK";
import { rmse } from "../../src/evaluation/metrics/rmse";
import { topK } from "../../src/evaluation/topK";

// Ranked list [10, 20, 30, 40, 50]; relevant {20, 40, 99}: hits at ranks 2 and 4.
const ranked = [10, 20, 30, 40, 50];
const relevant = new Set([20, 40, 99]);

describe("rating metrics", () => {
  it("rmse and mae by hand", () => {
    // errors 1, -2, 0, 1: squares 1 + 4 + 0 + 1 = 6 -> sqrt(6/4); |e| sum 4 -> 1
    expect(rmse([3, 4, 5, 1], [4, 2, 5, 2])).toBeCloseTo(Math.sqrt(1.5), 12);
    expect(mae([3, 4, 5, 1], [4, 2, 5, 2])).toBe(1);
    expect(rmse([], [])).toBeNaN();
    expect(() => rmse([1], [])).toThrow(/1 actual values but 0/);
  });
});

describe("ranking metrics (one user)", () => {
  it("precision@k divides by k (Recommenders) or by the list length (Gorse)", () => {
    expect(precisionAtK(ranked, relevant, 4)).toBe(2 / 4);
    expect(precisionAtK(ranked, relevant, 10)).toBe(2 / 10);
    expect(precisionAtK(ranked, relevant, 10, "list")).toBe(2 / 5);
    expect(precisionAtK([], relevant, 10, "list")).toBe(0);
  });

  it("recall@k divides by the number of relevant items", () => {
    expect(recallAtK(ranked, relevant, 5)).toBe(2 / 3);
    expect(recallAtK(ranked, relevant, 3)).toBe(1 / 3);
  });

  it("average precision@k: (1/2 + 2/4) / |relevant| or / min(|relevant|, k)", () => {
    expect(averagePrecisionAtK(ranked, relevant, 5)).toBeCloseTo((1 / 2 + 2 / 4) / 3, 12);
    expect(averagePrecisionAtK(ranked, relevant, 2, "min(relevant,k)")).toBeCloseTo(1 / 2 / 2, 12);
    expect(averagePrecisionAtK(ranked, relevant, 2)).toBeCloseTo(1 / 2 / 3, 12);
  });

  it("binary nDCG@k: DCG 1/log2(3) + 1/log2(5), IDCG over min(|rel|, k)", () => {
    const dcg = 1 / Math.log2(3) + 1 / Math.log2(5);
    const idcg = 1 + 1 / Math.log2(3) + 1 / Math.log2(4);
    expect(ndcgAtK(ranked, relevant, 5)).toBeCloseTo(dcg / idcg, 12);
    // k = 2: DCG 1/log2(3), IDCG 1 + 1/log2(3)
    expect(ndcgAtK(ranked, relevant, 2)).toBeCloseTo(1 / Math.log2(3) / (1 + 1 / Math.log2(3)), 12);
    // Gorse: ideal list cut at len(rankList) = 1
    expect(ndcgAtK([20], relevant, 10, { idealCutoff: 1 })).toBe(1);
    expect(ndcgAtK(ranked, new Set([10]), 5)).toBe(1);
  });

  it("graded nDCG uses the gains", () => {
    const gain = new Map([[20, 3], [40, 1], [99, 5]]);
    const dcg = 3 / Math.log2(3) + 1 / Math.log2(5);
    const idcg = 5 + 3 / Math.log2(3) + 1 / Math.log2(4);
    expect(ndcgAtK(ranked, relevant, 5, { gain })).toBeCloseTo(dcg / idcg, 12);
  });

  it("reciprocal rank of the first hit", () => {
    expect(reciprocalRankAtK(ranked, relevant, 5)).toBe(1 / 2);
    expect(reciprocalRankAtK(ranked, relevant, 1)).toBe(0);
  });

  it("perfect and empty lists", () => {
    const all = new Set([1, 2]);
    expect(precisionAtK([1, 2], all, 2)).toBe(1);
    expect(recallAtK([1, 2], all, 2)).toBe(1);
    expect(averagePrecisionAtK([1, 2], all, 2)).toBe(1);
    expect(ndcgAtK([1, 2], all, 2)).toBe(1);
    expect(ndcgAtK([3, 4], all, 2)).toBe(0);
    expect(recallAtK([1], new Set(), 1)).toBe(0);
  });
});

describe("beyond-accuracy metrics", () => {
  it("catalog coverage counts distinct recommended items", () => {
    expect(catalogCoverage([[0, 1], [1, 2]], 10)).toBe(3 / 10);
  });

  it("novelty is the mean of -log2(share of users who saw the item)", () => {
    // 8 users; item 0 seen by 4 (1 bit), item 1 by 1 (3 bits), item 2 by none (counted as 1: 3 bits)
    expect(novelty([[0, 1], [0, 2]], [4, 1, 0], 8)).toBeCloseTo((1 + 3 + 1 + 3) / 4, 12);
  });

  it("intra-list diversity is 1 - mean pairwise cosine", () => {
    // item 0 = (1, 0), item 1 = (1, 1), item 2 = (0, 1)
    const m = csrFromTriplets(3, 2, [0, 1, 1, 2], [0, 0, 1, 1], [1, 1, 1, 1]);
    expect(cosine(m, 0, 1)).toBeCloseTo(1 / Math.SQRT2, 12);
    expect(cosine(m, 0, 2)).toBe(0);
    expect(intraListDiversity([0, 1, 2], m)).toBeCloseTo(1 - (2 / Math.SQRT2) / 3, 12);
    expect(intraListDiversity([0], m)).toBe(0);
  });

  it("co-occurrence similarity: binary cosine count(i,j) / sqrt(count(i) count(j))", () => {
    // item x user, ratings as values: item 0 by users 0,1 ; item 1 by users 1,2,3
    const m = csrFromTriplets(2, 4, [0, 0, 1, 1, 1], [0, 1, 1, 2, 3], [5, 3, 4, 1, 2]);
    expect(cosine(m, 0, 1, true)).toBeCloseTo(1 / Math.sqrt(2 * 3), 12);
  });
});

describe("topK", () => {
  it("returns the best items first, ties to the lower index, skipping disallowed and NaN last", () => {
    const scores = Float32Array.from([0.5, 0.9, 0.5, NaN, 0.7, 0.9]);
    expect(topK(scores, 3)).toEqual([1, 5, 4]);
    expect(topK(scores, 4, (i) => i !== 1)).toEqual([5, 4, 0, 2]);
    expect(topK(scores, 10)).toEqual([1, 5, 4, 0, 2, 3]);
  });
});
