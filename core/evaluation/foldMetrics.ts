// Accuracy of a polygenic score in evaluation samples (DESIGN §5.4) as metric rows: per fold,
// and mean ± SE over folds. Pure: the store modules gather y, PGS and covariates.
import { SingularDesignError, auc, incrementalR2, liabilityR2, mcFaddenR2, meanAndSe, ols, oddsRatioPerSd, pearson } from './metrics/index.js';
import { completeCases } from './metrics/samples.js';
import type { MetricRow } from '../../contracts/evaluation.js';
import type { Trait } from '../../contracts/evaluation.js';

export interface MetricOptions {
  trait: Trait;
  /** Population prevalence of a binary trait: adds liability_r2. */
  prevalence?: number;
}

/** Metrics of one score on one sample set, in a fixed order (NaN = undefined). */
export interface ScoreEvaluation {
  n: number;
  metrics: { metric: string; value: number }[];
}

/**
 * r2 = pearson², incremental_r2 = R²(y ~ cov + pgs) − R²(y ~ cov), calibration_slope = the pgs
 * coefficient in y ~ cov + pgs; binary (y 0/1) also auc, or_per_sd, mcfadden_r2 and, given a
 * prevalence, liability_r2 (Lee et al. 2012 on the observed incremental R²). Samples with any
 * non-finite value are dropped first, so every metric sees the same n.
 */
export function evaluateScore(y: Float64Array, pgs: Float64Array, covariates: readonly Float64Array[], opts: MetricOptions): ScoreEvaluation {
  const [yy, score, ...cov] = completeCases([y, pgs, ...covariates], ['phenotype', 'pgs', ...covariates.map((_, k) => `covariate ${k}`)]);
  const r = pearson(score, yy);
  const inc = incrementalR2(yy, score, cov);
  const metrics = [
    { metric: 'r2', value: r * r },
    { metric: 'incremental_r2', value: inc },
    { metric: 'calibration_slope', value: calibrationSlope(yy, score, cov) },
    { metric: 'pearson', value: r },
  ];
  if (opts.trait === 'binary') {
    metrics.push({ metric: 'auc', value: auc(yy, score) }, { metric: 'or_per_sd', value: oddsRatioPerSd(yy, score, cov).oddsRatio }, { metric: 'mcfadden_r2', value: mcFaddenR2(yy, score, cov) });
    if (opts.prevalence !== undefined) {
      let cases = 0;
      for (let i = 0; i < yy.length; i++) cases += yy[i]!;
      metrics.push({ metric: 'liability_r2', value: liabilityR2(inc, opts.prevalence, cases / yy.length) });
    }
  }
  return { n: yy.length, metrics };
}

/** Coefficient of the pgs adjusted for the covariates; NaN when the pgs adds no column (collinear). */
function calibrationSlope(y: Float64Array, pgs: Float64Array, cov: readonly Float64Array[]): number {
  try {
    const fit = ols(y, [...cov, pgs]);
    return fit.coefficients[fit.p - 1]!;
  } catch (e) {
    if (e instanceof SingularDesignError && e.columns.length === 1 && e.columns[0] === cov.length + 1) return NaN;
    throw e;
  }
}

const finiteOrNull = (x: number): number | null => (Number.isFinite(x) ? x : null);

/** One scope's rows (se null: a single evaluation). */
export function metricRows(scope: string, method: string, ev: ScoreEvaluation): MetricRow[] {
  return ev.metrics.map((m) => ({ scope, method, metric: m.metric, value: finiteOrNull(m.value), se: null, n: ev.n }));
}

export const foldScope = (k: number): string => `fold-${k}`;
export const FOLDS_SCOPE = 'folds';

/** Rows `fold-<k>` for each fold (1-based, in order) and `folds`: mean and SE over folds, n = folds. */
export function foldMetricRows(method: string, perFold: readonly ScoreEvaluation[]): MetricRow[] {
  const rows = perFold.flatMap((ev, k) => metricRows(foldScope(k + 1), method, ev));
  const names = perFold[0]?.metrics.map((m) => m.metric) ?? [];
  for (const metric of names) {
    const values = Float64Array.from(perFold, (ev) => ev.metrics.find((m) => m.metric === metric)?.value ?? NaN);
    const s = meanAndSe(values);
    rows.push({ scope: FOLDS_SCOPE, method, metric, value: finiteOrNull(s.mean), se: finiteOrNull(s.se), n: perFold.length });
  }
  return rows;
}
