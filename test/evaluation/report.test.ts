import { modelComparisonSvg, ndcgCurveSvg } from "../../src/evaluation/charts";
import { markdownReport } from "../../src/evaluation/report";
import type { EvaluationResult } from "../../src/evaluation/runner";

const base = { dataset: "ml-100k", seed: 0, folds: 5, fitSeconds: 1.5, predictSeconds: 0.25 };
const results: EvaluationResult[] = [
  { ...base, model: "svd", protocol: "surprise-5fold", metrics: { rmse: 0.935, mae: 0.737 } },
  { ...base, model: "ials", protocol: "surprise-5fold", metrics: {}, skipped: "ials has no predict()" },
  {
    ...base,
    model: "ials",
    protocol: "gorse-5fold",
    metrics: { "precision@10": 0.3, "recall@10": 0.2, "map@10": 0.1, "ndcg@10": 0.4, "mrr@10": 0.6, coverage: 0.5, novelty: 2, diversity: 0.7 },
    ndcgCurve: Array.from({ length: 20 }, (_, i) => 0.5 - i * 0.005),
  },
];

describe("markdownReport", () => {
  const md = markdownReport(results, ["surprise-5fold", "gorse-5fold"]);

  it("puts the comparable published figures beside our rows", () => {
    expect(md).toContain("| svd | 0.9350 | 0.7370 | 1.50 | 0.25 | Surprise SVD 0.9340/0.7370; Gorse SVD (tuned) 0.9070/0.7150 |");
    expect(md).toContain("| ials | 0.3000 | 0.2000 | 0.1000 | 0.4000 | 0.6000 | 0.5000 | 2.0000 | 0.7000 | 1.50 | 0.25 | WRMF 0.3470/0.2370/0.1460/0.4160/0.6540 |");
  });

  it("lists the published rows and the skipped models", () => {
    expect(md).toMatch(/\| _ItemPop \(published\)_ \| 0\.1910 \| 0\.1160 \| 0\.0540 \| 0\.2180 \| 0\.4100 \|/);
    expect(md).toContain("skipped: ials has no predict()");
  });

  it("leaves the ml-100k figures out for another dataset", () => {
    const other = markdownReport([{ ...results[0], dataset: "ml-latest-small" }], ["surprise-5fold"]);
    expect(other).not.toContain("published)_");
    expect(other).toContain("Published figures are on ml-100k; none shown for ml-latest-small.");
  });
});

describe("charts", () => {
  it("draws one bar per model and protocol with an escaped tooltip", () => {
    const svg = modelComparisonSvg([...results, { ...results[0], model: "a<b", metrics: { rmse: 1 } }])!;
    expect(svg.startsWith("<?xml")).toBe(true);
    expect(svg).toContain("nDCG@10 (higher is better)");
    expect(svg).toContain("RMSE (lower is better)");
    expect(svg).toContain("<title>a&lt;b surprise-5fold: 1.0000</title>");
    expect(svg.match(/<rect [^>]*fill="#[0-9a-f]{6}"><title>/g)).toHaveLength(3);
  });

  it("draws the nDCG@K curve with 20 points", () => {
    const svg = ndcgCurveSvg(results)!;
    const points = svg.match(/points="([^"]*)"/)![1].split(" ");
    expect(points).toHaveLength(20);
    expect(ndcgCurveSvg([results[0]])).toBeUndefined();
  });
});
