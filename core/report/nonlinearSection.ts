// The report's "Nonlinear vs linear" section (issue 20), shown when a cross-validation run has the
// nonlinear comparison's rows (methods `<model>:<inputs>`): held-out R² (AUC for a binary trait)
// per fold and model as grouped bars and a table, the paired differences against the linear
// score (and, for SNP-level models, against the elastic net on the same SNPs) with their 95 %
// intervals, and the one-sentence answer shared with the CLI.
import { barChart } from './charts/barChart.js';
import { type IntervalRow, intervalChart } from './charts/intervalChart.js';
import { esc, fmt } from './charts/svg.js';
import { byFold, figure, isFoldScope } from './html.js';
import { type PairedDifference, deltaMetric, nonlinearAnswer, pairedDifferences } from '../nonlinear/nonlinearAnswer.js';
import { LINEAR_SCORE_METHOD, TAGGING_CONTROL_METHOD } from '../nonlinear/nonlinearMetrics.js';
import { NONLINEAR_INPUTS, NONLINEAR_MODELS } from '../../config/nonlinearModels.js';
import type { MetricRow, Trait } from '../../contracts/evaluation.js';
import type { ReportData } from '../runRecords/reportData.js';

/** A method of the nonlinear comparison (`<model>:<inputs>`), not a PGS method (SBayesRC, SBayesR, …). */
export const isNonlinearMethod = (method: string): boolean => method.includes(':');

const rank = (list: readonly string[], x: string): number => {
  const i = list.indexOf(x);
  return i < 0 ? list.length : i;
};

/** Inputs first (pgs+covariates, then snps+covariates), then models (linear, elasticnet, gbdt, mlp). */
export function orderNonlinearMethods(methods: readonly string[]): string[] {
  const key = (m: string): [number, number] => {
    const [model = '', inputs = ''] = m.split(':');
    return [rank(NONLINEAR_INPUTS, inputs), rank(NONLINEAR_MODELS, model)];
  };
  return [...methods].sort((a, b) => {
    const [ia, ma] = key(a);
    const [ib, mb] = key(b);
    return ia - ib || ma - mb || a.localeCompare(b);
  });
}

/** The trait the rows were judged as: binary when they carry AUCs. */
const traitOf = (rows: readonly MetricRow[], d: ReportData): Trait =>
  rows.some((m) => m.metric === 'auc' || m.metric === 'delta_auc') ? 'binary' : rows.some((m) => m.metric === 'delta_r2') ? 'quantitative' : (d.phenotype?.type ?? 'quantitative');

const signed = (x: number): string => (Number.isFinite(x) ? `${x >= 0 ? '+' : '−'}${fmt(Math.abs(x))}` : '—');

export function nonlinearSection(d: ReportData): string {
  const rows = d.metrics.filter((m) => isNonlinearMethod(m.method));
  if (rows.length === 0) return '';
  const trait = traitOf(rows, d);
  const metric = trait === 'binary' ? 'auc' : 'r2';
  const what = trait === 'binary' ? 'AUC' : 'R²';
  const folds = [...new Set(rows.filter((m) => isFoldScope(m.scope)).map((m) => m.scope))].sort(byFold);
  const methods = orderNonlinearMethods([...new Set(rows.map((m) => m.method))]);
  const get = (scope: string, method: string, name: string): MetricRow | undefined => rows.find((m) => m.scope === scope && m.method === method && m.metric === name);

  const answer = `<p class="answer"><strong>Answer for this study:</strong> ${esc(nonlinearAnswer(rows, trait))}</p>`;

  const perFold = barChart({
    id: `chart-nonlinear-${metric}`,
    title: `Held-out ${what} per fold and mean ± SE, per model (${methods.join(', ')})`,
    categories: [...folds, 'mean ± SE'],
    series: methods.map((method) => {
      const mean = get('folds', method, metric);
      return { name: method, values: [...folds.map((f) => get(f, method, metric)?.value ?? null), mean?.value ?? null], errors: [...folds.map(() => null), mean?.se ?? null] };
    }),
    yLabel: `held-out ${what}`,
  });
  const heldOutNote =
    'Every model is fitted on the fold’s training samples only (hyper-parameters and early stopping on an inner split of them) and judged on the held-out fold — the folds the linear score is judged on. ' +
    'pgs+covariates: the fold’s SBayesRC score and the covariates; snps+covariates: the fold GWAS’s top SNPs, LD-pruned in the training samples, and the covariates. ' +
    (trait === 'binary' ? 'AUC of the predicted case probability.' : 'Predictive R² = 1 − SSE / SST on the held-out samples; below 0 when a model predicts worse than the held-out mean.');
  const incremental = rows.some((m) => m.metric === 'incremental_r2');
  const table =
    `<table class="nonlinear-heldout"><tr><th>model</th>${folds.map((f) => `<th>${esc(f)}</th>`).join('')}<th>mean ± SE</th>${incremental ? '<th>incremental R²</th>' : ''}</tr>` +
    methods
      .map((method) => {
        const cells = folds.map((f) => `<td class="num">${esc(fmt(get(f, method, metric)?.value ?? null, 3))}</td>`).join('');
        const pm = (r: MetricRow | undefined, digits = 4): string => `<td class="num">${esc(fmt(r?.value ?? null, digits))}${r?.se != null ? ` ± ${esc(fmt(r.se, 2))}` : ''}</td>`;
        return `<tr><th>${esc(method)}</th>${cells}${pm(get('folds', method, metric))}${incremental ? pm(get('folds', method, 'incremental_r2'), 3) : ''}</tr>`;
      })
      .join('') +
    '</table>';

  return `<section id="nonlinear"><h2>Nonlinear vs linear</h2>${answer}<div class="charts">${figure(`Held-out ${what} per fold and model`, perFold, heldOutNote)}</div><div class="table-scroll">${table}</div>${differencesPart(rows, trait, methods, what)}</section>`;
}

function differencesPart(rows: readonly MetricRow[], trait: Trait, methods: readonly string[], what: string): string {
  const diffs = pairedDifferences(rows, trait);
  if (diffs.length === 0) return `<p class="note">No paired differences recorded (the linear score ${esc(LINEAR_SCORE_METHOD)} did not run).</p>`;
  const base = deltaMetric(trait);
  const against = [
    { metric: base, name: `− ${LINEAR_SCORE_METHOD}` },
    { metric: `${base}_vs_elasticnet`, name: `− ${TAGGING_CONTROL_METHOD}` },
  ].filter((a) => diffs.some((x) => x.metric === a.metric));
  const find = (method: string, metric: string): PairedDifference | undefined => diffs.find((x) => x.method === method && x.metric === metric);
  const shown = methods.filter((m) => against.some((a) => find(m, a.metric)));
  const chartRows: IntervalRow[] = shown.map((method) => ({
    label: method,
    values: against.map((a) => {
      const x = find(method, a.metric);
      return x ? { value: x.mean, lo: x.low, hi: x.high } : null;
    }),
  }));
  const chart = intervalChart({
    id: 'chart-nonlinear-delta',
    title: `Paired difference in held-out ${what} against the linear baselines, mean over folds with 95 % interval`,
    series: against.map((a) => a.name),
    rows: chartRows,
    xLabel: `paired difference in held-out ${what} (model − baseline, same folds)`,
    reference: 0,
    span: [0],
  });
  const note =
    `Per fold, the model’s held-out ${what} minus the baseline’s on the same samples; mean over folds with a 95 % interval (± t(0.975, folds − 1) × SE across folds). ` +
    `${TAGGING_CONTROL_METHOD} is the LD-tagging control: a SNP-level model’s gain over it is the nonlinear part, its gain over ${LINEAR_SCORE_METHOD} may be linear tagging.`;
  const verdict = (x: PairedDifference): string => (x.low > 0 ? 'above 0' : x.high < 0 ? 'below 0' : Number.isFinite(x.low) ? 'covers 0' : '—');
  const table =
    '<table class="nonlinear-delta"><tr><th>model</th><th>against</th><th>mean difference ± SE</th><th>95 % interval</th><th>folds</th><th>interval</th></tr>' +
    shown
      .flatMap((method) =>
        against.flatMap((a) => {
          const x = find(method, a.metric);
          if (!x) return [];
          const baseline = a.metric === base ? LINEAR_SCORE_METHOD : TAGGING_CONTROL_METHOD;
          return [
            `<tr><th>${esc(method)}</th><td>${esc(baseline)}</td><td class="num">${esc(signed(x.mean))} ± ${esc(fmt(x.se, 2))}</td><td class="num">${esc(signed(x.low))} to ${esc(signed(x.high))}</td><td class="num">${x.folds}</td><td>${verdict(x)}</td></tr>`,
          ];
        }),
      )
      .join('') +
    '</table>';
  return `<div class="charts">${figure(`Paired differences in held-out ${what} with 95 % intervals`, chart, note)}</div><div class="table-scroll">${table}</div>`;
}
