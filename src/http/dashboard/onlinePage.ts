// /dashboard/online: what the served recommendations were shown for and led
// to over the last 48 hours, from the hourly rollups (onlineMetricsService,
// the same figures as the GraphQL onlineMetrics): answers and CTR@10 per
// hour, and by surface, strategy and model the users reached, catalog
// coverage, novelty and CTR and conversion with their Wilson intervals;
// and, for an admin (who alone may read them through the API too), the
// experiments: each arm's metric, the always-valid comparison with the
// control and the result, as `experiment(id)` has them.
import type { ServiceContext } from "../../services/ServiceContext";
import { experiments } from "../../services/experimentService";
import { readHourlyOnlineFigures } from "../../db/onlineMetricsRepository";
import { onlineMetrics } from "../../services/onlineMetricsService";
import type { Proportion } from "../../services/wilsonInterval";
import { formatNumber, html, type Html } from "./html";
import { lineChart } from "./svgCharts";

export const ONLINE_HOURS = 48;
const K = 10;
// Stopped and draft experiments shown besides the running ones (newest first).
const OTHER_EXPERIMENTS = 5;

const percent = (v: number | null, digits = 1) => (v === null ? "–" : `${(v * 100).toFixed(digits)}%`);
const withInterval = (p: Proportion) => (p.value === null ? "–" : `${percent(p.value)} (${percent(p.low)}–${percent(p.high)})`);

export async function onlineBody(ctx: ServiceContext, now: Date, showExperiments: boolean): Promise<Html> {
  const to = new Date(Math.floor(now.getTime() / 3_600_000) * 3_600_000 + 3_600_000);
  const from = new Date(to.getTime() - ONLINE_HOURS * 3_600_000);
  const [hours, groups, experimentsHtml] = await Promise.all([
    readHourlyOnlineFigures(ctx.db, from, to, K),
    onlineMetrics(ctx, { from, to, k: K }),
    showExperiments ? experimentsPanel({ ...ctx, now }) : Promise.resolve(html`<p class="muted" data-experiments-hidden>Experiments are shown to admin keys, as in the API.</p>`),
  ]);
  const label = (d: Date) => `${d.toISOString().slice(5, 10)} ${d.toISOString().slice(11, 13)}h`;
  return html`
<p class="muted">The last ${ONLINE_HOURS} hours (UTC), by the hour each answer was shown in; interactions count as they are attributed, so recent hours still grow. CTR@${K}: attributed views and plays at rank ${K} or better over the items shown there. Users: distinct signed-in users shown to (a HyperLogLog estimate, ±1.6%). Coverage: distinct items shown over the catalog. Novelty: mean self-information of the items shown, -log2 of the share of users who ever interacted with each.</p>
<div class="grid">
  <section class="panel">
    <h2>Answers served per hour</h2>
    ${lineChart(hours.map((h) => ({ label: label(h.hour), value: h.impressions })), { id: "impressions-per-hour", title: "Answers (impressions) per hour", height: 240 })}
  </section>
  <section class="panel">
    <h2>CTR@${K} per hour</h2>
    ${lineChart(
      hours.map((h) => ({ label: label(h.hour), value: h.shownAtK > 0 ? (100 * h.clicksAtK) / h.shownAtK : 0 })),
      { id: "ctr-per-hour", title: `CTR@${K} per hour (%)`, height: 240, color: "#59a14f", format: (v) => `${v.toFixed(2)}%` },
    )}
  </section>
</div>
<section class="panel">
  <h2>By surface, strategy and model</h2>
  ${groups.length === 0
    ? html`<p class="muted" data-online-empty>No answers were served in these hours.</p>`
    : html`<table>
    <thead><tr><th>Surface</th><th>Strategy</th><th>Model</th><th class="num">Answers</th><th class="num">Users</th><th class="num">Items shown (distinct)</th><th class="num">Coverage</th><th class="num">Novelty</th><th>Attributed</th><th class="num">CTR@${K} (95% interval)</th><th class="num">Conversion (95% interval)</th></tr></thead>
    <tbody>${groups.map(
      (g) => html`<tr data-online-row="${g.surface ?? ""}|${g.strategy ?? ""}|${g.model ?? ""}">
        <td>${g.surface ?? "–"}</td><td>${g.strategy ?? "–"}</td><td>${g.model ?? "–"}</td>
        <td class="num" data-impressions>${formatNumber(g.impressions)}</td><td class="num" data-users>${formatNumber(g.users)}</td>
        <td class="num" data-items>${formatNumber(g.itemsShown)} (${formatNumber(g.itemsDistinct)})</td>
        <td class="num" data-coverage>${percent(g.coverage)}</td><td class="num" data-novelty>${g.novelty === null ? "–" : `${g.novelty.toFixed(2)} bits`}</td>
        <td>${g.attributed.length === 0 ? "–" : g.attributed.map((a) => `${a.type} ${formatNumber(a.count)}`).join(", ")}</td>
        <td class="num" data-ctr>${withInterval(g.clickThrough)}</td><td class="num" data-conversion>${withInterval(g.conversion)}</td>
      </tr>`,
    )}</tbody>
  </table>`}
</section>
<section class="panel">
  <h2>Experiments</h2>
  ${experimentsHtml}
</section>`;
}

// The running experiments and the latest others, each arm with its metric
// and its comparison with the control (the first arm).
async function experimentsPanel(ctx: ServiceContext & { now: Date }): Promise<Html> {
  const all = await experiments(ctx, null);
  const shown = [...all.filter((e) => e.status === "RUNNING"), ...all.filter((e) => e.status !== "RUNNING").slice(0, OTHER_EXPERIMENTS)];
  if (shown.length === 0) return html`<p class="muted" data-experiments-empty>No experiments yet (createExperiment in the API).</p>`;
  const evaluated = await Promise.all(shown.map(async (e) => ({ e, ...(await e.evaluation()) })));
  const metricName = { CLICK_THROUGH: `CTR@`, CONVERSION: "Conversion" } as const;
  return html`<p class="muted">Always-valid comparisons (mixture SPRT): a result may be read at any time; "no winner yet" until the evidence holds. Arms' figures since the experiment started, from the same rollups as above.</p>
  <table>
    <thead><tr><th>Experiment</th><th>Arm</th><th>Serves</th><th class="num">Weight</th><th class="num">Answers</th><th class="num">Metric (95% interval)</th><th class="num">Against the control</th><th>Stopped</th></tr></thead>
    <tbody>${evaluated.flatMap(({ e, arms, result }) =>
      arms.map((a, i) => {
        const c = result.comparisons.find((x) => x.arm === a.name);
        return html`<tr data-experiment-arm="${e.name}|${a.name}">
        ${i === 0 ? html`<td rowspan="${arms.length}"><strong>${e.name}</strong> · ${e.status.toLowerCase()}${e.isAA ? " · A/A" : ""}<br><span class="muted">${e.surface}, ${e.metric === "CLICK_THROUGH" ? `${metricName.CLICK_THROUGH}${e.k}` : metricName.CONVERSION}</span><br><span data-experiment-result="${e.name}">${result.summary}</span></td>` : html``}
        <td>${a.name}${i === 0 ? html` <span class="muted">(control)</span>` : html``}</td>
        <td>${a.model ?? a.strategy ?? "–"}</td><td class="num">${String(a.weight)}</td>
        <td class="num" data-arm-answers>${formatNumber(a.impressions)}</td>
        <td class="num" data-arm-metric>${withInterval(a.metric)}</td>
        <td class="num" data-arm-comparison>${c ? `${c.difference === null ? "–" : `${c.difference >= 0 ? "+" : ""}${(c.difference * 100).toFixed(2)} pts`}${c.pValue === null ? "" : `, p ${c.pValue < 0.001 ? "< 0.001" : c.pValue.toFixed(3)}`}${c.significant ? " ✓" : ""}` : "–"}</td>
        <td>${a.stoppedReason ?? "–"}</td>
      </tr>`;
      }),
    )}</tbody>
  </table>`;
}
