// /dashboard: the catalog at a glance. Totals and interactions by type come
// from statsRepository (the GraphQL catalogStats), the rest from
// dashboardRepository; each is one statement.
import type { Database } from "../../db/Database";
import { catalogStats } from "../../db/statsRepository";
import { interactionsOverTime, itemsByKind, topFeatures, type TimeBucket } from "../../db/dashboardRepository";
import { formatDate, formatNumber, html, type Html } from "./html";
import { barChart, lineChart } from "./svgCharts";

export const TOP_FEATURES = 15;

export async function overviewBody(db: Database, bucket: TimeBucket): Promise<Html> {
  const [stats, kinds, features, overTime] = await Promise.all([
    catalogStats(db),
    itemsByKind(db),
    topFeatures(db, TOP_FEATURES),
    interactionsOverTime(db, bucket),
  ]);
  const card = (label: string, value: number, name: string) =>
    html`<div class="card"><div class="label">${label}</div><div class="value" data-total="${name}">${formatNumber(value)}</div></div>`;
  const other: TimeBucket = bucket === "week" ? "day" : "week";
  return html`
<div class="cards">
  ${card("Items", stats.items, "items")}
  ${card("Users", stats.users, "users")}
  ${card("Features", stats.features, "features")}
  ${card("Interactions", stats.interactions, "interactions")}
</div>
<section class="panel">
  <h2>Interactions per ${bucket} <a class="muted" href="/dashboard?bucket=${other}">(per ${other})</a></h2>
  <p class="muted">From ${formatDate(stats.firstInteractionAt)} to ${formatDate(stats.lastInteractionAt)}${overTime.length > 1 ? `; the first and last ${bucket}s are only partly covered` : ""}.</p>
  ${lineChart(overTime.map((r) => ({ label: r.period, value: r.interactions })), { id: "interactions-over-time", title: `Interactions per ${bucket} (UTC)`, width: 1100, height: 280 })}
</section>
<div class="grid">
  <section class="panel">
    <h2>Items by kind</h2>
    ${barChart(kinds.map((k) => ({ label: k.kind, value: k.items })), { id: "items-by-kind", title: "Items by kind", height: 220 })}
    <table>
      <thead><tr><th>Kind</th><th class="num">Items</th><th class="num">Interactions</th><th>Most interacted</th></tr></thead>
      <tbody>
      ${kinds.map((k) => html`<tr data-kind="${k.kind}"><td><span class="badge kind">${k.kind}</span></td><td class="num" data-count>${formatNumber(k.items)}</td><td class="num">${formatNumber(k.interactions)}</td><td data-top-title>${k.topTitle ?? "–"}</td></tr>`)}
      </tbody>
    </table>
  </section>
  <section class="panel">
    <h2>Interactions by type</h2>
    ${barChart(stats.interactionsByType.map((t) => ({ label: t.type, value: t.count })), { id: "interactions-by-type", title: "Interactions by type", height: 220, color: "#59a14f" })}
  </section>
</div>
<section class="panel">
  <h2>Top features</h2>
  ${features.length === 0
    ? html`<p class="muted">No item has features yet.</p>`
    : html`<table>
    <thead><tr><th>Facet</th><th>Value</th><th class="num">Items</th><th class="num">Interactions with those items</th></tr></thead>
    <tbody>${features.map((f) => html`<tr data-feature><td>${f.facet}</td><td>${f.value}</td><td class="num">${formatNumber(f.items)}</td><td class="num">${formatNumber(f.interactions)}</td></tr>`)}</tbody>
  </table>`}
</section>`;
}
