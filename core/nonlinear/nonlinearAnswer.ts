// The answer a nonlinear comparison gives, from its `folds` rows: each model's paired difference
// with the linear score (mean over folds, 95 % interval from Student's t on folds − 1 degrees of
// freedom), and one sentence saying whether anything beat the linear score — and, for the
// SNP-level models, how much of their gain the linear elastic net on the same SNPs (the LD-
// tagging control) already has. Shared by the CLI summary and the report.
import { FOLDS_SCOPE } from '../evaluation/foldMetrics.js';
import { studentTTwoSidedP } from '../numeric/stats/distributions.js';
import type { MetricRow, Trait } from '../../contracts/evaluation.js';

export interface PairedDifference {
  method: string;
  /** delta_r2 / delta_auc (against the linear score) or its _vs_elasticnet twin. */
  metric: string;
  mean: number;
  se: number;
  low: number;
  high: number;
  folds: number;
}

/** The two-sided 95 % quantile of Student's t with `df` degrees of freedom (bisection on the CDF). */
export function t975(df: number): number {
  let lo = 0;
  let hi = 1000;
  for (let i = 0; i < 100; i++) {
    const mid = (lo + hi) / 2;
    if (studentTTwoSidedP(mid, df) > 0.05) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

export const deltaMetric = (trait: Trait): string => (trait === 'binary' ? 'delta_auc' : 'delta_r2');

export function pairedDifferences(rows: readonly MetricRow[], trait: Trait): PairedDifference[] {
  const base = deltaMetric(trait);
  return rows
    .filter((r) => r.scope === FOLDS_SCOPE && (r.metric === base || r.metric === `${base}_vs_elasticnet`) && r.value !== null)
    .map((r) => {
      const se = r.se ?? NaN;
      const half = r.n > 1 ? t975(r.n - 1) * se : NaN;
      return { method: r.method, metric: r.metric, mean: r.value!, se, low: r.value! - half, high: r.value! + half, folds: r.n };
    });
}

const signed = (x: number): string => `${x >= 0 ? '+' : '−'}${Math.abs(x).toFixed(4)}`;
const interval = (d: PairedDifference): string => `${signed(d.mean)} (95 % CI ${signed(d.low)} to ${signed(d.high)}, ${d.folds} folds)`;

/** One sentence (two when SNP-level models gained) answering "does a nonlinear model beat the linear score here?". */
export function nonlinearAnswer(rows: readonly MetricRow[], trait: Trait): string {
  const what = trait === 'binary' ? 'AUC' : 'held-out R²';
  const all = pairedDifferences(rows, trait);
  // The elastic net is the linear control on SNPs, not a nonlinear model: it never "wins".
  const vsLinear = all.filter((d) => d.metric === deltaMetric(trait) && !d.method.startsWith('elasticnet:'));
  if (vsLinear.length === 0) return 'No nonlinear model was compared with the linear score.';
  const winners = vsLinear.filter((d) => d.low > 0).sort((a, b) => b.mean - a.mean);
  const best = [...vsLinear].sort((a, b) => b.mean - a.mean)[0]!;
  let text =
    winners.length === 0
      ? `No nonlinear model beat the linear score: the best, ${best.method}, changed ${what} by ${interval(best)}.`
      : `${winners.map((w) => w.method).join(', ')} beat the linear score: ${winners[0]!.method} changed ${what} by ${interval(winners[0]!)}.`;
  const snpWinner = winners.find((w) => w.method.endsWith(':snps+covariates') && !w.method.startsWith('elasticnet:'));
  if (snpWinner) {
    const control = all.find((d) => d.method === snpWinner.method && d.metric.endsWith('_vs_elasticnet'));
    if (control) {
      const tagging = snpWinner.mean - control.mean;
      text +=
        control.low > 0
          ? ` Over the elastic net on the same SNPs it gains ${interval(control)}: that part is nonlinear; the other ${signed(tagging)} is linear (LD tagging).`
          : ` The elastic net on the same SNPs gets ${signed(tagging)} of it; ${snpWinner.method} adds ${interval(control)} over it, so its gain is linear (LD tagging), not nonlinearity.`;
    }
  }
  return text;
}
