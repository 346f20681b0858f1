// /dashboard/models: every model and its versions (from jobs/modelAdmin's
// listModels, the same use case as the GraphQL models query), which one is
// served, training figures as charts, and an activate button for admins.
import type { Database } from "../../db/Database";
import { listModels, type ModelInfoView, type ModelVersionView } from "../../jobs/modelAdmin";
import { formatDate, formatNumber, html, type Html } from "./html";
import { barChart } from "./svgCharts";

// Not charted: the seed (a setting) and how many users the holdout ranked.
const NOT_CHARTED = new Set(["seed", "evaluatedUsers"]);

function numericEntries(record: Record<string, unknown>): [string, number][] {
  return Object.entries(record).filter((e): e is [string, number] => typeof e[1] === "number" && Number.isFinite(e[1]));
}

function versionLabel(v: ModelVersionView): string {
  return `${v.name} v${v.version}`;
}

function metricCharts(models: readonly ModelInfoView[]): Html[] {
  const versions = models.flatMap((m) => [...m.versions].reverse());
  const keys = [...new Set(versions.flatMap((v) => numericEntries(v.metrics).map(([k]) => k)))].filter((k) => !NOT_CHARTED.has(k));
  // Training time first, then any evaluation metric a version carries.
  keys.sort((a, b) => (a === "fitSeconds" ? -1 : b === "fitSeconds" ? 1 : a.localeCompare(b)));
  const charts = keys.map((key) => {
    const points = versions.flatMap((v) => (typeof v.metrics[key] === "number" ? [{ label: versionLabel(v), value: v.metrics[key] as number }] : []));
    const title = key === "fitSeconds" ? "Training time per version (s)" : `${key} per version`;
    return barChart(points, { id: `metric-${key}`, title, height: 240, format: (v) => String(Number(v.toPrecision(3))) });
  });
  const sized = versions.flatMap((v) => (typeof v.dataStats.interactions === "number" ? [{ label: versionLabel(v), value: v.dataStats.interactions }] : []));
  charts.push(barChart(sized, { id: "data-interactions", title: "Interactions trained on, per version", height: 240, color: "#76b7b2" }));
  return charts;
}

// Nested parameters (kNN's baseline) by dotted name, as the CLI sets them.
function flatParams(record: Record<string, unknown>, prefix = ""): [string, unknown][] {
  return Object.entries(record).flatMap(([k, value]): [string, unknown][] =>
    value !== null && typeof value === "object" && !Array.isArray(value) ? flatParams(value as Record<string, unknown>, `${prefix}${k}.`) : [[`${prefix}${k}`, value]],
  );
}

function paramValue(value: unknown): string {
  if (Array.isArray(value)) return value.map(paramValue).join(", ");
  return typeof value === "string" ? value : JSON.stringify(value);
}

// A row under the version's own: its training parameters, by name (the
// stored JSON keeps no order of its own); those set for it are marked.
function paramsRow(v: ModelVersionView): Html {
  const given = new Set(flatParams(v.givenParams).map(([k]) => k));
  const entries = flatParams(v.params).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return html`<tr class="params${v.isActive ? " active" : ""}" data-params-of="${v.name}@${v.version}"><td></td><td colspan="10"><span class="label">parameters</span>
  ${entries.length === 0
    ? html`<span class="muted">–</span>`
    : html`<ul class="params">${entries.map(
        ([k, value]) => html`<li data-param="${k}"${given.has(k) ? html` class="given" title="set for this version"` : ""}><span class="name">${k}</span> ${paramValue(value)}</li>`,
      )}</ul>`}</td></tr>`;
}

function versionRow(v: ModelVersionView, canActivate: boolean): Html {
  const fit = typeof v.metrics.fitSeconds === "number" ? (v.metrics.fitSeconds as number).toFixed(3) : "–";
  const evaluation = numericEntries(v.metrics).filter(([k]) => k !== "fitSeconds" && !NOT_CHARTED.has(k));
  const stats = v.dataStats as Record<string, unknown>;
  const count = (k: string) => (typeof stats[k] === "number" ? formatNumber(stats[k] as number) : "–");
  return html`<tr data-model="${v.name}" data-version="${v.version}"${v.isActive ? html` class="active" data-active` : ""}>
  <td>v${v.version}</td>
  <td>${v.isActive ? html`<span class="badge active">active</span>` : html`<span class="badge">${v.status.toLowerCase()}</span>`}</td>
  <td>${v.algorithm}</td>
  <td class="num">${fit}</td>
  <td>${evaluation.length === 0 ? html`<span class="muted">–</span>` : evaluation.map(([k, n]) => html`<div>${k}: ${n.toPrecision(4)}</div>`)}</td>
  <td class="num">${count("users")}</td><td class="num">${count("items")}</td><td class="num">${count("interactions")}</td>
  <td>${formatDate(v.createdAt)}</td>
  <td>${formatDate(v.activatedAt)}</td>
  <td>${v.isActive
    ? ""
    : canActivate
      ? html`<form class="inline" method="post" action="/dashboard/models/activate"><input type="hidden" name="name" value="${v.name}"><input type="hidden" name="version" value="${v.version}"><button class="primary" type="submit" data-activate="${v.name}@${v.version}">Activate</button></form>`
      : html`<span class="muted">admins only</span>`}</td>
</tr>
${paramsRow(v)}`;
}

function modelPanel(m: ModelInfoView, canActivate: boolean): Html {
  return html`<section class="panel" data-model-panel="${m.name}">
  <h2>${m.name} ${m.active ? html`<span class="badge active" data-active-version>serving v${m.active.version}</span>` : html`<span class="badge">not serving</span>`}
    ${m.trainable ? "" : html`<span class="badge">not trainable here</span>`}</h2>
  ${m.versions.length === 0
    ? html`<p class="muted">Not trained yet (npm run train -- --model ${m.name}, or the trainModel mutation).</p>`
    : html`<table>
    <thead><tr><th>Version</th><th>Status</th><th>Algorithm</th><th class="num">Fit (s)</th><th>Evaluation</th><th class="num">Users</th><th class="num">Items</th><th class="num">Interactions</th><th>Trained</th><th>Activated</th><th></th></tr></thead>
    <tbody>${m.versions.map((v) => versionRow(v, canActivate))}</tbody>
  </table>`}
</section>`;
}

export async function modelsBody(db: Database, canActivate: boolean, notice?: Html): Promise<Html> {
  const models = await listModels(db);
  const trained = models.filter((m) => m.versions.length > 0);
  return html`${notice ?? ""}
<div class="grid">${metricCharts(trained).map((c) => html`<section class="panel">${c}</section>`)}</div>
<p class="muted">Parameters in <strong class="given">bold</strong> were set for that version (trainModel's <code>params</code>, <code>npm run train -- --param</code>); the others are the model's defaults.</p>
${trained.map((m) => modelPanel(m, canActivate))}
<section class="panel"><h2>Not trained yet</h2><p class="muted">${models.filter((m) => m.versions.length === 0).map((m) => m.name).join(", ") || "none"}</p></section>`;
}
