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
  const start = Math.floor(lo / step) * step;
  const ticks: number[] = [];
  for (let t = start; t <= hi + step * 1e-9; t += step) ticks.push(Number(t.toPrecision(12)));
  if (ticks[ticks.length - 1]! < hi) ticks.push(Number((ticks[ticks.length - 1]! + step).toPrecision(12)));
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

/** A legend row at the top right. */
export function legend(f: Frame, names: readonly string[], colors: readonly string[] = PALETTE): string {
  let x = f.left;
  const y = 14;
  return names
    .map((n, i) => {
      const item = `<g class="legend-item"><rect x="${r2(x)}" y="${y - 9}" width="10" height="10" fill="${colors[i % colors.length]}"/><text x="${r2(x + 14)}" y="${y}">${esc(n)}</text></g>`;
      x += 24 + n.length * 7;
      return item;
    })
    .join('');
}
