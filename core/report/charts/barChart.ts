// Grouped bar chart with optional error bars (± the given half-widths) and value labels.
import { type Frame, MAX_CHART_WIDTH, PALETTE, esc, fmt, legend, legendExtra, niceTicks, plotHeight, plotWidth, r2, svgDoc, textWidth, yAxis } from './svg.js';

export interface BarSeries {
  name: string;
  values: readonly (number | null)[];
  /** Half-width of the error bar per category (e.g. SE or SD); null for none. */
  errors?: readonly (number | null)[];
}

export interface BarChartSpec {
  id: string;
  title: string;
  categories: readonly string[];
  series: readonly BarSeries[];
  yLabel: string;
  /** Start the value axis at zero (default true). */
  zero?: boolean;
  /**
   * The quantity cannot be negative (a count, a variance, h²): error bars stop at 0 and the value
   * axis does not run below 0 (the tooltip still gives the full ± value).
   */
  nonNegative?: boolean;
  /** Value labels above the bars; by default shown when every label fits its bar's width. */
  valueLabels?: boolean;
  /** Default: room for every group, at most MAX_CHART_WIDTH unless the category labels need more. */
  width?: number;
  height?: number;
}

const VALUE_FONT = 10;
const TICK_FONT = 11;

export function barChart(spec: BarChartSpec): string {
  const nCat = Math.max(1, spec.categories.length);
  const nSeries = Math.max(1, spec.series.length);
  const labelW = Math.max(0, ...spec.categories.map((c) => textWidth(c, TICK_FONT) + 14));
  const left = 64;
  const right = 16;
  const natural = 120 + nCat * Math.max(40 + 26 * nSeries, labelW);
  const width = spec.width ?? Math.max(360, Math.min(MAX_CHART_WIDTH, natural), left + right + nCat * labelW);
  const f: Frame = { width, height: spec.height ?? 300, left, right, top: 28, bottom: 52 };
  if (spec.series.length > 1) {
    const extra = legendExtra(f, spec.series.map((s) => s.name));
    f.top += extra;
    f.height += extra;
  }
  const floor = spec.nonNegative ? 0 : -Infinity;
  const finiteError = (e: number | null | undefined): number => (e !== null && e !== undefined && Number.isFinite(e) && e > 0 ? e : 0);
  const lows: number[] = [];
  const highs: number[] = [];
  for (const s of spec.series) {
    s.values.forEach((v, i) => {
      if (v === null || !Number.isFinite(v)) return;
      const e = finiteError(s.errors?.[i]);
      lows.push(Math.min(v, Math.max(floor, v - e)));
      highs.push(v + e);
    });
  }
  let lo = lows.length ? Math.min(...lows) : 0;
  let hi = highs.length ? Math.max(...highs) : 1;
  if (spec.zero ?? true) {
    lo = Math.min(0, lo);
    hi = Math.max(0, hi);
  }
  const ticks = niceTicks(lo, hi, 5);
  const t0 = ticks[0]!;
  const t1 = ticks[ticks.length - 1]!;
  const ph = plotHeight(f);
  const y = (v: number): number => f.top + ph - ((v - t0) / (t1 - t0 || 1)) * ph;
  const groupW = plotWidth(f) / nCat;
  const barW = Math.min(36, (groupW * 0.8) / nSeries);
  const base = y(Math.max(t0, Math.min(t1, 0)));
  const label = (v: number): string => fmt(v, 3);
  const showValues =
    spec.valueLabels ?? spec.series.every((s) => s.values.every((v) => v === null || !Number.isFinite(v) || textWidth(label(v), VALUE_FONT) <= barW));
  const parts: string[] = [yAxis(f, ticks, y, spec.yLabel)];
  spec.categories.forEach((c, i) => {
    const gx = f.left + i * groupW + groupW / 2;
    parts.push(`<text class="tick" x="${r2(gx)}" y="${f.height - f.bottom + 16}" text-anchor="middle">${esc(c)}</text>`);
    spec.series.forEach((s, k) => {
      const v = s.values[i];
      if (v === null || v === undefined || !Number.isFinite(v)) return;
      const x = gx - (barW * spec.series.length) / 2 + k * barW;
      const top = Math.min(y(v), base);
      const h = Math.abs(y(v) - base);
      const color = PALETTE[k % PALETTE.length];
      parts.push(
        `<rect class="bar" x="${r2(x + 1)}" y="${r2(top)}" width="${r2(barW - 2)}" height="${r2(Math.max(h, 0.5))}" fill="${color}">` +
          `<title>${esc(`${s.name} · ${c}: ${fmt(v)}${s.errors?.[i] != null ? ` ± ${fmt(s.errors[i])}` : ''}`)}</title></rect>`,
      );
      const e = finiteError(s.errors?.[i]);
      if (e > 0) {
        const cx = x + barW / 2;
        const low = y(Math.max(floor, v - e));
        parts.push(`<path class="errorbar" d="M${r2(cx)} ${r2(low)}V${r2(y(v + e))}M${r2(cx - 4)} ${r2(low)}H${r2(cx + 4)}M${r2(cx - 4)} ${r2(y(v + e))}H${r2(cx + 4)}"/>`);
      }
      if (showValues) parts.push(`<text class="value" x="${r2(x + barW / 2)}" y="${r2(Math.min(y(v), y(v + e)) - 4)}" text-anchor="middle">${esc(label(v))}</text>`);
    });
  });
  if (spec.series.length > 1) parts.push(legend(f, spec.series.map((s) => s.name)));
  return svgDoc(spec.id, spec.title, f, parts.join(''));
}
