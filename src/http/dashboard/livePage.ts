// /dashboard/live: request rate, latency and errors of this process, from
// the metrics registry (liveFigures.ts). The page is complete as served; the
// local script live.js polls /dashboard/live.json to keep it current.
import { formatNumber, html, type Html } from "./html";
import type { LiveFigures } from "./liveFigures";
import { timeChart } from "./svgCharts";

export const LIVE_POLL_MS = 2000;

function ms(seconds: number | null): string {
  if (seconds === null) return "–";
  const v = seconds * 1000;
  return `${v < 10 ? v.toFixed(2) : v < 100 ? v.toFixed(1) : Math.round(v).toLocaleString("en-US")} ms`;
}

function rate(perSecond: number): string {
  return perSecond < 10 ? perSecond.toFixed(2) : formatNumber(perSecond, 1);
}

// The figures as the page shows them, by data-figure name (also what live.json sends).
export function liveTexts(live: LiveFigures): Record<string, string> {
  return {
    graphqlRate: rate(live.graphqlPerSecond),
    httpRate: rate(live.httpPerSecond),
    p50: ms(live.p50),
    p99: ms(live.p99),
    errorRate: rate(live.errorsPerSecond),
    window: `over the last ${Math.round(live.windowSeconds)} s`,
    status: `updated ${new Date(live.sampledAt).toISOString().slice(11, 19)} UTC`,
  };
}

export function liveChart(live: LiveFigures): Html {
  const points = live.history.slice(-60).map((h) => ({ atMs: h.atMs, value: h.perSecond }));
  return timeChart(points, {
    id: "graphql-rate",
    title: "GraphQL requests per second (times in UTC)",
    width: 1100,
    height: 260,
    color: "#4e79a7",
    format: (v) => (v < 10 ? v.toFixed(1) : Math.round(v).toString()),
  });
}

export function liveJson(live: LiveFigures): unknown {
  return { sampledAt: live.sampledAt, text: liveTexts(live), errors: live.errors, fallbacks: live.fallbacks, chart: liveChart(live).text };
}

export function liveBody(live: LiveFigures): Html {
  const t = liveTexts(live);
  const card = (label: string, name: string, hint: string) =>
    html`<div class="card"><div class="label">${label}</div><div class="value" data-figure="${name}">${t[name]}</div><div class="hint">${hint}</div></div>`;
  return html`<div data-live="${LIVE_POLL_MS}">
<p class="muted"><span data-figure="window">${t.window}</span> · <span data-figure="status">${t.status}</span></p>
<div class="cards">
  ${card("GraphQL requests/s", "graphqlRate", "operations answered")}
  ${card("HTTP requests/s", "httpRate", "all routes but the dashboard")}
  ${card("p50 latency", "p50", "GraphQL, whole request")}
  ${card("p99 latency", "p99", "GraphQL, whole request")}
  ${card("Errors/s", "errorRate", "by extensions.code below")}
</div>
<section class="panel"><div data-live-chart>${liveChart(live)}</div></section>
<section class="panel">
  <h2>Errors by code</h2>
  <table>
    <thead><tr><th>Code</th><th class="num">In the window</th><th class="num">Since start</th></tr></thead>
    <tbody data-errors>${live.errors.map((e) => html`<tr><td>${e.code}</td><td class="num">${e.window}</td><td class="num">${e.total}</td></tr>`)}</tbody>
  </table>
  ${live.errors.length === 0 ? html`<p class="muted">No errors since this process started.</p>` : ""}
</section>
<section class="panel">
  <h2>Recommendation fallbacks</h2>
  <p class="muted">Answers whose strategy was served by another because its own model is not trained or failed to load (each item of such an answer carries a Fallback reason); <code>marquee_recommendation_fallbacks_total</code>.</p>
  <table>
    <thead><tr><th>Asked for</th><th>Served by</th><th>Surface</th><th class="num">In the window</th><th class="num">Since start</th></tr></thead>
    <tbody data-fallbacks>${live.fallbacks.map((f) => html`<tr><td>${f.requested}</td><td>${f.served}</td><td>${f.surface}</td><td class="num">${f.window}</td><td class="num">${f.total}</td></tr>`)}</tbody>
  </table>
  ${live.fallbacks.length === 0 ? html`<p class="muted">No fallback since this process started: every strategy asked for was served by its own model.</p>` : ""}
</section>
</div>`;
}
