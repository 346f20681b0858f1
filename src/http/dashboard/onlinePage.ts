// /dashboard/online: what the served recommendations were shown for and led
// to over the last 48 hours, from the hourly rollups (onlineMetricsService,
// the same figures as the GraphQL onlineMetrics): answers and CTR@10 per
// hour, and by surface, strategy and model the users reached, catalog
// coverage, novelty and CTR and conversion with their Wilson intervals.
import type { ServiceContext } from "../../services/ServiceContext";
import { readHourlyOnlineFigures } from "../../db/onlineMetricsRepository";
import { onlineMetrics } from "../../services/onlineMetricsService";
import type { Proportion } from "../../services/wilsonInterval";
import { formatNumber, html, type Html } from "./html";
import { lineChart } from "./svgCharts";

export const ONLINE_HOURS = 48;
const K = 10;

const percent = (v: number | null, digits = 1) => (v === null ? "–" : `${(v * 100).toFixed(digits)}%`);
const withInterval = (p: Proportion) => (p.value === null ? "–" : `${percent(p.value)} (${percent(p.low)}–${percent(p.high)})`);

export async function onlineBody(ctx: ServiceContext, now: Date): Promise<Html> {
  const to = new Date(Math.floor(now.getTime() / 3_600_000) * 3_600_000 + 3_600_000);
  const from = new Date(to.getTime() - ONLINE_HOURS * 3_600_000);
  const [hours, groups] = await Promise.all([readHourlyOnlineFigures(ctx.db, from, to, K), onlineMetrics(ctx, { from, to, k: K })]);
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
</section>`;
}
