// The dashboard's only assets: one stylesheet and one small script (the live
// page's poller), served from /dashboard/assets/ so the pages can forbid
// inline script and style altogether.
export const ASSET_PATH = "/dashboard/assets";

export const DASHBOARD_CSS = `
:root { color-scheme: light; --fg: #1f2430; --muted: #667085; --line: #e4e7ec; --accent: #3b5bdb; --bg: #f6f7fb; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: var(--bg); }
header { display: flex; align-items: center; gap: 24px; padding: 10px 24px; background: #1f2430; color: #fff; }
header .brand { font-weight: 700; font-size: 16px; letter-spacing: .02em; }
header nav { display: flex; gap: 4px; flex: 1; }
header nav a { color: #cfd6e4; text-decoration: none; padding: 6px 12px; border-radius: 6px; }
header nav a:hover { background: #2c3345; color: #fff; }
header nav a[aria-current="page"] { background: var(--accent); color: #fff; }
header .who { color: #cfd6e4; display: flex; gap: 8px; align-items: center; }
header .who button { background: transparent; color: #cfd6e4; border: 1px solid #4a5268; border-radius: 6px; padding: 3px 10px; cursor: pointer; }
main { max-width: 1200px; margin: 0 auto; padding: 20px 24px 48px; }
h1 { font-size: 22px; margin: 4px 0 16px; }
h2 { font-size: 16px; margin: 0 0 10px; }
.grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(360px, 1fr)); gap: 16px; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(160px, 1fr)); gap: 12px; margin-bottom: 16px; }
.card, section.panel { background: #fff; border: 1px solid var(--line); border-radius: 10px; padding: 14px 16px; }
section.panel { margin-bottom: 16px; }
.card .label { color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: .04em; }
.card .value { font-size: 26px; font-weight: 650; margin-top: 2px; }
.card .hint { color: var(--muted); font-size: 12px; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 6px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { color: var(--muted); font-weight: 600; font-size: 12px; text-transform: uppercase; letter-spacing: .03em; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.active td { background: #eef6ee; }
.badge { display: inline-block; padding: 1px 8px; border-radius: 999px; font-size: 12px; background: #e4e7ec; color: var(--fg); }
.badge.active { background: #2f9e44; color: #fff; }
.badge.kind { background: #e7ecff; color: #3b5bdb; }
.badge.fallback { background: #fff3bf; color: #8a5a00; }
.badge.promoted { background: #d3f9d8; color: #2b8a3e; }
.badge.refused { background: #ffe3e3; color: #c92a2a; }
.muted { color: var(--muted); }
.notice { padding: 10px 14px; border-radius: 8px; margin-bottom: 16px; background: #e7f5ff; border: 1px solid #a5d8ff; }
.notice.error { background: #fff5f5; border-color: #ffc9c9; }
.notice.warning { background: #fff9db; border-color: #ffe066; }
form.inline { display: inline; }
button, input, select { font: inherit; }
button.primary { background: var(--accent); color: #fff; border: 0; border-radius: 6px; padding: 5px 12px; cursor: pointer; }
input[type=text], input[type=password], select { padding: 5px 8px; border: 1px solid #c9ced8; border-radius: 6px; }
.tabs { display: flex; flex-wrap: wrap; gap: 6px; margin: 4px 0 12px; }
.tabs a { padding: 4px 10px; border-radius: 999px; border: 1px solid var(--line); text-decoration: none; color: var(--fg); background: #fff; font-size: 13px; }
.tabs a[aria-current="true"] { background: var(--accent); border-color: var(--accent); color: #fff; }
ul.reasons { margin: 0; padding-left: 18px; color: #3f4756; }
tr:has(+ tr.params) td { border-bottom: 0; }
tr.params td { padding-top: 0; }
tr:has(+ tr.challenge) td { border-bottom: 0; }
tr.challenge td { padding-top: 0; font-size: 13px; }
tr.challenge .label { color: var(--muted); font-size: 12px; margin-right: 8px; }
tr.params .label { color: var(--muted); font-size: 12px; margin-right: 8px; }
ul.params { display: inline; list-style: none; margin: 0; padding: 0; font: 12px/1.6 ui-monospace, SFMono-Regular, Menlo, monospace; color: #3f4756; }
ul.params li { display: inline-block; margin-right: 16px; }
ul.params .name { color: var(--muted); }
ul.params li.given, ul.params li.given .name, strong.given { color: var(--accent); font-weight: 700; }
ul.reasons li + li { margin-top: 2px; }
.strength { white-space: nowrap; color: var(--muted); font-variant-numeric: tabular-nums; }
svg.share { vertical-align: middle; }
svg.share .track { fill: #e4e7ec; }
svg.share .fill { fill: var(--accent); }
svg.chart { width: 100%; height: auto; display: block; }
svg.chart .chart-title { font-size: 14px; font-weight: 600; fill: var(--fg); }
svg.chart .tick { font-size: 12px; fill: #475467; }
svg.chart .grid { stroke: #eef0f4; }
svg.chart .axis { stroke: #98a2b3; }
svg.chart .empty { font-size: 14px; fill: var(--muted); }
.grid.charts { grid-template-columns: repeat(auto-fit, minmax(480px, 1fr)); }
.login { max-width: 380px; margin: 64px auto; }
dl.glossary { display: grid; grid-template-columns: max-content 1fr; gap: 2px 12px; margin: 8px 0; }
dl.glossary dt { font-weight: 600; }
dl.glossary dd { margin: 0; color: #3f4756; }
ul.findings { margin: 10px 0 0; padding-left: 18px; }
td.evaluation div { white-space: nowrap; font-variant-numeric: tabular-nums; }
ul.findings li + li { margin-top: 6px; }
.grid.explorer-columns { grid-template-columns: minmax(320px, 2fr) minmax(480px, 3fr); }
@media (max-width: 900px) { .grid.explorer-columns { grid-template-columns: 1fr; } }
.login input { width: 100%; margin: 8px 0 12px; }
`;

// Polls /dashboard/live.json and updates the figures in place; the page is
// complete without it (server-rendered), this only keeps it current.
export const LIVE_JS = `
"use strict";
(function () {
  var root = document.querySelector("[data-live]");
  if (!root) return;
  var every = Number(root.getAttribute("data-live")) || 2000;
  function set(name, text) {
    var el = document.querySelector('[data-figure="' + name + '"]');
    if (el) el.textContent = text;
  }
  function tick() {
    fetch("/dashboard/live.json", { credentials: "same-origin", cache: "no-store" })
      .then(function (r) { if (!r.ok) throw new Error("HTTP " + r.status); return r.json(); })
      .then(function (live) {
        Object.keys(live.text).forEach(function (k) { set(k, live.text[k]); });
        var body = document.querySelector("[data-errors]");
        if (body) {
          body.textContent = "";
          live.errors.forEach(function (e) {
            var tr = document.createElement("tr");
            [e.code, String(e.window), String(e.total)].forEach(function (v, i) {
              var td = document.createElement("td");
              td.textContent = v;
              if (i > 0) td.className = "num";
              tr.appendChild(td);
            });
            body.appendChild(tr);
          });
        }
        var fallbacks = document.querySelector("[data-fallbacks]");
        if (fallbacks && live.fallbacks) {
          fallbacks.textContent = "";
          live.fallbacks.forEach(function (f) {
            var tr = document.createElement("tr");
            [f.requested, f.served, f.surface, String(f.window), String(f.total)].forEach(function (v, i) {
              var td = document.createElement("td");
              td.textContent = v;
              if (i > 2) td.className = "num";
              tr.appendChild(td);
            });
            fallbacks.appendChild(tr);
          });
        }
        var chart = document.querySelector("[data-live-chart]");
        if (chart && live.chart) {
          var doc = new DOMParser().parseFromString(live.chart, "image/svg+xml");
          chart.replaceChildren(document.importNode(doc.documentElement, true));
        }
        root.setAttribute("data-updated", String(live.sampledAt));
      })
      .catch(function (e) { set("status", "not updating: " + e.message); })
      .finally(function () { setTimeout(tick, every); });
  }
  setTimeout(tick, every);
})();
`;
