// Small SVG building blocks shared by the report's charts: escaping, number formatting, nice
// axis ticks and the chart frame (every chart is an <svg role="img"> with a <title>).

/** Escape text for HTML/SVG element content and attribute values. */
export function esc(text: unknown): string {
  return String(text).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** A number for people: 4 significant digits, no exponent for ordinary magnitudes. */
export function fmt(x: number | null | undefined, digits = 4): string {
  if (x === null || x === undefined || Number.isNaN(x)) return '—';
  if (!Number.isFinite(x)) return x > 0 ? '∞' : '−∞';
  if (x === 0) return '0';
  const a = Math.abs(x);
  if (a >= 1e6 || a < 1e-4) return x.toExponential(digits - 1);
  return String(Number(x.toPrecision(digits)));
}

/** Coordinates rounded for compact SVG. */
export const r2 = (x: number): string => String(Math.round(x * 100) / 100);

/**
 * The widest a chart is drawn by default: the report's column (main 1100 px) less the figure's
 * padding and border, so a chart shows whole without scrolling. Wider charts scale down (CSS).
 */
export const MAX_CHART_WIDTH = 1060;

/**
 * Rendered width of `text` at `fontPx`, for layout (value labels that would not fit their bar,
 * legends that need another row, margins for long labels): per character an upper bound of the
 * advance widths of DejaVu Sans, the widest of the common sans-serif fonts and the one Chromium
 * uses on Debian (Segoe UI, Roboto, Helvetica and Arial are narrower).
 */
export function textWidth(text: string, fontPx: number): number {
  let em = 0;
  for (const c of text) em += charEm(c);
  return em * fontPx;
}

function charEm(c: string): number {
  if (/[0-9a-hknopqsuvxyz]/.test(c)) return 0.64;
  if (/[ijl]/.test(c)) return 0.28;
  if (/[.,:;/ |!']/.test(c)) return 0.34;
  if (/[ft()]/.test(c)) return 0.4;
  if (c === 'r' || c === '²' || c === '-') return 0.42;
  if (/[IJ]/.test(c)) return 0.3;
  if (/[A-Z]/.test(c)) return c === 'M' || c === 'W' ? 1 : 0.8;
  if (/[+±−=<>×]/.test(c)) return 0.84;
  if (/[mw]/.test(c)) return 0.98;
  return 1; // —, %, anything else: a full em
}

export const PALETTE = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];

/** About `count` round tick values covering [lo, hi]. */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return [0, 1];
  if (lo === hi) {
    const d = lo === 0 ? 1 : Math.abs(lo) * 0.1;
    lo -= d;
    hi += d;
  }
  const raw = (hi - lo) / Math.max(1, count);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  // Ticks as whole multiples of the step (not a running sum, whose rounding error turned 0 into
  // −2.78e-17 on an axis from −0.4).
  const tick = (k: number): number => Number((k * step).toPrecision(12)) || 0;
  const first = Math.floor(lo / step + 1e-9);
  const ticks: number[] = [];
  for (let k = first; tick(k) <= hi + step * 1e-9; k++) ticks.push(tick(k));
  if (ticks[ticks.length - 1]! < hi) ticks.push(tick(first + ticks.length));
  return ticks;
}

export interface Frame {
  width: number;
  height: number;
  left: number;
  right: number;
  top: number;
  bottom: number;
}

export const plotWidth = (f: Frame): number => f.width - f.left - f.right;
export const plotHeight = (f: Frame): number => f.height - f.top - f.bottom;

/** The outer <svg> with its accessible <title> (and optional <desc>). */
export function svgDoc(id: string, title: string, f: Frame, body: string, desc?: string): string {
  return (
    `<svg id="${esc(id)}" class="chart" role="img" aria-labelledby="${esc(id)}-title" xmlns="http://www.w3.org/2000/svg" ` +
    `viewBox="0 0 ${f.width} ${f.height}" width="${f.width}" height="${f.height}">` +
    `<title id="${esc(id)}-title">${esc(title)}</title>${desc ? `<desc>${esc(desc)}</desc>` : ''}${body}</svg>`
  );
}

/** A left value axis with grid lines; `y` maps a value to a pixel row. */
export function yAxis(f: Frame, ticks: readonly number[], y: (v: number) => number, label: string): string {
  const x0 = f.left;
  const x1 = f.width - f.right;
  const parts = ticks.map(
    (t) =>
      `<line class="grid" x1="${x0}" x2="${x1}" y1="${r2(y(t))}" y2="${r2(y(t))}"/>` +
      `<text class="tick" x="${x0 - 6}" y="${r2(y(t) + 4)}" text-anchor="end">${esc(fmt(t, 3))}</text>`,
  );
  const cy = f.top + plotHeight(f) / 2;
  parts.push(`<text class="axis-label" transform="translate(14 ${r2(cy)}) rotate(-90)" text-anchor="middle">${esc(label)}</text>`);
  parts.push(`<line class="axis" x1="${x0}" x2="${x0}" y1="${f.top}" y2="${f.height - f.bottom}"/>`);
  return parts.join('');
}

/** Legend rows are this far apart; a chart grows its top margin by this much per extra row. */
export const LEGEND_ROW = 16;

const legendItemWidth = (name: string): number => 14 + textWidth(name, 11) + 12;

/** The legend's items laid out left to right from the plot's left edge, wrapping at its right edge. */
function legendLayout(f: Frame, names: readonly string[]): { x: number; row: number }[] {
  let x = f.left;
  let row = 0;
  return names.map((n) => {
    const w = legendItemWidth(n);
    if (x > f.left && x + w - 12 > f.width - f.right) {
      x = f.left;
      row++;
    }
    const at = { x, row };
    x += w;
    return at;
  });
}

/** Extra top margin the legend needs beyond its first row (0 when it fits one row). */
export function legendExtra(f: Frame, names: readonly string[]): number {
  const layout = legendLayout(f, names);
  return layout.length ? layout[layout.length - 1]!.row * LEGEND_ROW : 0;
}

/** The legend at the top left of the plot, wrapped onto more rows when it is wider than the chart. */
export function legend(f: Frame, names: readonly string[], colors: readonly string[] = PALETTE): string {
  const layout = legendLayout(f, names);
  return names
    .map((n, i) => {
      const { x, row } = layout[i]!;
      const y = 14 + row * LEGEND_ROW;
      return `<g class="legend-item"><rect x="${r2(x)}" y="${y - 9}" width="10" height="10" fill="${colors[i % colors.length]}"/><text x="${r2(x + 14)}" y="${y}">${esc(n)}</text></g>`;
    })
    .join('');
}
