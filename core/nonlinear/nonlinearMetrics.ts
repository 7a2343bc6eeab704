// Held-out accuracy of the nonlinear comparison's models, and the paired differences against the
// linear baselines on the same folds. Pure: the store module reads the prediction files.
//  - r2: predictive R² of the model's prediction in the held-out fold, 1 − Σ(y − ŷ)² / Σ(y − ȳ)²
//    (binary: on case probabilities, i.e. 1 − Brier / var(y)); a model that predicts worse than
//    the held-out mean has r2 < 0;
//  - incremental_r2: r2 − r2 of the covariates-only linear (logistic) model fitted on the same
//    training samples;
//  - auc (binary);
//  - delta_r2 (delta_auc): the model's value − linear:pgs+covariates' (the linear score) in the
//    same fold; delta_r2_vs_elasticnet (delta_auc_vs_elasticnet): − elasticnet:snps+covariates'
//    (the LD-tagging control: same SNPs, linear). Per fold, then mean ± SE across folds.
import { auc, meanAndSe } from '../evaluation/metrics/index.js';
import { FOLDS_SCOPE, foldScope } from '../evaluation/foldMetrics.js';
import type { MetricRow, Trait } from '../../contracts/evaluation.js';

export const LINEAR_SCORE_METHOD = 'linear:pgs+covariates';
export const TAGGING_CONTROL_METHOD = 'elasticnet:snps+covariates';

export function predictiveR2(y: Float64Array, prediction: Float64Array): number {
  let mean = 0;
  for (let i = 0; i < y.length; i++) mean += y[i]!;
  mean /= y.length;
  let sse = 0;
  let sst = 0;
  for (let i = 0; i < y.length; i++) {
    sse += (y[i]! - prediction[i]!) ** 2;
    sst += (y[i]! - mean) ** 2;
  }
  return sst > 0 ? 1 - sse / sst : NaN;
}

/** One model's held-out metrics in one fold (name → value). */
export function heldOutMetrics(trait: Trait, y: Float64Array, prediction: Float64Array, covariatesOnly: Float64Array): Map<string, number> {
  const r2 = predictiveR2(y, prediction);
  const m = new Map<string, number>([
    ['r2', r2],
    ['incremental_r2', r2 - predictiveR2(y, covariatesOnly)],
  ]);
  if (trait === 'binary') m.set('auc', auc(y, prediction));
  return m;
}

/** Per method (`<model>:<inputs>`), per fold (index k − 1): the held-out metrics. */
export type FoldEvaluations = Map<string, Map<string, number>[]>;

/** Add the paired differences to every fold's metrics of `evals` (in place), where the baseline ran. */
export function addPairedDifferences(trait: Trait, evals: FoldEvaluations): void {
  const key = trait === 'binary' ? 'auc' : 'r2';
  const name = trait === 'binary' ? 'delta_auc' : 'delta_r2';
  const against = [
    { baseline: LINEAR_SCORE_METHOD, metric: name },
    { baseline: TAGGING_CONTROL_METHOD, metric: `${name}_vs_elasticnet` },
  ];
  for (const { baseline, metric } of against) {
    const base = evals.get(baseline);
    if (!base) continue;
    for (const [method, folds] of evals) {
      if (method === baseline || (baseline === TAGGING_CONTROL_METHOD && !method.endsWith(':snps+covariates'))) continue;
      folds.forEach((m, k) => m.set(metric, m.get(key)! - base[k]!.get(key)!));
    }
  }
}

const finiteOrNull = (x: number): number | null => (Number.isFinite(x) ? x : null);

/** Rows `fold-<k>` (n = held-out samples) and `folds` (mean ± SE over folds, n = folds). */
export function nonlinearMetricRows(evals: FoldEvaluations, heldOut: readonly number[]): MetricRow[] {
  const rows: MetricRow[] = [];
  for (const [method, folds] of evals) {
    folds.forEach((m, k) => {
      for (const [metric, value] of m) rows.push({ scope: foldScope(k + 1), method, metric, value: finiteOrNull(value), se: null, n: heldOut[k]! });
    });
    for (const metric of folds[0]?.keys() ?? []) {
      const s = meanAndSe(Float64Array.from(folds, (m) => m.get(metric) ?? NaN));
      rows.push({ scope: FOLDS_SCOPE, method, metric, value: finiteOrNull(s.mean), se: finiteOrNull(s.se), n: folds.length });
    }
  }
  return rows;
}
