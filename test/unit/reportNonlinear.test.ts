// The report's "Nonlinear vs linear" section (issue 20) and the two chart faults seen on the demo's
// report, on hand-made data shaped like the demo (10 folds, SBayesRC and SBayesR, the nonlinear
// comparison's six methods): the SVGs are parsed and their geometry read back as numbers.
//  - every chart fits the report's column (the demo's "Held-out R² per fold" was 1132 px wide in a
//    1082 px column, so its last group — the mean ± SE labels — was cut at the right edge) and
//    every text element lies inside its viewBox (legends of long method names wrap);
//  - the nnz and h² axes do not run below 0 however wide the posterior SD (the demo's nnz axis ran
//    to −1000);
//  - the nonlinear section draws the rows the comparison stored: bar heights, intervals and the
//    sentence read back equal the metric rows and `pairedDifferences` / `nonlinearAnswer`.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { barChart } from '../../core/report/charts/barChart.js';
import { intervalChart } from '../../core/report/charts/intervalChart.js';
import { esc, fmt, niceTicks } from '../../core/report/charts/svg.js';
import { metricsTsv, writeExports } from '../../core/report/exports.js';
import { renderReport } from '../../core/report/renderReport.js';
import { orderNonlinearMethods } from '../../core/report/nonlinearSection.js';
import { nonlinearAnswer, pairedDifferences } from '../../core/nonlinear/nonlinearAnswer.js';
import { type FoldEvaluations, addPairedDifferences, nonlinearMetricRows } from '../../core/nonlinear/nonlinearMetrics.js';
import type { MetricRow, Trait } from '../../contracts/evaluation.js';
import type { FitRow, ReportData } from '../../core/runRecords/reportData.js';

// ---- SVG read-back -------------------------------------------------------------------------

const unescape = (s: string): string => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&');
const attr = (tag: string, name: string): string | undefined => new RegExp(`\\s${name}="([^"]*)"`).exec(tag)?.[1];
const num = (tag: string, name: string): number => Number(attr(tag, name));

interface SvgText {
  x: number;
  y: number;
  anchor: string;
  cls: string;
  text: string;
  transformed: boolean;
}

interface Svg {
  id: string;
  width: number;
  height: number;
  viewBox: number[];
  texts: SvgText[];
  bars: { x: number; y: number; width: number; height: number; title: string }[];
  errorbars: number[][];
  points: { cx: number; cy: number; title: string }[];
  intervals: { x1: number; x2: number; y: number }[];
  reference: number | null;
}

function charts(html: string): Map<string, Svg> {
  const out = new Map<string, Svg>();
  for (const m of html.matchAll(/<svg ([^>]*)>([\s\S]*?)<\/svg>/g)) {
    const open = ` ${m[1]!}`;
    const body = m[2]!;
    const texts = [...body.matchAll(/<text([^>]*)>([^<]*)<\/text>/g)].map((t) => ({
      x: num(t[1]!, 'x'),
      y: num(t[1]!, 'y'),
      anchor: attr(t[1]!, 'text-anchor') ?? 'start',
      cls: attr(t[1]!, 'class') ?? '',
      text: unescape(t[2]!),
      transformed: attr(t[1]!, 'transform') !== undefined,
    }));
    const bars = [...body.matchAll(/<rect class="bar"([^>]*)><title>([^<]*)<\/title>/g)].map((r) => ({ x: num(r[1]!, 'x'), y: num(r[1]!, 'y'), width: num(r[1]!, 'width'), height: num(r[1]!, 'height'), title: unescape(r[2]!) }));
    const errorbars = [...body.matchAll(/<path class="errorbar" d="([^"]*)"/g)].map((p) => [...p[1]!.matchAll(/-?\d+(\.\d+)?/g)].map((n) => Number(n[0])));
    const points = [...body.matchAll(/<circle class="point"([^>]*)><title>([^<]*)<\/title>/g)].map((c) => ({ cx: num(c[1]!, 'cx'), cy: num(c[1]!, 'cy'), title: unescape(c[2]!) }));
    const intervals = [...body.matchAll(/<path class="interval"[^>]* d="M([-\d.]+) ([-\d.]+)H([-\d.]+)"/g)].map((p) => ({ x1: Number(p[1]), y: Number(p[2]), x2: Number(p[3]) }));
    const ref = /<line class="reference" x1="([-\d.]+)"/.exec(body);
    out.set(attr(open, 'id')!, {
      id: attr(open, 'id')!,
      width: num(open, 'width'),
      height: num(open, 'height'),
      viewBox: attr(open, 'viewBox')!.split(' ').map(Number),
      texts,
      bars,
      errorbars,
      points,
      intervals,
      reference: ref ? Number(ref[1]) : null,
    });
  }
  return out;
}

/**
 * Advance widths (em) of DejaVu Sans, the font Chromium renders the report's sans-serif stack with
 * on Debian (measured there with canvas measureText); 0.7 em for characters not listed.
 */
const DEJAVU: Record<string, number> = Object.fromEntries(
  (
    '0 .636|1 .636|2 .636|3 .636|4 .636|5 .636|6 .636|7 .636|8 .636|9 .636|. .318|, .318|: .337|- .361|+ .838|± .838|− .838|— 1|² .401|( .39|) .39|  .318|' +
    'a .613|b .635|c .55|d .635|e .615|f .352|g .635|h .634|i .278|j .278|k .579|l .278|m .974|n .634|o .612|p .635|q .635|r .411|s .521|t .392|u .634|v .592|w .818|x .592|y .592|z .525|' +
    'A .684|B .686|C .698|D .77|E .632|F .575|G .775|H .752|I .295|K .656|L .557|M .863|N .748|O .787|P .603|R .695|S .635|T .611|U .732|V .684|W .989|X .685|Y .611|/ .337'
  )
    .split('|')
    .map((e) => [e.slice(0, [...e][0]!.length), Number(e.slice([...e][0]!.length + 1))]),
);
const FONT: Record<string, number> = { value: 10, 'axis-label': 12 };
function textExtent(t: SvgText): [number, number] {
  const w = [...t.text].reduce((a, c) => a + (DEJAVU[c] ?? 0.7), 0) * (FONT[t.cls] ?? 11);
  return t.anchor === 'end' ? [t.x - w, t.x] : t.anchor === 'middle' ? [t.x - w / 2, t.x + w / 2] : [t.x, t.x + w];
}

/** Texts (other than the rotated axis label) reaching outside the viewBox. */
function textsOutside(svg: Svg): string[] {
  const [, , w, h] = svg.viewBox as [number, number, number, number];
  return svg.texts
    .filter((t) => !t.transformed)
    .filter((t) => {
      const [a, b] = textExtent(t);
      return a < 0 || b > w || t.y < 8 || t.y > h;
    })
    .map((t) => `${t.text} @ ${textExtent(t).map((v) => v.toFixed(1)).join('–')} of ${w}`);
}

/** The value axis read back from the left tick labels: value at pixel row y. */
function valueAxis(svg: Svg): { ticks: number[]; value: (y: number) => number; y: (v: number) => number } {
  const ticks = svg.texts.filter((t) => t.cls === 'tick' && t.anchor === 'end' && t.x === 58).map((t) => ({ v: Number(t.text.replace('−', '-')), y: t.y - 4 }));
  const [a, b] = [ticks[0]!, ticks[ticks.length - 1]!];
  const slope = (b.y - a.y) / (b.v - a.v);
  return { ticks: ticks.map((t) => t.v), value: (y) => a.v + (y - a.y) / slope, y: (v) => a.y + (v - a.v) * slope };
}

/** The report column a chart must fit: main's max-width less the figure's padding and border (from the report's CSS). */
function columnWidth(html: string): number {
  const main = Number(/main\{max-width:(\d+)px/.exec(html)![1]);
  const fig = /figure\{[^}]*padding:(\d+)px[^}]*\}/.exec(html)!;
  const border = Number(/border:(\d+)px/.exec(fig[0])?.[1] ?? 0);
  return main - 2 * Number(fig[1]) - 2 * border;
}

// ---- data shaped like the demo ---------------------------------------------------------------

const FOLDS = 10;
const wiggle = (k: number, phase: number, amp: number): number => amp * Math.sin(1.7 * k + phase);

/** Per method: held-out R² per fold (AUC for binary = 0.5 + R²). */
const TRUTH: Record<string, (k: number) => number> = {
  'linear:pgs+covariates': (k) => 0.3 + wiggle(k, 0, 0.01),
  'gbdt:pgs+covariates': (k) => 0.295 + wiggle(k, 0, 0.01) + wiggle(k, 2, 0.0005), // −0.005: below 0
  'mlp:pgs+covariates': (k) => 0.3 + wiggle(k, 0, 0.01) + wiggle(k, 1, 0.004), // ≈ 0: covers 0
  'elasticnet:snps+covariates': (k) => 0.33 + wiggle(k, 3, 0.01),
  'gbdt:snps+covariates': (k) => 0.3305 + wiggle(k, 3, 0.01) + wiggle(k, 4, 0.003), // beats linear; ≈ the elastic net
  'mlp:snps+covariates': (k) => -0.02 + wiggle(k, 5, 0.005), // worse than the mean
};

function nonlinearRows(trait: Trait): MetricRow[] {
  const evals: FoldEvaluations = new Map();
  for (const [method, r2] of Object.entries(TRUTH)) {
    evals.set(
      method,
      Array.from({ length: FOLDS }, (_, k) => {
        const m = new Map([
          ['r2', r2(k)],
          ['incremental_r2', r2(k) - 0.05],
        ]);
        if (trait === 'binary') m.set('auc', 0.5 + r2(k));
        return m;
      }),
    );
  }
  addPairedDifferences(trait, evals);
  return nonlinearMetricRows(evals, Array(FOLDS).fill(400));
}

function fit(k: number, method: string): FitRow {
  // nnz 310 ± 600 and 420 ± 900 (posterior SDs as wide as the demo's): mean − SD far below 0.
  return {
    scope: `fold-${k}/${method}`,
    method,
    h2: 0.04,
    h2Sd: 0.06,
    nnz: method === 'SBayesR' ? 420 : 310,
    nnzSd: method === 'SBayesR' ? 900 : 600,
    sigma2e: 0.5,
    pi: [0.9, 0.05, 0.03, 0.01, 0.01],
    cutoff: 0.995,
    cutoffReason: 'given',
    annotations: [],
    enrichment: [],
    enrichmentSd: null,
    removedSnps: 0,
  };
}

function demoData(nonlinear?: Trait): ReportData {
  const metrics: MetricRow[] = [];
  for (const method of ['SBayesRC', 'SBayesR']) {
    const vals = Array.from({ length: FOLDS }, (_, k) => 0.31 + wiggle(k, method === 'SBayesR' ? 1 : 0, 0.013));
    vals.forEach((v, k) => metrics.push({ scope: `fold-${k + 1}`, method, metric: 'r2', value: v, se: null, n: 400 }));
    metrics.push({ scope: 'folds', method, metric: 'r2', value: vals.reduce((a, b) => a + b) / FOLDS, se: 0.0042, n: FOLDS });
  }
  if (nonlinear) metrics.push(...nonlinearRows(nonlinear));
  return {
    run: {
      runId: 'demo-cv',
      name: 'demo',
      design: 'cross-validation',
      status: 'completed',
      studySha256: null,
      codeVersion: null,
      temporalRunId: null,
      resumedFrom: null,
      studyPath: null,
      startedAt: '2026-01-01T00:00:00Z',
      finishedAt: '2026-01-01T00:03:39Z',
      durationSeconds: 219,
      studyJson: null,
      summary: null,
    },
    phenotype: { column: 'trait', type: nonlinear ?? 'quantitative' },
    steps: [],
    qc: [],
    fits: Array.from({ length: FOLDS }, (_, i) => [fit(i + 1, 'SBayesRC'), fit(i + 1, 'SBayesR')]).flat(),
    metrics,
    calibration: [],
    calibrationNote: 'no held-out scores recorded for this run',
    weighting: null,
    generatedAt: '2026-01-01T00:04:00Z',
  };
}

const section = (html: string, id: string): string => {
  const start = html.indexOf(`<section id="${id}">`);
  return start < 0 ? '' : html.slice(start, html.indexOf('</section>', start));
};

// ---- the chart faults ---------------------------------------------------------------------------

describe('chart faults seen on the demo report', () => {
  const html = renderReport(demoData());
  const svgs = charts(html);

  it('every chart fits the report column and keeps its labels inside the viewBox (the last group of "Held-out R² per fold" was cut)', () => {
    const column = columnWidth(html);
    expect(column).toBe(1082);
    expect([...svgs.keys()]).toEqual(['chart-folds-r2', 'chart-h2', 'chart-nnz']);
    const fits = (svg: Svg): void => {
      expect(svg.width, svg.id).toBeLessThanOrEqual(column);
      expect(svg.viewBox, svg.id).toEqual([0, 0, svg.width, svg.height]);
      expect(textsOutside(svg), svg.id).toEqual([]);
    };
    for (const svg of svgs.values()) fits(svg);
    const withNonlinear = charts(renderReport(demoData('quantitative')));
    expect([...withNonlinear.keys()]).toEqual(['chart-folds-r2', 'chart-nonlinear-r2', 'chart-nonlinear-delta', 'chart-h2', 'chart-nnz']);
    for (const svg of withNonlinear.values()) fits(svg);
    // The fold chart's last group: both mean ± SE value labels present, inside the chart.
    const folds = svgs.get('chart-folds-r2')!;
    const values = folds.texts.filter((t) => t.cls === 'value');
    expect(values).toHaveLength(2 * (FOLDS + 1));
    const last = values.slice(-2);
    for (const t of last) expect(textExtent(t)[1]).toBeLessThan(folds.width - 10);
    expect(last.map((t) => t.text)).toEqual(demoData().metrics.filter((m) => m.scope === 'folds').map((m) => fmt(m.value, 3)));
    // and the SVG scales down rather than overflow when the window is narrower still
    expect(html).toMatch(/svg\.chart\{[^}]*max-width:100%[^}]*height:auto/);
  });

  it('the nnz and h² axes stop at 0 although mean − SD is far below it; error bars end at 0', () => {
    for (const id of ['chart-nnz', 'chart-h2']) {
      const svg = svgs.get(id)!;
      const axis = valueAxis(svg);
      expect(Math.min(...axis.ticks), id).toBe(0);
      const zero = axis.y(0);
      expect(svg.errorbars).toHaveLength(2 * FOLDS);
      for (const p of svg.errorbars) {
        // M cx low V high M … : the low end sits on 0 (every mean − SD here is below 0)
        expect(p[1], id).toBeCloseTo(zero, 1);
        expect(p[2]!, id).toBeLessThan(zero);
      }
    }
    const nnz = valueAxis(svgs.get('chart-nnz')!);
    expect(Math.max(...nnz.ticks)).toBeGreaterThanOrEqual(420 + 900); // the high ends still shown in full
    expect(section(html, 'fits')).toContain('error bars that would run below 0 stop there');
  });

  it('barChart: nonNegative clamps the axis and the error bars; without it the axis follows the bars below 0', () => {
    const spec = { id: 'c', title: 't', categories: ['a', 'b'], series: [{ name: 'n', values: [310, 420], errors: [600, 900] }], yLabel: 'nnz' };
    const clamped = charts(barChart({ ...spec, nonNegative: true })).get('c')!;
    expect(valueAxis(clamped).ticks[0]).toBe(0);
    expect(clamped.texts.find((t) => t.cls === 'value')!.text).toBe('310');
    const signed = charts(barChart(spec)).get('c')!;
    expect(valueAxis(signed).ticks[0]).toBeLessThan(-400); // the old behaviour, right for signed quantities
  });

  it('barChart: long series names wrap the legend inside the chart, and bars start below it', () => {
    const names = ['linear:pgs+covariates', 'gbdt:pgs+covariates', 'mlp:pgs+covariates', 'elasticnet:snps+covariates', 'gbdt:snps+covariates', 'mlp:snps+covariates'];
    const svg = charts(barChart({ id: 'c', title: 't', categories: ['fold-1', 'fold-2'], series: names.map((name, k) => ({ name, values: [0.1 * k, 0.1] })), yLabel: 'R²', width: 500 })).get('c')!;
    expect(textsOutside(svg)).toEqual([]);
    const legendYs = [...new Set(svg.texts.filter((t) => names.includes(t.text)).map((t) => t.y))];
    expect(legendYs.length).toBeGreaterThan(1);
    const top = Math.min(...svg.bars.map((b) => b.y));
    expect(top).toBeGreaterThan(Math.max(...legendYs) + 4);
  });

  it('barChart: value labels only where they fit their bar (six models × 11 groups: none; the tooltips keep the numbers)', () => {
    const nl = charts(renderReport(demoData('quantitative'))).get('chart-nonlinear-r2')!;
    expect(nl.texts.filter((t) => t.cls === 'value')).toEqual([]);
    expect(nl.bars).toHaveLength(6 * (FOLDS + 1));
    const wide = charts(barChart({ id: 'c', title: 't', categories: ['a'], series: [{ name: 'x', values: [0.123456] }], yLabel: 'R²', valueLabels: false })).get('c')!;
    expect(wide.texts.filter((t) => t.cls === 'value')).toEqual([]);
  });

  it('intervalChart: the left margin holds the longest row label; span [0] lets small differences fill the axis', () => {
    const svg = charts(
      intervalChart({ id: 'i', title: 't', series: ['d'], rows: [{ label: 'elasticnet:snps+covariates (a long label)', values: [{ value: 0.012, lo: 0.004, hi: 0.02 }] }], xLabel: 'Δ', reference: 0, span: [0] }),
    ).get('i')!;
    expect(textsOutside(svg)).toEqual([]);
    const ticks = svg.texts.filter((t) => t.cls === 'tick' && t.anchor === 'middle').map((t) => Number(t.text));
    expect(Math.min(...ticks)).toBe(0);
    expect(Math.max(...ticks)).toBeLessThanOrEqual(0.025);
  });

  it('niceTicks: whole multiples of the step (0 is 0, not −2.78e-17)', () => {
    expect(niceTicks(-0.4, 0.1, 6)).toEqual([-0.4, -0.3, -0.2, -0.1, 0, 0.1]);
    expect(niceTicks(-0.33, 0.02, 6)).toContain(0);
    expect(niceTicks(-510, 1320, 5)).toEqual([-1000, -500, 0, 500, 1000, 1500]);
    expect(niceTicks(0, 1320, 5)).toEqual([0, 500, 1000, 1500]);
  });
});

// ---- the nonlinear section ----------------------------------------------------------------------

describe('Nonlinear vs linear section', () => {
  const d = demoData('quantitative');
  const html = renderReport(d);
  const svgs = charts(html);
  const nl = d.metrics.filter((m) => m.method.includes(':'));
  const methods = orderNonlinearMethods(Object.keys(TRUTH));

  it('orders the models by inputs, then linear, elastic net, trees, MLP', () => {
    expect(methods).toEqual(['linear:pgs+covariates', 'gbdt:pgs+covariates', 'mlp:pgs+covariates', 'elasticnet:snps+covariates', 'gbdt:snps+covariates', 'mlp:snps+covariates']);
  });

  it('states the answer sentence of nonlinearAnswer, here: the SNP model’s gain is LD tagging', () => {
    const sentence = nonlinearAnswer(nl, 'quantitative');
    expect(sentence).toMatch(/^gbdt:snps\+covariates beat the linear score/);
    expect(sentence).toContain('so its gain is linear (LD tagging), not nonlinearity');
    const s = section(html, 'nonlinear');
    expect(s).toContain('<h2>Nonlinear vs linear</h2>');
    expect(s).toContain(`<p class="answer"><strong>Answer for this study:</strong> ${esc(sentence)}</p>`);
    // between the fold metrics and the calibration sections
    expect(html.indexOf('<section id="folds">')).toBeLessThan(html.indexOf('<section id="nonlinear">'));
    expect(html.indexOf('<section id="nonlinear">')).toBeLessThan(html.indexOf('<section id="calibration">'));
  });

  it('draws held-out R² per fold and model: every bar reads back as its metric row', () => {
    const svg = svgs.get('chart-nonlinear-r2')!;
    const legend = svg.texts.filter((t) => methods.includes(t.text)).map((t) => t.text);
    expect(legend).toEqual(methods);
    const categories = svg.texts.filter((t) => t.cls === 'tick' && t.anchor === 'middle').map((t) => t.text);
    expect(categories).toEqual([...Array.from({ length: FOLDS }, (_, k) => `fold-${k + 1}`), 'mean ± SE']);
    const axis = valueAxis(svg);
    const zero = axis.y(0);
    let checked = 0;
    for (const bar of svg.bars) {
      const [method, scope] = bar.title.split(':').length > 2 ? [bar.title.slice(0, bar.title.indexOf(' · ')), bar.title.slice(bar.title.indexOf(' · ') + 3, bar.title.lastIndexOf(':'))] : ['', ''];
      const row = nl.find((m) => m.method === method && m.metric === 'r2' && m.scope === (scope === 'mean ± SE' ? 'folds' : scope))!;
      expect(row, bar.title).toBeDefined();
      const drawn = Math.abs(bar.y - zero) < 0.02 ? axis.value(bar.y + bar.height) : axis.value(bar.y); // negative bars hang from 0
      expect(drawn, bar.title).toBeCloseTo(row.value!, 3);
      checked++;
    }
    expect(checked).toBe(6 * (FOLDS + 1));
    const mlpSnps = svg.bars.filter((b) => b.title.startsWith('mlp:snps+covariates'));
    expect(mlpSnps.every((b) => Math.abs(b.y - zero) < 0.02 && b.height > 1)).toBe(true); // below 0
  });

  it('tables the per-fold values and the means ± SE', () => {
    const s = section(html, 'nonlinear');
    const gbdt = /<tr><th>gbdt:snps\+covariates<\/th>(.*?)<\/tr>/.exec(s.slice(s.indexOf('nonlinear-heldout')))![1]!;
    const cells = [...gbdt.matchAll(/<td class="num">([^<]*)<\/td>/g)].map((c) => c[1]!);
    const row = (scope: string, metric = 'r2'): MetricRow => nl.find((m) => m.method === 'gbdt:snps+covariates' && m.scope === scope && m.metric === metric)!;
    expect(cells.slice(0, FOLDS)).toEqual(Array.from({ length: FOLDS }, (_, k) => fmt(row(`fold-${k + 1}`).value, 3)));
    expect(cells[FOLDS]).toBe(`${fmt(row('folds').value)} ± ${fmt(row('folds').se, 2)}`);
    expect(cells[FOLDS + 1]).toBe(`${fmt(row('folds', 'incremental_r2').value, 3)} ± ${fmt(row('folds', 'incremental_r2').se, 2)}`);
  });

  it('draws every paired difference with its 95 % interval, on the right side of 0', () => {
    const diffs = pairedDifferences(nl, 'quantitative');
    expect(diffs).toHaveLength(5 + 2); // five models against the linear score, two SNP models against the elastic net
    const svg = svgs.get('chart-nonlinear-delta')!;
    expect(svg.points).toHaveLength(diffs.length);
    expect(svg.intervals).toHaveLength(diffs.length);
    const zero = svg.reference!;
    const side = { above: 0, below: 0, covers: 0 };
    for (const diff of diffs) {
      const vs = diff.metric === 'delta_r2' ? '− linear:pgs+covariates' : '− elasticnet:snps+covariates';
      const p = svg.points.find((q) => q.title.startsWith(`${vs} · ${diff.method}:`))!;
      expect(p.title).toBe(`${vs} · ${diff.method}: ${fmt(diff.mean)} [${fmt(diff.low)}, ${fmt(diff.high)}]`);
      const iv = svg.intervals.find((i) => i.y === p.cy)!;
      expect(iv.x1).toBeLessThanOrEqual(p.cx);
      expect(iv.x2).toBeGreaterThanOrEqual(p.cx);
      if (diff.low > 0) {
        expect(iv.x1, diff.method).toBeGreaterThan(zero);
        side.above++;
      } else if (diff.high < 0) {
        expect(iv.x2, diff.method).toBeLessThan(zero);
        side.below++;
      } else {
        expect(iv.x1 < zero && iv.x2 > zero, diff.method).toBe(true);
        side.covers++;
      }
    }
    // the data were built for all three cases
    expect(side).toEqual({ above: 2, below: 3, covers: 2 });
    // the axis spans the differences, not [0, 1]
    const ticks = svg.texts.filter((t) => t.cls === 'tick' && t.anchor === 'middle').map((t) => Number(t.text.replace('−', '-')));
    expect(Math.max(...ticks)).toBeLessThanOrEqual(0.1);
    expect(Math.min(...ticks)).toBeLessThanOrEqual(Math.min(...diffs.map((x) => x.low)));
    // and the table says the same
    const s = section(html, 'nonlinear');
    const gbdtVsEnet = diffs.find((x) => x.method === 'gbdt:snps+covariates' && x.metric === 'delta_r2_vs_elasticnet')!;
    expect(s).toContain(`<tr><th>gbdt:snps+covariates</th><td>elasticnet:snps+covariates</td><td class="num">${gbdtVsEnet.mean >= 0 ? '+' : '−'}${fmt(Math.abs(gbdtVsEnet.mean))} ± ${fmt(gbdtVsEnet.se, 2)}</td>`);
    expect(s.match(/<td>covers 0<\/td>/g)).toHaveLength(2);
    expect(s.match(/<td>below 0<\/td>/g)).toHaveLength(3);
    expect(s.match(/<td>above 0<\/td>/g)).toHaveLength(2);
  });

  it('a binary trait: AUC per fold, delta_auc intervals and an AUC sentence', () => {
    const b = demoData('binary');
    const out = renderReport(b);
    const rows = b.metrics.filter((m) => m.method.includes(':'));
    const svg = charts(out);
    expect(svg.has('chart-nonlinear-auc')).toBe(true);
    expect(svg.has('chart-nonlinear-r2')).toBe(false);
    const axis = valueAxis(svg.get('chart-nonlinear-auc')!);
    expect(Math.max(...axis.ticks)).toBeGreaterThan(0.8); // AUCs around 0.8, not R² around 0.3
    expect(section(out, 'nonlinear')).toContain(esc(nonlinearAnswer(rows, 'binary')));
    expect(nonlinearAnswer(rows, 'binary')).toContain('AUC');
    expect(svg.get('chart-nonlinear-delta')!.points).toHaveLength(pairedDifferences(rows, 'binary').length);
  });

  it('keeps the SBayesRC/SBayesR views free of the six nonlinear methods', () => {
    const folds = svgs.get('chart-folds-r2')!;
    expect(folds.bars).toHaveLength(2 * (FOLDS + 1));
    expect(folds.texts.filter((t) => t.cls !== 'tick' && t.cls !== 'value' && t.cls !== 'axis-label').map((t) => t.text)).toEqual(['SBayesRC', 'SBayesR']);
    expect(html).toContain('Held-out R² per fold (SBayesRC vs SBayesR)');
    const summary = section(html, 'summary');
    expect(summary.match(/<table class="headline"><tr><th>metric<\/th>(.*?)<\/tr>/)![1]).toBe('<th>SBayesRC</th><th>SBayesR</th>');
    expect(summary).not.toContain(':pgs+covariates');
    // "All numbers" keeps every row
    const all = section(html, 'tables');
    expect(all.match(/<tr><td>/g)!.length).toBe(d.metrics.length + d.fits.length);
  });

  it('is absent when the run has no nonlinear rows', () => {
    const out = renderReport(demoData());
    expect(out).not.toContain('<section id="nonlinear">');
    expect([...charts(out).keys()]).toEqual(['chart-folds-r2', 'chart-h2', 'chart-nnz']);
  });
});

describe('exports carry the nonlinear rows', () => {
  const d = demoData('quantitative');
  const nl = d.metrics.filter((m) => m.method.includes(':'));

  it('metrics.tsv and metrics.json hold every nonlinear row with its value, SE and n', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pgsflow-nl-export-'));
    try {
      await writeExports(dir, { run: d.run, trait: 'trait', fits: [], scores: [], metrics: d.metrics }, 'NR');
      const tsv = readFileSync(join(dir, 'metrics.tsv'), 'utf8').trim().split('\n');
      expect(tsv.length).toBe(d.metrics.length + 1);
      expect(tsv.filter((l) => l.split('\t')[2]!.includes(':'))).toHaveLength(nl.length);
      const mean = nl.find((m) => m.scope === 'folds' && m.method === 'gbdt:snps+covariates' && m.metric === 'delta_r2_vs_elasticnet')!;
      expect(tsv).toContain(`demo-cv\tfolds\tgbdt:snps+covariates\tdelta_r2_vs_elasticnet\t${mean.value}\t${mean.se}\t${FOLDS}`);
      expect(tsv.join('\n')).toBe(metricsTsv('demo-cv', d.metrics).trim());
      const json = JSON.parse(readFileSync(join(dir, 'metrics.json'), 'utf8')) as { metrics: MetricRow[] };
      expect(json.metrics.filter((m) => m.method.includes(':'))).toEqual(nl);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
