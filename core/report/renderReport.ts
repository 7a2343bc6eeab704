// The run report as ONE self-contained HTML file: inline CSS and inline SVG charts, no scripts,
// no network. Every chart sits under a visible <h2>/<h3> heading and carries an SVG <title>;
// every piece of text that came from the store (names come from user files) is escaped.
import { barChart } from './charts/barChart.js';
import { intervalChart, type IntervalRow } from './charts/intervalChart.js';
import { lineChart } from './charts/lineChart.js';
import { esc, fmt } from './charts/svg.js';
import { timelineChart } from './charts/timeline.js';
import { byFold, figure, isFoldScope } from './html.js';
import { isNonlinearMethod, nonlinearSection } from './nonlinearSection.js';
import type { MetricRow } from '../../contracts/evaluation.js';
import type { FitRow, ReportData } from '../runRecords/reportData.js';

const CSS = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#1b1f24;background:#fafbfc}
main{max-width:1100px;margin:0 auto;padding:24px}
h1{font-size:24px;margin:0 0 4px}h2{font-size:19px;margin:32px 0 8px;border-bottom:1px solid #d0d7de;padding-bottom:4px}
h3{font-size:15px;margin:18px 0 6px}
.sub{color:#57606a;margin:0 0 16px}.note{color:#57606a;font-size:12.5px;margin:4px 0 10px}
table{border-collapse:collapse;margin:8px 0;font-size:13px;background:#fff}
th,td{border:1px solid #d0d7de;padding:3px 8px;text-align:left;vertical-align:top}th{background:#f3f4f6}
td.num{text-align:right;font-variant-numeric:tabular-nums}
code{font:12px ui-monospace,SFMono-Regular,Menlo,monospace;word-break:break-all}
figure{margin:8px 0 16px;background:#fff;border:1px solid #e1e4e8;border-radius:6px;padding:8px;display:inline-block;max-width:100%;overflow-x:auto}
.charts{display:flex;flex-wrap:wrap;gap:12px}
.table-scroll{overflow-x:auto;max-width:100%}.table-scroll td.num{white-space:nowrap}
.answer{font-size:15px;background:#fff;border-left:4px solid #1f77b4;padding:8px 12px;margin:8px 0 12px}
svg.chart{font-size:11px;display:block;max-width:100%;height:auto}
svg .grid{stroke:#e6e8eb}svg .axis{stroke:#57606a}svg .tick{fill:#404850}svg .axis-label{fill:#1b1f24;font-size:12px}
svg .value{fill:#404850;font-size:10px}svg .errorbar{stroke:#1b1f24;stroke-width:1.2;fill:none}
svg .line{stroke-width:2}svg .interval{stroke-width:2.5}svg .reference{stroke:#999;stroke-dasharray:4 3}
svg .step.cache-hit{opacity:.45}
.status-completed{color:#1a7f37;font-weight:600}.status-failed,.status-terminated,.status-cancelled{color:#cf222e;font-weight:600}.status-running{color:#9a6700;font-weight:600}
`;

const METRIC_LABEL: Record<string, string> = {
  r2: 'R²',
  incremental_r2: 'incremental R²',
  calibration_slope: 'calibration slope',
  pearson: 'Pearson r',
  auc: 'AUC',
  or_per_sd: 'OR per SD',
  mcfadden_r2: 'McFadden R²',
  liability_r2: 'liability-scale R²',
};
const metricLabel = (m: string): string => METRIC_LABEL[m] ?? (m.startsWith('weight:') ? `mixing weight ${m.slice(7)}` : m);

function durationText(startIso: string, endIso: string | null): string {
  if (!endIso) return '—';
  const s = (Date.parse(endIso) - Date.parse(startIso)) / 1000;
  if (!Number.isFinite(s)) return '—';
  if (s < 120) return `${fmt(s, 3)} s`;
  if (s < 7200) return `${fmt(s / 60, 3)} min`;
  return `${fmt(s / 3600, 3)} h`;
}

function kv(rows: [string, string][]): string {
  return `<table class="kv">${rows.map(([k, v]) => `<tr><th>${esc(k)}</th><td>${v}</td></tr>`).join('')}</table>`;
}

/** Unit of a fit scope: 'fold-3/SBayesRC' → 'fold-3'. */
const unitOf = (scope: string): string => scope.split('/')[0] ?? scope;

export function renderReport(d: ReportData): string {
  const sections = [summarySection(d), qcSection(d), metricsSection(d), nonlinearSection(d), calibrationSection(d), fitSection(d), enrichmentSection(d), timelineSection(d), tablesSection(d)];
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>${esc(`pgsflow report — ${d.run.name} (${d.run.runId})`)}</title><style>${CSS}</style></head>
<body><main>
<h1>${esc(d.run.name)}</h1>
<p class="sub">pgsflow run <code>${esc(d.run.runId)}</code> · ${esc(d.run.design)} · report generated ${esc(d.generatedAt)}</p>
${sections.join('\n')}
</main></body></html>
`;
}

function summarySection(d: ReportData): string {
  const r = d.run;
  const rows: [string, string][] = [
    ['Study', esc(r.name)],
    ['Run id', `<code>${esc(r.runId)}</code>`],
    ['Design', esc(r.design)],
    ['Status', `<span class="status-${esc(r.status)}">${esc(r.status)}</span>`],
    ['Phenotype', d.phenotype ? `${esc(d.phenotype.column)} (${esc(d.phenotype.type)})` : '—'],
    ['Study file sha256', r.studySha256 ? `<code>${esc(r.studySha256)}</code>` : '—'],
    ['Study file', r.studyPath ? `<code>${esc(r.studyPath)}</code>` : '—'],
    ['Code version', r.codeVersion ? `<code>${esc(r.codeVersion)}</code>` : '—'],
    ['Temporal run id', r.temporalRunId ? `<code>${esc(r.temporalRunId)}</code>` : '—'],
    ['Resumed from', r.resumedFrom ? `<code>${esc(r.resumedFrom)}</code>` : '— (a fresh run)'],
    ['Started', esc(r.startedAt)],
    ['Finished', esc(r.finishedAt ?? '—')],
    ['Duration', esc(durationText(r.startedAt, r.finishedAt))],
    ['Steps recorded', `${d.steps.length} (${d.steps.filter((s) => s.cacheHit).length} reused from an earlier run)`],
  ];
  const headline = headlineMetrics(d);
  return `<section id="summary"><h2>Study summary and provenance</h2>${kv(rows)}${headline}</section>`;
}

function headlineMetrics(d: ReportData): string {
  // The nonlinear comparison's models have their own section (and its one-sentence answer).
  const agg = d.metrics.filter((m) => !isNonlinearMethod(m.method) && (m.scope === 'folds' || (d.run.design === 'cross-ancestry' && !m.metric.startsWith('weight:'))));
  if (agg.length === 0) return '';
  const metrics = [...new Set(agg.map((m) => m.metric))];
  const cols = [...new Set(agg.map((m) => (m.scope === 'folds' ? m.method : `${m.scope} · ${m.method}`)))];
  const cell = (col: string, metric: string): string => {
    const m = agg.find((x) => (x.scope === 'folds' ? x.method : `${x.scope} · ${x.method}`) === col && x.metric === metric);
    if (!m) return '<td class="num">—</td>';
    return `<td class="num">${esc(fmt(m.value))}${m.se !== null ? ` ± ${esc(fmt(m.se))}` : ''}</td>`;
  };
  const title = d.run.design === 'cross-validation' ? 'Mean over folds ± SE' : 'Test-sample metrics (target ancestry)';
  return `<h3>${esc(title)}</h3><table class="headline"><tr><th>metric</th>${cols.map((c) => `<th>${esc(c)}</th>`).join('')}</tr>${metrics
    .map((m) => `<tr><th>${esc(metricLabel(m))}</th>${cols.map((c) => cell(c, m)).join('')}</tr>`)
    .join('')}</table>`;
}

function qcSection(d: ReportData): string {
  if (d.qc.length === 0) return `<section id="qc"><h2>Summary-statistics QC funnel</h2><p class="note">No QC counts recorded for this run.</p></section>`;
  const scopes = [...new Set(d.qc.map((q) => q.scope))].sort(byFold);
  const rules = [...new Set(d.qc.map((q) => `${q.position}\u0000${q.rule}`))].sort((a, b) => parseInt(a) - parseInt(b)).map((x) => x.split('\u0000')[1]!);
  const categories = ['input', ...rules];
  const series = scopes.map((scope) => {
    const rows = d.qc.filter((q) => q.scope === scope).sort((a, b) => a.position - b.position);
    const first = rows[0]!;
    const pts = [{ x: 0, y: first.remaining + first.removed }, ...rows.map((q) => ({ x: categories.indexOf(q.rule), y: q.remaining }))];
    return { name: scope, points: pts };
  });
  const chart = lineChart({ id: 'chart-qc-funnel', title: 'QC funnel: variants remaining after each rule, per fold / ancestry', series, xLabel: 'QC rule (in the order applied)', yLabel: 'variants remaining', xCategories: categories, width: 760 });
  const table = `<table><tr><th>rule</th>${scopes.map((s) => `<th>${esc(s)} removed</th>`).join('')}</tr>${rules
    .map((rule) => `<tr><td>${esc(rule)}</td>${scopes.map((s) => `<td class="num">${esc(fmt(d.qc.find((q) => q.scope === s && q.rule === rule)?.removed ?? null))}</td>`).join('')}</tr>`)
    .join('')}</table>`;
  return `<section id="qc"><h2>Summary-statistics QC funnel</h2>${figure('Variants remaining after each QC rule', chart)}${table}</section>`;
}

function metricsSection(d: ReportData): string {
  return d.run.design === 'cross-ancestry' ? crossAncestrySection(d) : foldMetricsSection(d);
}

function foldMetricsSection(d: ReportData): string {
  const perFold = d.metrics.filter((m) => isFoldScope(m.scope) && !isNonlinearMethod(m.method));
  if (perFold.length === 0) return `<section id="folds"><h2>Prediction accuracy per fold</h2><p class="note">No fold metrics recorded.</p></section>`;
  const folds = [...new Set(perFold.map((m) => m.scope))].sort(byFold);
  const methods = orderMethods([...new Set(perFold.map((m) => m.method))]);
  const wanted = ['r2', 'auc'].filter((metric) => perFold.some((m) => m.metric === metric && m.value !== null));
  if (!wanted.includes('r2') && perFold.some((m) => m.metric === 'incremental_r2')) wanted.unshift('incremental_r2');
  const figs = wanted.map((metric) => {
    const series = methods.map((method) => {
      const values = folds.map((f) => perFold.find((m) => m.scope === f && m.method === method && m.metric === metric)?.value ?? null);
      const mean = d.metrics.find((m) => m.scope === 'folds' && m.method === method && m.metric === metric);
      return { name: method, values: [...values, mean?.value ?? null], errors: [...folds.map(() => null), mean?.se ?? null] };
    });
    const label = metricLabel(metric);
    const chart = barChart({ id: `chart-folds-${metric}`, title: `Held-out ${label} per fold and mean ± SE, ${methods.join(' vs ')}`, categories: [...folds, 'mean ± SE'], series, yLabel: label });
    return figure(`Held-out ${label} per fold (${methods.join(' vs ')})`, chart, 'Each fold is scored with the weights fitted without it; the last group is the mean over folds with its standard error.');
  });
  return `<section id="folds"><h2>Prediction accuracy per fold</h2><div class="charts">${figs.join('')}</div></section>`;
}

function crossAncestrySection(d: ReportData): string {
  const test = d.metrics.filter((m) => !m.metric.startsWith('weight:'));
  const weights = d.metrics.filter((m) => m.metric.startsWith('weight:'));
  const parts: string[] = [];
  const units = [...new Set(test.map((m) => `${m.scope}\u0000${m.method}`))]
    .map((k) => k.split('\u0000') as [string, string])
    .sort((a, b) => Number(a[0] === 'combined') - Number(b[0] === 'combined') || a[0].localeCompare(b[0]));
  const cats = units.map(([scope, method]) => (scope === 'combined' ? `combined (${method})` : `${scope} weights`));
  const groups = test.some((m) => m.metric === 'auc' && m.value !== null) ? [['r2', 'incremental_r2'], ['auc']] : [['r2', 'incremental_r2']];
  for (const metrics of groups) {
    const present = metrics.filter((mt) => test.some((m) => m.metric === mt));
    if (present.length === 0) continue;
    const series = present.map((mt) => ({ name: metricLabel(mt), values: units.map(([scope, method]) => test.find((m) => m.scope === scope && m.method === method && m.metric === mt)?.value ?? null) }));
    const label = present.map(metricLabel).join(' and ');
    const n = test.find((m) => m.metric === present[0])?.n;
    const chart = barChart({ id: `chart-ancestry-${present[0]}`, title: `Test-sample ${label}: single-ancestry scores vs the combined score`, categories: cats, series, yLabel: present.length > 1 ? 'R²' : metricLabel(present[0]!) });
    parts.push(figure(`Test ${label}: single ancestry vs combined`, chart, `Test samples only (n = ${n}); tuning samples, on which the mixing weights were fitted, are excluded.`));
  }
  if (weights.length > 0) {
    // One series per way of learning the weights (the study's, and the tuning comparison beside
    // summary or fixed weights), each weight with its 95 % interval where an SE is known.
    const ancestries = [...new Set(weights.map((w) => w.metric.slice(7)))];
    const methods = [...new Set(weights.map((w) => w.method))].sort((a, b) => Number(a !== 'SBayesRC-multi') - Number(b !== 'SBayesRC-multi'));
    const series = methods.map((method) => {
      const row = (a: string): MetricRow | undefined => weights.find((w) => w.method === method && w.metric === `weight:${a}`);
      return { name: weightingLabel(method, d.weighting ?? undefined), values: ancestries.map((a) => row(a)?.value ?? null), errors: ancestries.map((a) => (row(a)?.se == null ? null : 1.96 * row(a)!.se!)) };
    });
    const chart = barChart({ id: 'chart-mixing-weights', title: 'SBayesRC-multi mixing weights per training ancestry (standardised scores, ± 95 % interval)', categories: ancestries, series, yLabel: 'weight' });
    parts.push(figure('Mixing weights per training ancestry', chart, weightingCaption(d.weighting ?? undefined)));
  }
  if (parts.length === 0) parts.push('<p class="note">No test metrics recorded.</p>');
  return `<section id="ancestry"><h2>Cross-ancestry: mixing weights and test metrics</h2><div class="charts">${parts.join('')}</div></section>`;
}

/** Series label of a combination's weights: how they were learnt. */
function weightingLabel(method: string, weighting: string | undefined): string {
  if (method !== 'SBayesRC-multi') return 'tuning samples (comparison)';
  return weighting === 'summary' ? 'summary statistics (pseudo-validation)' : weighting === 'fixed' ? 'fixed (study file)' : 'tuning samples';
}

function weightingCaption(weighting: string | undefined): string {
  const interval = 'Intervals: ± 1.96 SE (OLS on the tuning samples; block jackknife over LD blocks for summary-statistics weights).';
  if (weighting === 'summary') return `Coefficients of the standardised per-ancestry scores learnt from the target's GWAS alone: split in silico into training and validation halves, the target refitted on the training half, the weights maximising the validation half's R². The tuning-sample weights are shown beside them for comparison only. ${interval}`;
  if (weighting === 'fixed') return `Coefficients of the standardised per-ancestry scores as given in the study file; the tuning-sample weights beside them for comparison only. ${interval}`;
  return `Coefficients of the standardised per-ancestry scores, fitted on the tuning samples with the covariates. ${interval}`;
}

const methodRank = (m: string): number => (m === 'SBayesRC' ? 0 : m === 'SBayesR' ? 1 : 2);

function orderMethods(methods: string[]): string[] {
  return methods.sort((a, b) => methodRank(a) - methodRank(b) || a.localeCompare(b));
}

function calibrationSection(d: ReportData): string {
  const h = '<h2>Calibration by PGS decile</h2>';
  if (d.calibration.length === 0) return `<section id="calibration">${h}<p class="note">Calibration not available: ${esc(d.calibrationNote ?? 'no scores')}.</p></section>`;
  const binary = d.phenotype?.type === 'binary';
  const what = binary ? 'proportion of cases' : `mean observed ${d.phenotype?.column ?? 'phenotype'}`;
  const chart = lineChart({
    id: 'chart-calibration',
    title: `Calibration: ${what} by PGS decile, per method`,
    series: [...d.calibration].sort((a, b) => methodRank(a.label) - methodRank(b.label) || a.label.localeCompare(b.label)).map((g) => ({ name: `${g.label} (n = ${g.n})`, points: g.points.map((p) => ({ x: p.decile - 1, y: p.meanObserved, err: p.se })) })),
    xLabel: 'PGS decile (1 = lowest score)',
    yLabel: what,
    xCategories: Array.from({ length: 10 }, (_, i) => String(i + 1)),
  });
  const note =
    d.run.design === 'cross-validation'
      ? 'Held-out samples only: each sample is scored by the fold model fitted without it; deciles are formed within each fold and pooled. Bars: ± 1 SE of the decile mean.'
      : 'All scored target samples (tuning and test): each training ancestry’s score and the SBayesRC-multi combination. Bars: ± 1 SE of the decile mean.';
  return `<section id="calibration">${h}${figure(`${what[0]!.toUpperCase()}${what.slice(1)} by PGS decile`, chart, note)}</section>`;
}

function fitSection(d: ReportData): string {
  if (d.fits.length === 0) return `<section id="fits"><h2>Heritability and number of non-zero effects</h2><p class="note">No fits recorded.</p></section>`;
  const units = [...new Set(d.fits.map((f) => unitOf(f.scope)))].sort(byFold);
  const methods = orderMethods([...new Set(d.fits.map((f) => f.method))]);
  const pick = (u: string, m: string): FitRow | undefined => d.fits.find((f) => unitOf(f.scope) === u && f.method === m);
  const unitName = d.run.design === 'cross-validation' ? 'fold' : 'training ancestry';
  const h2 = barChart({
    id: 'chart-h2',
    title: `SNP heritability (posterior mean ± SD) per ${unitName} and method`,
    categories: units,
    series: methods.map((m) => ({ name: m, values: units.map((u) => pick(u, m)?.h2 ?? null), errors: units.map((u) => pick(u, m)?.h2Sd ?? null) })),
    yLabel: 'h² (SNP)',
    nonNegative: true,
  });
  const nnz = barChart({
    id: 'chart-nnz',
    title: `Number of non-zero effects (posterior mean ± SD) per ${unitName} and method`,
    categories: units,
    series: methods.map((m) => ({ name: m, values: units.map((u) => pick(u, m)?.nnz ?? null), errors: units.map((u) => pick(u, m)?.nnzSd ?? null) })),
    yLabel: 'nnz',
    nonNegative: true,
  });
  return `<section id="fits"><h2>Heritability and number of non-zero effects</h2><div class="charts">${figure(`h² per ${unitName}`, h2, fitSdNote(d.fits.some((f) => f.h2 - f.h2Sd < 0)))}${figure(`nnz per ${unitName}`, nnz, fitSdNote(d.fits.some((f) => f.nnzSd !== null && f.nnz - f.nnzSd < 0)))}</div>${fitWarnings(d.fits)}</section>`;
}

/** Note under the h²/nnz charts, whose error bars stop at 0 (neither quantity can be negative). */
const fitSdNote = (cut: boolean): string =>
  `Bars: posterior mean ± posterior SD${cut ? '; error bars that would run below 0 stop there (the quantity cannot be negative), the tooltips give the full SD' : ''}.`;

/** The fits' data warnings (e.g. a GWAS too small for the panel), small and escaped; '' when none. */
function fitWarnings(fits: readonly FitRow[]): string {
  const items = fits.flatMap((f) => (f.warnings ?? []).map((w) => `<li>${esc(f.scope)} ${esc(f.method)}: ${esc(w)}</li>`));
  return items.length === 0 ? '' : `<div class="note fit-warnings"><p>Fit warnings:</p><ul>${items.join('')}</ul></div>`;
}

function enrichmentSection(d: ReportData): string {
  const h = '<h2>Annotation enrichment</h2>';
  const annotated = d.fits.filter((f) => f.annotations.length > 1 && f.enrichment.length === f.annotations.length);
  if (annotated.length === 0) return `<section id="enrichment">${h}<p class="note">No annotated (SBayesRC) fit in this run.</p></section>`;
  // Series: one per method (cross-validation: across folds) or per fit (cross-ancestry).
  const cv = d.run.design === 'cross-validation';
  const seriesKeys = cv ? [...new Set(annotated.map((f) => f.method))] : annotated.map((f) => f.scope);
  const names = [...new Set(annotated.flatMap((f) => f.annotations))].filter((a) => a.toLowerCase() !== 'intercept');
  let intervalKind = 'point estimates';
  const estimate = (key: string, annot: string): { value: number; lo?: number; hi?: number } | null => {
    const fits = annotated.filter((f) => (cv ? f.method === key : f.scope === key));
    const vals = fits.map((f) => ({ v: f.enrichment[f.annotations.indexOf(annot)], sd: f.enrichmentSd?.[f.annotations.indexOf(annot)] })).filter((x) => x.v !== undefined && Number.isFinite(x.v));
    if (vals.length === 0) return null;
    if (vals.length === 1) {
      const { v, sd } = vals[0]!;
      if (sd !== undefined && Number.isFinite(sd)) {
        intervalKind = 'posterior mean with 95% interval (± 1.96 posterior SD)';
        return { value: v!, lo: v! - 1.96 * sd, hi: v! + 1.96 * sd };
      }
      return { value: v! };
    }
    const n = vals.length;
    const mean = vals.reduce((a, x) => a + x.v!, 0) / n;
    const se = Math.sqrt(vals.reduce((a, x) => a + (x.v! - mean) ** 2, 0) / (n - 1) / n);
    intervalKind = `mean over ${n} folds with 95% interval (± 1.96 SE across folds)`;
    return { value: mean, lo: mean - 1.96 * se, hi: mean + 1.96 * se };
  };
  const rows: IntervalRow[] = names.map((a) => ({ label: a, values: seriesKeys.map((k) => estimate(k, a)) }));
  const top = rows
    .map((r) => ({ r, key: Math.max(...r.values.map((v) => v?.value ?? -Infinity)) }))
    .sort((a, b) => b.key - a.key)
    .slice(0, 15)
    .map((x) => x.r);
  const chart = intervalChart({ id: 'chart-enrichment', title: 'Per-SNP heritability enrichment of the top annotations', series: seriesKeys, rows: top, xLabel: 'enrichment (1 = no enrichment)', reference: 1 });
  const sdNote = annotated.some((f) => f.enrichmentSd)
    ? ''
    : ' The fits record posterior means of enrichment only (no posterior SD), so a single fit shows a point estimate without an interval.';
  const note = `Top ${top.length} of ${names.length} annotations by enrichment; intercept omitted. Shown: ${intervalKind}.${sdNote} Binary annotations: mean β² of annotated SNPs over the mean of all; continuous: 1 + change per SD.`;
  return `<section id="enrichment">${h}${figure('Top annotations by heritability enrichment', chart, note)}</section>`;
}

function timelineSection(d: ReportData): string {
  const h = '<h2>Step timeline</h2>';
  if (d.steps.length === 0) return `<section id="timeline">${h}<p class="note">No steps recorded.</p></section>`;
  const origin = Date.parse(d.run.startedAt);
  const rows = d.steps.map((s) => {
    const end = Date.parse(s.finishedAt ?? s.startedAt);
    return { label: s.scope ? `${s.step} · ${s.scope}` : s.step, group: s.step, startMs: Date.parse(s.startedAt), endMs: end, cacheHit: s.cacheHit };
  });
  const zero = rows.filter((r) => r.endMs === r.startMs).length;
  const chart = timelineChart({ id: 'chart-timeline', title: 'Step timeline: when each recorded step started and finished', originMs: origin, endMs: d.run.finishedAt ? Date.parse(d.run.finishedAt) : undefined, rows });
  const note =
    (zero > 0 ? `${zero} of ${rows.length} steps recorded only their completion time (no start), shown as a thin mark at completion. ` : '') +
    'Faded bars: results reused from an earlier run (cache hits).';
  return `<section id="timeline">${h}${figure('Steps over time', chart, note)}</section>`;
}

function tablesSection(d: ReportData): string {
  const metricRows = (ms: MetricRow[]): string =>
    ms.map((m) => `<tr><td>${esc(m.scope)}</td><td>${esc(m.method)}</td><td>${esc(metricLabel(m.metric))}</td><td class="num">${esc(fmt(m.value))}</td><td class="num">${esc(fmt(m.se))}</td><td class="num">${m.n}</td></tr>`).join('');
  const fitRows = d.fits
    .map(
      (f) =>
        `<tr><td>${esc(f.scope)}</td><td>${esc(f.method)}</td><td class="num">${esc(fmt(f.h2))} ± ${esc(fmt(f.h2Sd))}</td><td class="num">${esc(fmt(f.nnz))}</td><td class="num">${esc(fmt(f.sigma2e))}</td><td>${esc(f.pi.map((p) => fmt(p, 3)).join(', '))}</td><td class="num">${esc(fmt(f.cutoff))}</td><td>${esc(f.cutoffReason)}</td><td class="num">${f.removedSnps}</td></tr>`,
    )
    .join('');
  return `<section id="tables"><h2>All numbers</h2>
<h3>Metrics</h3><table><tr><th>scope</th><th>method</th><th>metric</th><th>value</th><th>SE</th><th>n</th></tr>${metricRows(d.metrics)}</table>
<h3>Fits</h3><table><tr><th>scope</th><th>method</th><th>h² ± SD</th><th>nnz</th><th>σ²e</th><th>π</th><th>cut-off</th><th>cut-off reason</th><th>removed SNPs</th></tr>${fitRows}</table>
</section>`;
}
