// The markdown summary the evaluate CLI prints: one table per protocol, our
// rows first, then the published rows of that protocol, with the comparable
// published figures beside each of ours.
import { anchorsFor } from "./anchors";
import { PROTOCOLS, type ProtocolName } from "./protocols";
import type { EvaluationResult, MetricName, Metrics } from "./runner";

interface Column {
  readonly metric: MetricName;
  readonly header: string;
}

const RATING: Column[] = [
  { metric: "rmse", header: "RMSE" },
  { metric: "mae", header: "MAE" },
];
// Ordered as each source publishes them.
const MSR: Column[] = [
  { metric: "map@10", header: "MAP" },
  { metric: "ndcg@10", header: "nDCG@10" },
  { metric: "precision@10", header: "P@10" },
  { metric: "recall@10", header: "R@10" },
];
const GORSE: Column[] = [
  { metric: "precision@10", header: "P@10" },
  { metric: "recall@10", header: "R@10" },
  { metric: "map@10", header: "MAP@10" },
  { metric: "ndcg@10", header: "nDCG@10" },
  { metric: "mrr@10", header: "MRR@10" },
];
// Next-item protocols publish HR and NDCG.
const NEXT_ITEM: Column[] = [
  { metric: "hr@10", header: "HR@10" },
  { metric: "ndcg@10", header: "NDCG@10" },
];
const EXTRA: Column[] = [
  { metric: "coverage", header: "coverage" },
  { metric: "novelty", header: "novelty" },
  { metric: "diversity", header: "diversity" },
];

// The published columns first; for msr-stratified our RMSE/MAE and MRR follow.
export function columnsFor(protocol: ProtocolName): { published: Column[]; extra: Column[] } {
  if (protocol === "surprise-5fold") return { published: RATING, extra: [] };
  if (protocol === "leave-last-out") return { published: NEXT_ITEM, extra: [{ metric: "mrr@10", header: "MRR@10" }] };
  if (protocol === "msr-stratified") return { published: MSR, extra: [...RATING, { metric: "mrr@10", header: "MRR@10" }, ...EXTRA] };
  return { published: GORSE, extra: EXTRA };
}

export function markdownReport(
  results: readonly EvaluationResult[],
  protocols: readonly ProtocolName[],
  options: { target?: "test" | "validation" } = {},
): string {
  const out: string[] = [];
  for (const protocol of protocols) {
    const rows = results.filter((r) => r.protocol === protocol);
    const { published, extra } = columnsFor(protocol);
    const dataset = rows[0]?.dataset ?? "";
    // Published figures are on test targets, mostly on MovieLens 100K.
    const validation = PROTOCOLS[protocol].nextItem === true && options.target === "validation";
    const anchorsApply = !validation && anchorsFor(protocol, undefined, dataset).length > 0;
    const target = validation ? ", validation targets (second-to-last item)" : "";
    out.push(`### ${protocol}: ${PROTOCOLS[protocol].title}${target}${dataset ? ` on ${dataset}` : ""}`, "");
    const headers = ["model", ...published.map((c) => c.header), ...extra.map((c) => c.header), "fit s", "predict s", "published (comparable)"];
    out.push(`| ${headers.join(" | ")} |`, `|${headers.map((_, i) => (i === 0 || i === headers.length - 1 ? "---" : "---:")).join("|")}|`);
    for (const r of rows) {
      if (r.skipped) {
        out.push(`| ${r.model} | ${[...published, ...extra].map(() => "").join(" | ")} | | | skipped: ${r.skipped} |`);
        continue;
      }
      const anchors = (anchorsApply ? anchorsFor(protocol, r.model, dataset) : [])
        .map((a) => `${a.model} ${published.map((c) => fmt(a.metrics[c.metric]) || "–").join("/")}`)
        .join("; ");
      out.push(
        `| ${r.model} | ${cells(r.metrics, published)} | ${extra.length ? `${cells(r.metrics, extra)} | ` : ""}${r.fitSeconds.toFixed(2)} | ${r.predictSeconds.toFixed(2)} | ${anchors || "—"} |`,
      );
    }
    for (const a of anchorsApply ? anchorsFor(protocol, undefined, dataset) : []) {
      out.push(`| _${a.model} (published)_ | ${cells(a.metrics, published)} | ${extra.length ? `${extra.map(() => "").join(" | ")} | ` : ""} | | ${a.source} |`);
    }
    out.push("");
    if (validation && rows.length > 0) out.push("Validation targets: for choosing settings; published figures are on test targets and not shown.", "");
    else if (!anchorsApply && rows.length > 0) out.push(`Published figures are on ml-100k; none shown for ${dataset}.`, "");
    if (protocol === "msr-stratified") {
      out.push("MAP is Recommenders' `map` (average precision over the top 10 divided by all of the user's test items), reported as map@10.", "");
    }
  }
  return out.join("\n");
}

function cells(metrics: Metrics, columns: Column[]): string {
  return columns.map((c) => fmt(metrics[c.metric])).join(" | ");
}

function fmt(value: number | undefined): string {
  if (value === undefined || Number.isNaN(value)) return "";
  return Math.abs(value) >= 10 ? value.toFixed(2) : value.toFixed(4);
}
