// Small inline SVG charts drawn on the server: no script, no external asset,
// so they show under the dashboard's strict Content-Security-Policy and in a
// page saved to disk. Every label goes through escapeHtml.
import { escapeHtml, trusted, type Html } from "./html";

export interface ChartPoint {
  label: string;
  value: number;
}

export interface ChartOptions {
  // Names the chart for tests and styles (data-chart="...").
  id: string;
  title: string;
  width?: number;
  height?: number;
  // How a value is shown in tooltips and on the axis.
  format?: (value: number) => string;
  color?: string;
}

// Sizes are in the SVG's own units. Charts are drawn at about the width they
// are shown at on a 1280-pixel-wide window (DEFAULT_WIDTH for a half-width
// panel, the width passed in otherwise), so these text sizes are close to
// CSS pixels: 12 for ticks, 14 for titles (svg.chart styles in assets.ts).
export const DEFAULT_WIDTH = 540;
const MARGIN = { left: 64, right: 16, top: 30, bottom: 64 };
// Rough advance of one tick character at 12 units (for spacing labels).
const TICK_CHAR = 7;

const f = (v: number) => (Math.round(v * 10) / 10).toString();
const defaultFormat = (v: number) => (Math.abs(v) >= 100 || Number.isInteger(v) ? Math.round(v).toLocaleString("en-US") : v.toPrecision(3));

// The value axis: a step of 1, 2 or 5 x 10^n giving about five intervals, and
// the first multiple of it at or above the largest value (1 when all are 0).
export function niceScale(largest: number): { max: number; step: number } {
  if (!(largest > 0)) return { max: 1, step: 0.2 };
  const raw = largest / 5;
  const p = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * p).find((s) => s >= raw * (1 - 1e-9))!;
  return { max: Math.ceil(largest / step - 1e-9) * step, step };
}

// Tick labels with as many decimals as the step needs: distinct, exact
// multiples of the step (0, 0.005, 0.010, ... rather than 0.0, 0.0, 0.0).
export function tickLabels(max: number, step: number): string[] {
  const decimals = Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
  const n = Math.round(max / step);
  return Array.from({ length: n + 1 }, (_, t) => (t * step).toLocaleString("en-US", { minimumFractionDigits: decimals, maximumFractionDigits: decimals }));
}

function frame(options: ChartOptions, kind: "bar" | "line", count: number, body: string[]): Html {
  const w = options.width ?? DEFAULT_WIDTH;
  const h = options.height ?? 260;
  return trusted(
    `<svg class="chart" data-chart="${escapeHtml(options.id)}" data-kind="${kind}" data-count="${count}" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${w} ${h}" role="img" aria-label="${escapeHtml(options.title)}">` +
      `<title>${escapeHtml(options.title)}</title>` +
      `<text class="chart-title" x="${f(w / 2)}" y="19" text-anchor="middle">${escapeHtml(options.title)}</text>` +
      body.join("") +
      `</svg>`,
  );
}

function axis(w: number, h: number, scale: { max: number; step: number }): string[] {
  const plotW = w - MARGIN.left - MARGIN.right;
  const plotH = h - MARGIN.top - MARGIN.bottom;
  const parts: string[] = [];
  const labels = tickLabels(scale.max, scale.step);
  labels.forEach((label, t) => {
    const y = MARGIN.top + plotH - (plotH * t) / (labels.length - 1);
    parts.push(`<line class="grid" x1="${MARGIN.left}" y1="${f(y)}" x2="${f(MARGIN.left + plotW)}" y2="${f(y)}"/>`);
    parts.push(`<text class="tick" x="${MARGIN.left - 8}" y="${f(y + 4)}" text-anchor="end">${escapeHtml(label)}</text>`);
  });
  parts.push(`<line class="axis" x1="${MARGIN.left}" y1="${f(MARGIN.top + plotH)}" x2="${f(MARGIN.left + plotW)}" y2="${f(MARGIN.top + plotH)}"/>`);
  return parts;
}

// Which of n evenly spaced labels to show so that they do not overlap: every
// `step`-th, and the last one only when it has room beside the one before.
export function labelIndices(n: number, step: number): number[] {
  const shown: number[] = [];
  for (let i = 0; i < n; i += step) shown.push(i);
  if (shown[shown.length - 1] !== n - 1) {
    if (n - 1 - shown[shown.length - 1] < step / 2 + 0.5 && shown.length > 1) shown.pop();
    shown.push(n - 1);
  }
  return shown;
}

// Labels under the x axis: as many as fit (by their length), evenly spaced,
// rotated when they are long.
function xLabels(points: readonly ChartPoint[], x: (i: number) => number, y: number, plotW: number): string[] {
  const longest = Math.max(...points.map((p) => p.label.length));
  const rotate = longest > 6;
  // Rotated by 30 degrees a label needs about half its length across; level, all of it.
  const room = (rotate ? longest * TICK_CHAR * 0.55 + 10 : longest * TICK_CHAR + 12);
  const slot = points.length > 1 ? plotW / (points.length - 1) : plotW;
  const step = Math.max(1, Math.ceil(room / slot));
  return labelIndices(points.length, step).map((i) => {
    const transform = rotate ? ` transform="rotate(-30 ${f(x(i))} ${f(y)})"` : "";
    return `<text class="tick" x="${f(x(i))}" y="${f(y)}" text-anchor="${rotate ? "end" : "middle"}"${transform}>${escapeHtml(points[i].label)}</text>`;
  });
}

export function emptyChart(options: ChartOptions, message: string): Html {
  const w = options.width ?? DEFAULT_WIDTH;
  const h = options.height ?? 260;
  return frame(options, "bar", 0, [`<text class="empty" x="${f(w / 2)}" y="${f(h / 2)}" text-anchor="middle">${escapeHtml(message)}</text>`]);
}

// Size, value format, plot area and the axis maximum shared by the charts.
function geometry(points: readonly { value: number }[], options: ChartOptions) {
  const w = options.width ?? DEFAULT_WIDTH;
  const h = options.height ?? 260;
  let largest = 0;
  for (const p of points) if (p.value > largest) largest = p.value;
  const scale = niceScale(largest);
  return {
    w,
    h,
    format: options.format ?? defaultFormat,
    plotW: w - MARGIN.left - MARGIN.right,
    plotH: h - MARGIN.top - MARGIN.bottom,
    scale,
    max: scale.max,
  };
}

export function barChart(points: readonly ChartPoint[], options: ChartOptions): Html {
  if (points.length === 0) return emptyChart(options, "no data yet");
  const { w, h, format, plotW, plotH, max, scale } = geometry(points, options);
  const slot = plotW / points.length;
  const barW = Math.max(1, slot * 0.75);
  const x = (i: number) => MARGIN.left + slot * i + slot / 2;
  const body = axis(w, h, scale);
  points.forEach((p, i) => {
    const bh = (Math.max(0, p.value) / max) * plotH;
    body.push(
      `<rect class="bar" fill="${options.color ?? "#4e79a7"}" x="${f(x(i) - barW / 2)}" y="${f(MARGIN.top + plotH - bh)}" width="${f(barW)}" height="${f(Math.max(bh, 0.5))}">` +
        `<title>${escapeHtml(`${p.label}: ${format(p.value)}`)}</title></rect>`,
    );
  });
  body.push(...xLabels(points, x, MARGIN.top + plotH + 18, plotW - slot));
  return frame(options, "bar", points.length, body);
}

export function lineChart(points: readonly ChartPoint[], options: ChartOptions): Html {
  if (points.length === 0) return emptyChart(options, "no data yet");
  const { w, h, format, plotW, plotH, max, scale } = geometry(points, options);
  const x = (i: number) => MARGIN.left + (points.length === 1 ? plotW / 2 : (plotW * i) / (points.length - 1));
  const y = (v: number) => MARGIN.top + plotH - (Math.max(0, v) / max) * plotH;
  const body = axis(w, h, scale);
  const color = options.color ?? "#e15759";
  const line = points.map((p, i) => `${f(x(i))},${f(y(p.value))}`).join(" ");
  body.push(`<polygon class="area" fill="${color}" fill-opacity="0.12" points="${f(x(0))},${f(MARGIN.top + plotH)} ${line} ${f(x(points.length - 1))},${f(MARGIN.top + plotH)}"/>`);
  body.push(`<polyline class="line" fill="none" stroke="${color}" stroke-width="2" points="${line}"/>`);
  points.forEach((p, i) => {
    body.push(`<circle class="point" fill="${color}" cx="${f(x(i))}" cy="${f(y(p.value))}" r="2.5"><title>${escapeHtml(`${p.label}: ${format(p.value)}`)}</title></circle>`);
  });
  body.push(...xLabels(points, x, MARGIN.top + plotH + 18, plotW));
  return frame(options, "line", points.length, body);
}

export interface TimePoint {
  atMs: number;
  value: number;
}

// Steps between time labels, seconds.
const TIME_STEPS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600];

// A line over real time: points placed by their time (samples need not be
// evenly spaced), labels at round times (every 10 s, 30 s, ...) in UTC, as
// many as fit, so no label repeats.
export function timeChart(points: readonly TimePoint[], options: ChartOptions): Html {
  if (points.length === 0) return emptyChart(options, "no data yet");
  const { w, h, format, plotW, plotH, max, scale } = geometry(points, options);
  const t0 = points[0].atMs;
  const span = Math.max(1000, points[points.length - 1].atMs - t0);
  const x = (atMs: number) => MARGIN.left + (plotW * (atMs - t0)) / span;
  const y = (v: number) => MARGIN.top + plotH - (Math.max(0, v) / max) * plotH;
  const clock = (ms: number) => new Date(ms).toISOString().slice(11, 19);
  const body = axis(w, h, scale);
  const color = options.color ?? "#e15759";
  const line = points.map((p) => `${f(x(p.atMs))},${f(y(p.value))}`).join(" ");
  body.push(`<polygon class="area" fill="${color}" fill-opacity="0.12" points="${f(x(t0))},${f(MARGIN.top + plotH)} ${line} ${f(x(points[points.length - 1].atMs))},${f(MARGIN.top + plotH)}"/>`);
  body.push(`<polyline class="line" fill="none" stroke="${color}" stroke-width="2" points="${line}"/>`);
  for (const p of points) {
    body.push(`<circle class="point" fill="${color}" cx="${f(x(p.atMs))}" cy="${f(y(p.value))}" r="2.5"><title>${escapeHtml(`${clock(p.atMs)} UTC: ${format(p.value)}`)}</title></circle>`);
  }
  // "HH:MM:SS" level: eight characters and a gap.
  const fit = Math.max(1, Math.floor(plotW / (8 * TICK_CHAR + 24)));
  const stepS = TIME_STEPS.find((s) => span / (s * 1000) <= fit) ?? Math.ceil(span / fit / 3_600_000) * 3600;
  const first = Math.ceil(t0 / (stepS * 1000)) * stepS * 1000;
  const half = (8 * TICK_CHAR) / 2;
  for (let t = first; t <= t0 + span; t += stepS * 1000) {
    body.push(`<line class="axis" x1="${f(x(t))}" y1="${f(MARGIN.top + plotH)}" x2="${f(x(t))}" y2="${f(MARGIN.top + plotH + 4)}"/>`);
    // A label that would run past the chart's edge is left out (its tick stays).
    if (x(t) + half > w) continue;
    body.push(`<text class="tick" x="${f(x(t))}" y="${f(MARGIN.top + plotH + 18)}" text-anchor="middle">${clock(t)}</text>`);
  }
  return frame(options, "line", points.length, body);
}
