// Hand-written SVG charts of evaluation results (no dependencies):
//   model-comparison.svg  nDCG@10 and RMSE per model, one bar per protocol
//   ndcg-curve.svg        nDCG@K for K = 1..20, one line per model and protocol
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { EvaluationResult } from "./runner";

const PALETTE = ["#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"];

export interface Series {
  readonly name: string;
  readonly values: readonly (number | undefined)[];
}

export function writeCharts(results: readonly EvaluationResult[], dir: string): string[] {
  const files: string[] = [];
  const comparison = modelComparisonSvg(results);
  if (comparison) {
    writeFileSync(join(dir, "model-comparison.svg"), comparison);
    files.push("model-comparison.svg");
  }
  const curve = ndcgCurveSvg(results);
  if (curve) {
    writeFileSync(join(dir, "ndcg-curve.svg"), curve);
    files.push("ndcg-curve.svg");
  }
  return files;
}

export function modelComparisonSvg(results: readonly EvaluationResult[]): string | undefined {
  const models = unique(results.map((r) => r.model));
  const panel = (metric: "ndcg@10" | "rmse") => {
    const protocols = unique(results.filter((r) => r.metrics[metric] !== undefined).map((r) => r.protocol));
    return protocols.map((p) => ({
      name: p,
      values: models.map((m) => results.find((r) => r.model === m && r.protocol === p)?.metrics[metric]),
    }));
  };
  const ndcg = panel("ndcg@10");
  const rmse = panel("rmse");
  if (ndcg.length === 0 && rmse.length === 0) return undefined;
  const width = 480;
  const height = 340;
  const panels = [
    ndcg.length ? barPanel(0, 0, width, height, "nDCG@10 (higher is better)", models, ndcg) : "",
    rmse.length ? barPanel(ndcg.length ? width : 0, 0, width, height, "RMSE (lower is better)", models, rmse) : "",
  ];
  const total = (ndcg.length && rmse.length ? 2 : 1) * width;
  return svg(total, height, panels.join(""));
}

export function ndcgCurveSvg(results: readonly EvaluationResult[]): string | undefined {
  const withCurve = results.filter((r) => r.ndcgCurve && r.ndcgCurve.length > 0);
  if (withCurve.length === 0) return undefined;
  const series = withCurve.map((r) => ({ name: `${r.model} (${r.protocol})`, values: r.ndcgCurve! }));
  return svg(640, 400, linePanel(0, 0, 640, 400, "nDCG@K by cutoff K", series));
}

export function barPanel(x0: number, y0: number, w: number, h: number, title: string, categories: readonly string[], series: readonly Series[]): string {
  const m = { left: 50, right: 10, top: 30, bottom: 80 };
  const plotW = w - m.left - m.right;
  const plotH = h - m.top - m.bottom;
  const max = niceMax(Math.max(0, ...series.flatMap((s) => s.values.filter(isNumber))));
  const groupW = plotW / Math.max(1, categories.length);
  const barW = (groupW * 0.8) / Math.max(1, series.length);
  const parts: string[] = [text(x0 + w / 2, y0 + 18, title, "middle", 14, "bold")];
  parts.push(...axis(x0 + m.left, y0 + m.top, plotW, plotH, max));
  categories.forEach((c, ci) => {
    const gx = x0 + m.left + ci * groupW + groupW * 0.1;
    series.forEach((s, si) => {
      const v = s.values[ci];
      if (!isNumber(v)) return;
      const bh = (v / max) * plotH;
      const bx = gx + si * barW;
      parts.push(`<rect x="${f(bx)}" y="${f(y0 + m.top + plotH - bh)}" width="${f(barW * 0.92)}" height="${f(bh)}" fill="${PALETTE[si % PALETTE.length]}"><title>${esc(`${c} ${s.name}: ${v.toFixed(4)}`)}</title></rect>`);
    });
    const lx = x0 + m.left + ci * groupW + groupW / 2;
    const ly = y0 + m.top + plotH + 12;
    parts.push(`<text x="${f(lx)}" y="${f(ly)}" font-size="11" text-anchor="end" transform="rotate(-35 ${f(lx)} ${f(ly)})">${esc(c)}</text>`);
  });
  parts.push(...legend(x0 + m.left, y0 + h - 18, series.map((s) => s.name)));
  return parts.join("\n");
}

export function linePanel(x0: number, y0: number, w: number, h: number, title: string, series: readonly Series[]): string {
  const m = { left: 50, right: 170, top: 30, bottom: 40 };
  const plotW = w - m.left - m.right;
  const plotH = h - m.top - m.bottom;
  const n = Math.max(...series.map((s) => s.values.length));
  const max = niceMax(Math.max(0, ...series.flatMap((s) => s.values.filter(isNumber))));
  const px = (i: number) => x0 + m.left + (n <= 1 ? 0 : (i / (n - 1)) * plotW);
  const py = (v: number) => y0 + m.top + plotH - (v / max) * plotH;
  const parts: string[] = [text(x0 + (w - m.right + m.left) / 2, y0 + 18, title, "middle", 14, "bold")];
  parts.push(...axis(x0 + m.left, y0 + m.top, plotW, plotH, max));
  for (let i = 0; i < n; i++) {
    if (i === 0 || (i + 1) % 5 === 0) parts.push(text(px(i), y0 + m.top + plotH + 16, String(i + 1), "middle", 11));
  }
  parts.push(text(x0 + m.left + plotW / 2, y0 + h - 6, "K", "middle", 12));
  series.forEach((s, si) => {
    const color = PALETTE[si % PALETTE.length];
    const points = s.values.map((v, i) => (isNumber(v) ? `${f(px(i))},${f(py(v))}` : "")).filter((p) => p !== "");
    parts.push(`<polyline fill="none" stroke="${color}" stroke-width="2" points="${points.join(" ")}"><title>${esc(s.name)}</title></polyline>`);
    const ly = y0 + m.top + 10 + si * 16;
    parts.push(`<rect x="${f(x0 + w - m.right + 10)}" y="${f(ly - 9)}" width="10" height="10" fill="${color}"/>`);
    parts.push(text(x0 + w - m.right + 24, ly, s.name, "start", 11));
  });
  return parts.join("\n");
}

function axis(x: number, y: number, w: number, h: number, max: number): string[] {
  const parts = [`<line x1="${f(x)}" y1="${f(y + h)}" x2="${f(x + w)}" y2="${f(y + h)}" stroke="#333"/>`, `<line x1="${f(x)}" y1="${f(y)}" x2="${f(x)}" y2="${f(y + h)}" stroke="#333"/>`];
  for (let t = 0; t <= 4; t++) {
    const v = (max * t) / 4;
    const ty = y + h - (h * t) / 4;
    parts.push(`<line x1="${f(x)}" y1="${f(ty)}" x2="${f(x + w)}" y2="${f(ty)}" stroke="#ddd"/>`);
    parts.push(text(x - 6, ty + 4, v.toFixed(max < 1 ? 2 : 1), "end", 10));
  }
  return parts;
}

function legend(x: number, y: number, names: readonly string[]): string[] {
  let cx = x;
  return names.flatMap((name, i) => {
    const parts = [`<rect x="${f(cx)}" y="${f(y - 9)}" width="10" height="10" fill="${PALETTE[i % PALETTE.length]}"/>`, text(cx + 14, y, name, "start", 11)];
    cx += 24 + name.length * 6.5;
    return parts;
  });
}

function svg(w: number, h: number, body: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" font-family="system-ui, sans-serif">
<rect width="100%" height="100%" fill="#fff"/>
${body}
</svg>
`;
}

function text(x: number, y: number, s: string, anchor: "start" | "middle" | "end", size: number, weight = "normal"): string {
  return `<text x="${f(x)}" y="${f(y)}" font-size="${size}" font-weight="${weight}" text-anchor="${anchor}">${esc(s)}</text>`;
}

// The smallest 1/2/2.5/5 x 10^n at or above the largest value.
function niceMax(v: number): number {
  if (v <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const step of [1, 2, 2.5, 5, 10]) if (step * p >= v) return step * p;
  return 10 * p;
}

const isNumber = (v: number | undefined): v is number => typeof v === "number" && Number.isFinite(v);
const f = (v: number) => (Math.round(v * 10) / 10).toString();
const unique = <T>(xs: readonly T[]): T[] => [...new Set(xs)];
const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
