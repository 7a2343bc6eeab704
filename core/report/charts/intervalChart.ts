// Horizontal dot-and-interval chart (one row per label), e.g. annotation enrichment with a
// reference line at 1.
import { type Frame, PALETTE, esc, fmt, legend, legendExtra, niceTicks, plotWidth, r2, svgDoc, textWidth } from './svg.js';

export interface IntervalRow {
  label: string;
  /** One estimate per series (null when that series has none). */
  values: readonly ({ value: number; lo?: number; hi?: number } | null)[];
}

export interface IntervalChartSpec {
  id: string;
  title: string;
  series: readonly string[];
  rows: readonly IntervalRow[];
  xLabel: string;
  reference?: number;
  /** Values the axis always covers (default [0, 1], e.g. enrichment; [0] for differences). */
  span?: readonly number[];
  width?: number;
}

export function intervalChart(spec: IntervalChartSpec): string {
  const rowH = 14 + 8 * spec.series.length;
  // Row labels right-aligned before the plot: the left margin grows with the longest one.
  const left = Math.ceil(Math.max(150, 16 + Math.max(0, ...spec.rows.map((r) => textWidth(r.label, 11)))));
  const f: Frame = { width: spec.width ?? Math.max(600, left + 450), height: 70 + rowH * spec.rows.length, left, right: 24, top: 28, bottom: 42 };
  if (spec.series.length > 1) {
    const extra = legendExtra(f, spec.series);
    f.top += extra;
    f.height += extra;
  }
  const xs: number[] = [...(spec.span ?? [0, 1])];
  if (spec.reference !== undefined) xs.push(spec.reference);
  for (const r of spec.rows) for (const v of r.values) if (v) xs.push(v.value, v.lo ?? v.value, v.hi ?? v.value);
  const finite = xs.filter(Number.isFinite);
  const xt = niceTicks(Math.min(...finite), Math.max(...finite), 6);
  const pw = plotWidth(f);
  const x = (v: number): number => f.left + ((v - xt[0]!) / (xt[xt.length - 1]! - xt[0]! || 1)) * pw;
  const bottom = f.height - f.bottom;
  const parts: string[] = [];
  for (const t of xt) {
    parts.push(`<line class="grid" x1="${r2(x(t))}" x2="${r2(x(t))}" y1="${f.top}" y2="${bottom}"/>`);
    parts.push(`<text class="tick" x="${r2(x(t))}" y="${bottom + 16}" text-anchor="middle">${esc(fmt(t, 3))}</text>`);
  }
  if (spec.reference !== undefined) parts.push(`<line class="reference" x1="${r2(x(spec.reference))}" x2="${r2(x(spec.reference))}" y1="${f.top}" y2="${bottom}"/>`);
  parts.push(`<text class="axis-label" x="${r2(f.left + pw / 2)}" y="${f.height - 6}" text-anchor="middle">${esc(spec.xLabel)}</text>`);
  spec.rows.forEach((row, i) => {
    const y0 = f.top + 10 + i * rowH;
    parts.push(`<text class="tick" x="${f.left - 8}" y="${r2(y0 + rowH / 2)}" text-anchor="end">${esc(row.label)}</text>`);
    row.values.forEach((v, k) => {
      if (!v || !Number.isFinite(v.value)) return;
      const yy = y0 + 6 + k * 8;
      const color = PALETTE[k % PALETTE.length];
      if (v.lo !== undefined && v.hi !== undefined && Number.isFinite(v.lo) && Number.isFinite(v.hi)) {
        parts.push(`<path class="interval" stroke="${color}" d="M${r2(x(v.lo))} ${yy}H${r2(x(v.hi))}"/>`);
      }
      const range = v.lo !== undefined && v.hi !== undefined ? ` [${fmt(v.lo)}, ${fmt(v.hi)}]` : '';
      parts.push(`<circle class="point" cx="${r2(x(v.value))}" cy="${yy}" r="3.5" fill="${color}"><title>${esc(`${spec.series[k]} · ${row.label}: ${fmt(v.value)}${range}`)}</title></circle>`);
    });
  });
  if (spec.series.length > 1) parts.push(legend(f, spec.series));
  return svgDoc(spec.id, spec.title, f, parts.join(''));
}
