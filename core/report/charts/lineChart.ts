// Line chart with markers and optional ± error bars; x is numeric, or categorical with labels.
import { type Frame, PALETTE, esc, fmt, legend, legendExtra, niceTicks, plotHeight, plotWidth, r2, svgDoc, yAxis } from './svg.js';

export interface LinePoint {
  x: number;
  y: number;
  err?: number;
}

export interface LineSeries {
  name: string;
  points: readonly LinePoint[];
}

export interface LineChartSpec {
  id: string;
  title: string;
  series: readonly LineSeries[];
  xLabel: string;
  yLabel: string;
  /** Categorical x: labels for x = 0, 1, …; else numeric ticks. */
  xCategories?: readonly string[];
  width?: number;
  height?: number;
}

export function lineChart(spec: LineChartSpec): string {
  const cats = spec.xCategories ?? [];
  const rotate = cats.length > 6 && cats.some((c) => c.length > 3);
  const f: Frame = { width: spec.width ?? 560, height: spec.height ?? (rotate ? 360 : 320), left: 64, right: 20, top: 28, bottom: rotate ? 110 : 48 };
  const hasLegend = spec.series.length > 1 || !!spec.series[0]?.name;
  if (hasLegend) {
    const extra = legendExtra(f, spec.series.map((s) => s.name));
    f.top += extra;
    f.height += extra;
  }
  const pts = spec.series.flatMap((s) => s.points).filter((p) => Number.isFinite(p.y));
  const ys = pts.flatMap((p) => (p.err && Number.isFinite(p.err) ? [p.y - p.err, p.y + p.err] : [p.y]));
  const yt = niceTicks(ys.length ? Math.min(...ys) : 0, ys.length ? Math.max(...ys) : 1, 5);
  const ph = plotHeight(f);
  const pw = plotWidth(f);
  const y = (v: number): number => f.top + ph - ((v - yt[0]!) / (yt[yt.length - 1]! - yt[0]! || 1)) * ph;
  let x: (v: number) => number;
  const parts: string[] = [yAxis(f, yt, y, spec.yLabel)];
  if (spec.xCategories) {
    const n = spec.xCategories.length;
    x = (v) => f.left + ((v + 0.5) / Math.max(1, n)) * pw;
    spec.xCategories.forEach((c, i) => {
      const tx = x(i);
      const ty = f.height - f.bottom + 14;
      parts.push(
        rotate
          ? `<text class="tick" transform="translate(${r2(tx)} ${ty}) rotate(-40)" text-anchor="end">${esc(c)}</text>`
          : `<text class="tick" x="${r2(tx)}" y="${ty}" text-anchor="middle">${esc(c)}</text>`,
      );
    });
  } else {
    const xs = pts.map((p) => p.x);
    const xt = niceTicks(xs.length ? Math.min(...xs) : 0, xs.length ? Math.max(...xs) : 1, 6);
    x = (v) => f.left + ((v - xt[0]!) / (xt[xt.length - 1]! - xt[0]! || 1)) * pw;
    for (const t of xt) parts.push(`<text class="tick" x="${r2(x(t))}" y="${f.height - f.bottom + 16}" text-anchor="middle">${esc(fmt(t, 3))}</text>`);
  }
  parts.push(`<line class="axis" x1="${f.left}" x2="${f.width - f.right}" y1="${f.height - f.bottom}" y2="${f.height - f.bottom}"/>`);
  parts.push(`<text class="axis-label" x="${r2(f.left + pw / 2)}" y="${f.height - 6}" text-anchor="middle">${esc(spec.xLabel)}</text>`);
  spec.series.forEach((s, k) => {
    const color = PALETTE[k % PALETTE.length];
    const ok = s.points.filter((p) => Number.isFinite(p.y));
    if (ok.length === 0) return;
    parts.push(`<path class="line" fill="none" stroke="${color}" d="${ok.map((p, i) => `${i ? 'L' : 'M'}${r2(x(p.x))} ${r2(y(p.y))}`).join('')}"/>`);
    for (const p of ok) {
      if (p.err !== undefined && Number.isFinite(p.err) && p.err > 0) {
        parts.push(`<path class="errorbar" stroke="${color}" d="M${r2(x(p.x))} ${r2(y(p.y - p.err))}V${r2(y(p.y + p.err))}"/>`);
      }
      const label = spec.xCategories ? spec.xCategories[p.x] : fmt(p.x);
      parts.push(
        `<circle class="point" cx="${r2(x(p.x))}" cy="${r2(y(p.y))}" r="3.5" fill="${color}"><title>${esc(`${s.name} · ${label}: ${fmt(p.y)}${p.err ? ` ± ${fmt(p.err)}` : ''}`)}</title></circle>`,
      );
    }
  });
  if (hasLegend) parts.push(legend(f, spec.series.map((s) => s.name)));
  return svgDoc(spec.id, spec.title, f, parts.join(''));
}
