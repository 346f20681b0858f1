// The dashboard's chart arithmetic and the models page's findings, without a
// server: axis scales and labels worked by hand, the live history's spacing,
// and what the page says about blends and rankings for hand-made versions.
import { labelIndices, niceScale, tickLabels, timeChart, barChart } from "../../src/http/dashboard/svgCharts";
import { LiveSampler } from "../../src/http/dashboard/liveFigures";
import { liveChart } from "../../src/http/dashboard/livePage";
import { modelFindings } from "../../src/http/dashboard/modelsPage";
import { Metrics } from "../../src/observability/metrics";
import type { ModelInfoView, ModelVersionView } from "../../src/jobs/modelAdmin";
import type { BlendRow } from "../../src/db/dashboardRepository";

const texts = (svg: string, cls: string) => [...svg.matchAll(new RegExp(`<text class="${cls}"[^>]*>([^<]*)</text>`, "g"))].map((m) => m[1]);

describe("value axis", () => {
  it("takes a step of 1, 2 or 5 x 10^n for about five intervals", () => {
    expect(niceScale(460)).toEqual({ max: 500, step: 100 });
    expect(niceScale(8104)).toEqual({ max: 10_000, step: 2000 });
    expect(niceScale(12.3)).toEqual({ max: 15, step: 5 });
    expect(niceScale(0.4685)).toEqual({ max: 0.5, step: 0.1 });
    expect(niceScale(0.02)).toEqual({ max: 0.02, step: 0.005 });
    expect(niceScale(0)).toEqual({ max: 1, step: 0.2 });
  });

  it("labels ticks with the decimals the step needs, so no label repeats", () => {
    // The live chart's old labels for a largest value of 0.02 were 0.0 five times.
    expect(tickLabels(0.02, 0.005)).toEqual(["0.000", "0.005", "0.010", "0.015", "0.020"]);
    expect(tickLabels(1, 0.2)).toEqual(["0.0", "0.2", "0.4", "0.6", "0.8", "1.0"]);
    expect(tickLabels(10_000, 2000)).toEqual(["0", "2,000", "4,000", "6,000", "8,000", "10,000"]);
    expect(tickLabels(15, 5)).toEqual(["0", "5", "10", "15"]);
  });

  it("draws those labels on a chart", () => {
    const svg = barChart([{ label: "a", value: 0.012 }, { label: "b", value: 0.02 }], { id: "x", title: "x" }).text;
    expect(texts(svg, "tick").slice(0, 5)).toEqual(["0.000", "0.005", "0.010", "0.015", "0.020"]);
  });
});

describe("category labels", () => {
  it("shows every step-th label and the last one, dropping the one before it when too close", () => {
    expect(labelIndices(5, 1)).toEqual([0, 1, 2, 3, 4]);
    expect(labelIndices(10, 3)).toEqual([0, 3, 6, 9]);
    expect(labelIndices(11, 3)).toEqual([0, 3, 6, 10]); // 9 and 10 would overlap
    expect(labelIndices(12, 3)).toEqual([0, 3, 6, 9, 11]);
    expect(labelIndices(1, 4)).toEqual([0]);
  });
});

describe("time chart (the live page)", () => {
  const at = Date.UTC(2026, 11, 3, 7, 52, 33, 400);

  it("places points by time and labels round times once each, none past the edge", () => {
    // Uneven samples, two within the same second.
    const points = [0, 2000, 2300, 4000, 6000, 20_000, 21_900].map((d, i) => ({ atMs: at + d, value: i }));
    const svg = timeChart(points, { id: "t", title: "t", width: 1100 }).text;
    const labels = texts(svg, "tick").filter((l) => l.includes(":"));
    expect(labels).toEqual(["07:52:34", "07:52:36", "07:52:38", "07:52:40", "07:52:42", "07:52:44", "07:52:46", "07:52:48", "07:52:50", "07:52:52", "07:52:54"]);
    expect(new Set(labels).size).toBe(labels.length);
    // Points at their times: the gap of 14 s is wider than the gap of 2 s.
    const xs = [...svg.matchAll(/<circle class="point"[^>]*cx="([\d.]+)"/g)].map((m) => Number(m[1]));
    expect(xs[5] - xs[4]).toBeCloseTo(7 * (xs[4] - xs[3]), 0);
  });

  it("uses a coarser step over a longer span", () => {
    const points = Array.from({ length: 61 }, (_, i) => ({ atMs: at + i * 5000, value: 1 }));
    const labels = texts(timeChart(points, { id: "t", title: "t", width: 1100 }).text, "tick").filter((l) => l.includes(":"));
    expect(labels[0]).toBe("07:53:00");
    expect(labels[1]).toBe("07:53:30");
    expect(labels.length).toBeLessThanOrEqual(13);
  });
});

describe("live history", () => {
  it("keeps samples at least half an interval apart however often pages ask", async () => {
    const metrics = new Metrics({ processMetrics: false });
    const sampler = new LiveSampler(metrics, { intervalMs: 2000, windowMs: 60_000, keep: 150 });
    const t0 = 1_000_000;
    await sampler.sample(t0);
    metrics.observeOperation("Q", "query", 0.01);
    await sampler.figures(t0 + 300); // a page view just after a tick: not kept
    await sampler.sample(t0 + 2000);
    await sampler.figures(t0 + 2500); // a poll between ticks: not kept
    metrics.observeOperation("Q", "query", 0.01);
    const live = await sampler.figures(t0 + 4100); // kept
    expect(live.history.map((h) => h.atMs - t0)).toEqual([2000, 4100]);
    expect(live.history.map((h) => Number(h.perSecond.toFixed(3)))).toEqual([0.5, Number((1 / 2.1).toFixed(3))]);
    // The figures themselves still come from the fresh snapshot.
    expect(live.graphqlPerSecond).toBeCloseTo(2 / 4.1);
    const labels = texts(liveChart(live).text, "tick").filter((l) => l.includes(":"));
    expect(new Set(labels).size).toBe(labels.length);
  });
});

function version(name: string, algorithm: string, id: number, metrics: Record<string, number>): ModelVersionView {
  return {
    id, name, version: 1, status: "TRAINED", isActive: true, algorithm, metrics, dataStats: {}, params: {}, givenParams: {},
    createdAt: new Date(0), activatedAt: new Date(0), revision: 0, challenge: null,
  };
}
const info = (v: ModelVersionView): ModelInfoView => ({ name: v.name, trainable: true, active: v, versions: [v] });
const figures = (ndcg: number, recall = 0.3) => ({ "ndcg@10": ndcg, "recall@10": recall, "precision@10": 0.2, coverage: 0.7 });
const text = (findings: { text: string }[]) => findings.map((f) => f.text.replace(/<[^>]+>/g, "").replace(/\s+/g, " "));

describe("models page findings", () => {
  const ease = version("ease", "ease", 1, figures(0.4104));
  const content = version("content", "contentBased", 2, figures(0.4685));
  const itemKnn = version("item-knn", "itemKnn", 4, figures(0.3993));

  it("says why a blend has exactly the figures of one part, and that content ranks above what HYBRID serves", () => {
    const hybrid = version("hybrid", "rankingBlend", 3, figures(0.4104));
    const blends = new Map<number, BlendRow>([[3, { modelVersionId: 3, weights: [1, 0], components: ["ease", "ials"] }]]);
    const findings = text(modelFindings([content, ease, hybrid, itemKnn].map(info), blends));
    expect(findings[0]).toBe(
      "hybrid v1 has exactly the held-out figures of ease v1: its blend weights are ease 1 · ials 0, all on ease, so it ranks as ease alone. The weights are chosen on a validation split inside the training data to maximise nDCG@10; on this data that was highest without ials, so the blend gave it no weight.",
    );
    // ease ties with hybrid (0.4104): not "above" it.
    expect(findings[1]).toMatch(/^content \(0\.469\) ranks above hybrid v1 \(0\.410\) on held-out nDCG@10, yet hybrid serves the default HYBRID strategy: HYBRID is served by the first trained of hybrid, item-knn, content, popular/);
    expect(findings[2]).toMatch(/^Why content can lead: .* The built-in demo catalog is made that way/);
    expect(findings).toHaveLength(3);
  });

  it("shows the weights of a real blend, and says nothing when the served model ranks best", () => {
    const hybrid = version("hybrid", "rankingBlend", 3, figures(0.5));
    const blends = new Map<number, BlendRow>([[3, { modelVersionId: 3, weights: [0.7, 0.3], components: ["ease", "ials"] }]]);
    expect(text(modelFindings([content, ease, hybrid].map(info), blends))).toEqual([
      "hybrid v1 blends ease and ials with the weights ease 0.7 · ials 0.3 (fitted on a validation split inside the training data to maximise nDCG@10; the reasons it gives come from ease).",
    ]);
  });

  it("compares with item-knn when no hybrid is trained, and does not blame figures it has not got", () => {
    expect(text(modelFindings([content, itemKnn].map(info), new Map()))[0]).toMatch(/^content \(0\.469\) ranks above item-knn v1 \(0\.399\)/);
    const bare = version("item-knn", "itemKnn", 4, {});
    expect(modelFindings([content, bare].map(info), new Map())).toEqual([]);
  });
});
