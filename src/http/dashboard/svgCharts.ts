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

const MARGIN = { left: 56, right: 12, top: 28, bottom: 56 };

const f = (v: number) => (Math.round(v * 10) / 10).toString();
const defaultFormat = (v: number) => (Math.abs(v) >= 100 || Number.isInteger(v) ? Math.round(v).toLocaleString("en-US") : v.toPrecision(3));

// The smallest 1/2/2.5/5 x 10^n at or above the largest value.
export function niceMax(v: number): number {
  if (!(v > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const step of [1, 2, 2.5, 5, 10]) if (step * p >= v) return step * p;
  return 10 * p;
}

function frame(options: ChartOptions, kind: "bar" | "line", count: number, body: string[]): Html {
  const w = options.width ?? 640;
  const h = options.height ?? 260;
  return trusted(
    `<svg class="chart" data-chart="${escapeHtml(options.id)}" data-kind="${kind}" data-count="${count}" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${w} ${h}" role="img" aria-label="${escapeHtml(options.title)}">` +
      `<title>${escapeHtml(options.title)}</title>` +
      `<text class="chart-title" x="${f(w / 2)}" y="18" text-anchor="middle">${escapeHtml(options.title)}</text>` +
      body.join("") +
      `</svg>`,
  );
}

function axis(w: number, h: number, max: number, format: (v: number) => string): string[] {
  const plotW = w - MARGIN.left - MARGIN.right;
  const plotH = h - MARGIN.top - MARGIN.bottom;
  const parts: string[] = [];
  for (let t = 0; t <= 4; t++) {
    const y = MARGIN.top + plotH - (plotH * t) / 4;
    parts.push(`<line class="grid" x1="${MARGIN.left}" y1="${f(y)}" x2="${f(MARGIN.left + plotW)}" y2="${f(y)}"/>`);
    parts.push(`<text class="tick" x="${MARGIN.left - 6}" y="${f(y + 4)}" text-anchor="end">${escapeHtml(format((max * t) / 4))}</text>`);
  }
  parts.push(`<line class="axis" x1="${MARGIN.left}" y1="${f(MARGIN.top + plotH)}" x2="${f(MARGIN.left + plotW)}" y2="${f(MARGIN.top + plotH)}"/>`);
  return parts;
}

// Labels under the x axis: all of them when few, otherwise about `max` evenly spaced.
function xLabels(points: readonly ChartPoint[], x: (i: number) => number, y: number, max: number, rotate: boolean): string[] {
  const step = Math.max(1, Math.ceil(points.length / max));
  return points.flatMap((p, i) => {
    if (i % step !== 0 && i !== points.length - 1) return [];
    const transform = rotate ? ` transform="rotate(-30 ${f(x(i))} ${f(y)})"` : "";
    return [`<text class="tick" x="${f(x(i))}" y="${f(y)}" text-anchor="${rotate ? "end" : "middle"}"${transform}>${escapeHtml(p.label)}</text>`];
  });
}

export function emptyChart(options: ChartOptions, message: string): Html {
  const w = options.width ?? 640;
  const h = options.height ?? 260;
  return frame(options, "bar", 0, [`<text class="empty" x="${f(w / 2)}" y="${f(h / 2)}" text-anchor="middle">${escapeHtml(message)}</text>`]);
}

// Size, value format, plot area and the axis maximum shared by the charts.
function geometry(points: readonly ChartPoint[], options: ChartOptions) {
  const w = options.width ?? 640;
  const h = options.height ?? 260;
  let largest = 0;
  for (const p of points) if (p.value > largest) largest = p.value;
  return {
    w,
    h,
    format: options.format ?? defaultFormat,
    plotW: w - MARGIN.left - MARGIN.right,
    plotH: h - MARGIN.top - MARGIN.bottom,
    max: niceMax(largest),
  };
}

export function barChart(points: readonly ChartPoint[], options: ChartOptions): Html {
  if (points.length === 0) return emptyChart(options, "no data yet");
  const { w, h, format, plotW, plotH, max } = geometry(points, options);
  const slot = plotW / points.length;
  const barW = Math.max(1, slot * 0.75);
  const x = (i: number) => MARGIN.left + slot * i + slot / 2;
  const body = axis(w, h, max, format);
  points.forEach((p, i) => {
    const bh = (Math.max(0, p.value) / max) * plotH;
    body.push(
      `<rect class="bar" fill="${options.color ?? "#4e79a7"}" x="${f(x(i) - barW / 2)}" y="${f(MARGIN.top + plotH - bh)}" width="${f(barW)}" height="${f(Math.max(bh, 0.5))}">` +
        `<title>${escapeHtml(`${p.label}: ${format(p.value)}`)}</title></rect>`,
    );
  });
  body.push(...xLabels(points, x, MARGIN.top + plotH + 14, 12, points.some((p) => p.label.length > 6)));
  return frame(options, "bar", points.length, body);
}

export function lineChart(points: readonly ChartPoint[], options: ChartOptions): Html {
  if (points.length === 0) return emptyChart(options, "no data yet");
  const { w, h, format, plotW, plotH, max } = geometry(points, options);
  const x = (i: number) => MARGIN.left + (points.length === 1 ? plotW / 2 : (plotW * i) / (points.length - 1));
  const y = (v: number) => MARGIN.top + plotH - (Math.max(0, v) / max) * plotH;
  const body = axis(w, h, max, format);
  const color = options.color ?? "#e15759";
  const line = points.map((p, i) => `${f(x(i))},${f(y(p.value))}`).join(" ");
  body.push(`<polygon class="area" fill="${color}" fill-opacity="0.12" points="${f(x(0))},${f(MARGIN.top + plotH)} ${line} ${f(x(points.length - 1))},${f(MARGIN.top + plotH)}"/>`);
  body.push(`<polyline class="line" fill="none" stroke="${color}" stroke-width="2" points="${line}"/>`);
  points.forEach((p, i) => {
    body.push(`<circle class="point" fill="${color}" cx="${f(x(i))}" cy="${f(y(p.value))}" r="2.5"><title>${escapeHtml(`${p.label}: ${format(p.value)}`)}</title></circle>`);
  });
  body.push(...xLabels(points, x, MARGIN.top + plotH + 14, 8, true));
  return frame(options, "line", points.length, body);
}
