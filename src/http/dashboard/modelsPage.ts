// /dashboard/models: every model and its versions (from jobs/modelAdmin's
// listModels, the same use case as the GraphQL models query), which one is
// served, training figures as charts, and an activate button for admins.
import type { Database } from "../../db/Database";
import { blendWeights, type BlendRow } from "../../db/dashboardRepository";
import { listModels, type ModelInfoView, type ModelVersionView } from "../../jobs/modelAdmin";
import { STRATEGY_MODELS } from "../../serving/servingAlgorithms";
import { formatDate, formatNumber, html, type Html } from "./html";
import { barChart } from "./svgCharts";

// Not shown as figures: the seed (a setting) and how many users the holdout ranked.
const NOT_FIGURES = new Set(["seed", "evaluatedUsers"]);
// Not charted either: how long the holdout took (in the table).
const NOT_CHARTED = new Set([...NOT_FIGURES, "evaluationSeconds"]);

// The held-out ranking figures every version carries (serving/holdoutEvaluation.ts).
const RANKING_METRICS = ["ndcg@10", "recall@10", "precision@10", "coverage"] as const;

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

// The challenger gate's decision, under the version's parameters: the
// outcome and the comparison it rests on (jobs/challengerGate.ts).
function challengeRow(v: ModelVersionView): Html {
  const c = v.challenge;
  if (!c) return html``;
  const outcome = c.outcome.toLowerCase();
  return html`<tr class="challenge${v.isActive ? " active" : ""}" data-challenge-of="${v.name}@${v.version}"><td></td><td colspan="10"><span class="label">challenger</span>
  <span class="badge ${outcome}" data-challenge-outcome="${c.outcome}">${outcome}</span> <span data-challenge-reason>${c.reason}</span>
  <span class="muted">${formatDate(c.decidedAt)}</span></td></tr>`;
}

const metric = (v: ModelVersionView, key: string): number | undefined => (typeof v.metrics[key] === "number" ? (v.metrics[key] as number) : undefined);

function blendText(blend: BlendRow): string {
  return blend.components.map((c, i) => `${c} ${Number(blend.weights[i].toPrecision(3))}`).join(" · ");
}

// What a reader needs to make sense of the figures on this database: why a
// hybrid can equal one of its parts, and why a model can rank above the one
// the default HYBRID strategy serves. Each finding is shown only when the
// stored figures and weights say so; the explanation of why content can lead
// is general, and names the demo catalog because that one is built so.
export function modelFindings(models: readonly ModelInfoView[], blends: ReadonlyMap<number, BlendRow>): Html[] {
  const active = models.flatMap((m) => (m.active ? [m.active] : []));
  const findings: Html[] = [];
  for (const v of active) {
    const blend = blends.get(v.id);
    if (!blend) continue;
    const total = blend.weights.reduce((a, b) => a + Math.abs(b), 0);
    const lead = blend.weights.indexOf(Math.max(...blend.weights));
    const alone = total > 0 && blend.weights.every((w, i) => i === lead || w === 0);
    const twin = active.find((o) => o !== v && o.algorithm === blend.components[lead]);
    const same = twin !== undefined && RANKING_METRICS.every((k) => metric(v, k) !== undefined && metric(v, k) === metric(twin, k));
    if (alone && same) {
      findings.push(html`<li data-finding="blend-equals-part"><strong>${v.name} v${v.version}</strong> has exactly the held-out figures of <strong>${twin.name} v${twin.version}</strong>: its blend weights are ${blendText(blend)}, all on ${blend.components[lead]}, so it ranks as ${blend.components[lead]} alone. The weights are chosen on a validation split inside the training data to maximise nDCG@10; on this data that was highest without ${blend.components.filter((_, i) => i !== lead).join(", ")}, so the blend gave ${blend.components.length > 2 ? "them" : "it"} no weight.</li>`);
    } else {
      findings.push(html`<li data-finding="blend-weights"><strong>${v.name} v${v.version}</strong> blends ${blend.components.join(" and ")} with the weights ${blendText(blend)} (fitted on a validation split inside the training data to maximise nDCG@10; the reasons it gives come from ${blend.components[lead]}).</li>`);
    }
  }
  const servesHybrid = STRATEGY_MODELS.HYBRID.map((name) => active.find((v) => v.name === name)).find((v) => v !== undefined);
  const ranked = active.filter((v) => metric(v, "ndcg@10") !== undefined).sort((a, b) => metric(b, "ndcg@10")! - metric(a, "ndcg@10")!);
  const served = servesHybrid === undefined ? undefined : metric(servesHybrid, "ndcg@10");
  const above = servesHybrid === undefined || served === undefined ? [] : ranked.filter((v) => metric(v, "ndcg@10")! > served);
  if (servesHybrid && served !== undefined && above.length > 0) {
    findings.push(html`<li data-finding="above-served"><strong>${above.map((v) => `${v.name} (${metric(v, "ndcg@10")!.toFixed(3)})`).join(", ")}</strong> ${above.length > 1 ? "rank" : "ranks"} above <strong>${servesHybrid.name} v${servesHybrid.version}</strong> (${served.toFixed(3)}) on held-out nDCG@10, yet ${servesHybrid.name} serves the default HYBRID strategy: HYBRID is served by the first trained of ${STRATEGY_MODELS.HYBRID.join(", ")}, not chosen by these figures. A client can ask for another strategy per request (<code>strategy: ${above[0].name === "content" ? "CONTENT" : "…"}</code>).</li>`);
    if (above.some((v) => v.name === "content")) {
      findings.push(html`<li data-finding="content-leads">Why content can lead: it ranks items by how well their features (genre, director, cast, artist, platform…) match what the user interacted with, so it wins where people choose by those features. The built-in demo catalog is made that way (src/demo/demoCatalog.ts): each user has one to three (kind, genre) tastes and picks matching items far more often, and directors, cast and artists go with genres. On the demo content is therefore expected to lead, while the collaborative models must infer the same tastes from the interactions alone (about 70 per user).</li>`);
    }
  }
  return findings;
}

function readingPanel(models: readonly ModelInfoView[], blends: ReadonlyMap<number, BlendRow>): Html {
  const findings = modelFindings(models, blends);
  return html`<section class="panel" data-reading>
  <h2>Reading these figures</h2>
  <p>Each version is also fitted again on 80% of every user's interactions (a seeded split of its training data) and asked for each user's top 10, leaving out what the user already has; the other 20% are the items a good model puts there. The version served is fitted on everything. All versions are measured the same way on this database, so compare them with each other; 1 is the best value of each figure.</p>
  <dl class="glossary">
    <dt>ndcg@10</dt><dd>how near the top of the 10 the held-out items are (a hit at rank 1 counts most)</dd>
    <dt>recall@10</dt><dd>share of a user's held-out items that made the 10</dd>
    <dt>precision@10</dt><dd>share of the 10 that are held-out items</dd>
    <dt>coverage</dt><dd>share of the catalog that appears in at least one user's 10</dd>
  </dl>
  ${findings.length > 0 ? html`<ul class="findings">${findings}</ul>` : ""}
</section>`;
}

function versionRow(v: ModelVersionView, canActivate: boolean, blend?: BlendRow): Html {
  const fit = typeof v.metrics.fitSeconds === "number" ? (v.metrics.fitSeconds as number).toFixed(3) : "–";
  const evaluation = numericEntries(v.metrics).filter(([k]) => k !== "fitSeconds" && !NOT_FIGURES.has(k));
  const stats = v.dataStats as Record<string, unknown>;
  const count = (k: string) => (typeof stats[k] === "number" ? formatNumber(stats[k] as number) : "–");
  return html`<tr data-model="${v.name}" data-version="${v.version}"${v.isActive ? html` class="active" data-active` : ""}>
  <td>v${v.version}</td>
  <td>${v.isActive ? html`<span class="badge active">active</span>` : html`<span class="badge">${v.status.toLowerCase()}</span>`}</td>
  <td>${v.algorithm}${blend ? html`<div class="muted" data-blend>blend: ${blendText(blend)}</div>` : ""}</td>
  <td class="num">${fit}</td>
  <td class="evaluation">${evaluation.length === 0 ? html`<span class="muted">–</span>` : evaluation.map(([k, n]) => html`<div>${k}: ${n.toPrecision(4)}</div>`)}</td>
  <td class="num">${count("users")}</td><td class="num">${count("items")}</td><td class="num">${count("interactions")}</td>
  <td>${formatDate(v.createdAt)}</td>
  <td>${formatDate(v.activatedAt)}</td>
  <td>${v.isActive
    ? ""
    : canActivate
      ? html`<form class="inline" method="post" action="/dashboard/models/activate"><input type="hidden" name="name" value="${v.name}"><input type="hidden" name="version" value="${v.version}"><button class="primary" type="submit" data-activate="${v.name}@${v.version}">Activate</button></form>`
      : html`<span class="muted">admins only</span>`}</td>
</tr>
${paramsRow(v)}${challengeRow(v)}`;
}

function modelPanel(m: ModelInfoView, canActivate: boolean, blends: ReadonlyMap<number, BlendRow>): Html {
  return html`<section class="panel" data-model-panel="${m.name}">
  <h2>${m.name} ${m.active ? html`<span class="badge active" data-active-version>serving v${m.active.version}</span>` : html`<span class="badge">not serving</span>`}
    ${m.trainable ? "" : html`<span class="badge">not trainable here</span>`}</h2>
  ${m.versions.length === 0
    ? html`<p class="muted">Not trained yet (npm run train -- --model ${m.name}, or the trainModel mutation).</p>`
    : html`<table>
    <thead><tr><th>Version</th><th>Status</th><th>Algorithm</th><th class="num">Fit (s)</th><th>Evaluation</th><th class="num">Users</th><th class="num">Items</th><th class="num">Interactions</th><th>Trained</th><th>Activated</th><th></th></tr></thead>
    <tbody>${m.versions.map((v) => versionRow(v, canActivate, blends.get(v.id)))}</tbody>
  </table>`}
</section>`;
}

export async function modelsBody(db: Database, canActivate: boolean, notice?: Html): Promise<Html> {
  const [models, blendRows] = await Promise.all([listModels(db), blendWeights(db)]);
  const blends = new Map(blendRows.map((b) => [b.modelVersionId, b]));
  const trained = models.filter((m) => m.versions.length > 0);
  return html`${notice ?? ""}
${trained.length > 0 ? readingPanel(trained, blends) : ""}
<div class="grid charts">${metricCharts(trained).map((c) => html`<section class="panel">${c}</section>`)}</div>
<p class="muted">Parameters in <strong class="given">bold</strong> were set for that version (trainModel's <code>params</code>, <code>npm run train -- --param</code>); the others are the model's defaults.</p>
${trained.map((m) => modelPanel(m, canActivate, blends))}
<section class="panel"><h2>Not trained yet</h2><p class="muted">${models.filter((m) => m.versions.length === 0).map((m) => m.name).join(", ") || "none"}</p></section>`;
}
