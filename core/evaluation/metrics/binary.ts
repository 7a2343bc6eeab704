// Accuracy of a polygenic score for a binary trait (1 case, 0 control) in held-out samples.
import { normalQuantile } from '../../numeric/random/normalDistribution.js';
import { logisticRegression, type LogisticFit } from './logistic.js';
import { checkBinary, completeCases, mean } from './samples.js';
import { MetricInputError, SingularDesignError } from '../../errors.js';

export { logisticRegression, type LogisticFit, type LogisticOptions } from './logistic.js';
export { liabilityR2 } from './liability.js';

/**
 * Area under the ROC curve = P(score of a random case > score of a random control), ties ½:
 * the Mann–Whitney U statistic over n₁n₀ pairs, equal to the average-rank formula. Cases and
 * controls are sorted separately and merged, O(n log n), with integer counts (exact).
 * Throws MetricInputError when there are no cases or no controls.
 */
export function auc(cases01: Float64Array, score: Float64Array): number {
  const [y, s] = completeCases([cases01, score], ['case status', 'score']);
  checkBinary(y, 'case status');
  let n1 = 0;
  for (let i = 0; i < y.length; i++) n1 += y[i]!;
  const n0 = y.length - n1;
  if (n1 === 0 || n0 === 0) throw new MetricInputError(`AUC needs cases and controls; got ${n1} cases and ${n0} controls`);
  const cases = new Float64Array(n1);
  const controls = new Float64Array(n0);
  for (let i = 0, a = 0, b = 0; i < y.length; i++) {
    if (y[i] === 1) cases[a++] = s[i]!;
    else controls[b++] = s[i]!;
  }
  cases.sort();
  controls.sort();
  // For each case (ascending): `below` controls score lower, `upTo` score lower or equal.
  let twiceU = 0;
  let below = 0;
  let upTo = 0;
  for (let i = 0; i < n1; i++) {
    const v = cases[i]!;
    while (below < n0 && controls[below]! < v) below++;
    if (upTo < below) upTo = below;
    while (upTo < n0 && controls[upTo]! <= v) upTo++;
    twiceU += below + upTo; // 2·(below + ½·ties)
  }
  return twiceU / (2 * n1 * n0);
}

/**
 * McFadden's pseudo-R² of the score beyond the covariates: 1 − logL(full)/logL(null), full =
 * logistic y ~ 1 + covariates + pgs, null = y ~ 1 + covariates (intercept only without
 * covariates), both on the same samples. Using the covariate model as the null (rather than
 * intercept only) makes it the binary counterpart of the incremental R², so covariates that
 * predict the trait are not credited to the score. A pgs collinear with the covariates gives 0.
 */
export function mcFaddenR2(y01: Float64Array, pgs: Float64Array, covariates: readonly Float64Array[]): number {
  const [y, score, ...cov] = usable(y01, pgs, covariates);
  const reduced = logisticRegression(y, cov);
  let full: LogisticFit;
  try {
    full = logisticRegression(y, [...cov, score]);
  } catch (e) {
    if (e instanceof SingularDesignError && e.columns.length === 1 && e.columns[0] === cov.length + 1) return 0;
    throw e;
  }
  return Math.max(0, 1 - full.logLikelihood / reduced.logLikelihood);
}

export interface OddsRatio {
  /** exp(β) per standard deviation of the score. */
  oddsRatio: number;
  /** 95 % Wald interval exp(β ± z₀.₉₇₅·se). */
  lower: number;
  upper: number;
  beta: number;
  se: number;
  /** False when the logistic fit did not converge (separation): treat the numbers with care. */
  converged: boolean;
}

const Z_975 = normalQuantile(0.975);

/**
 * Odds ratio per standard deviation of the score (SD over the usable samples, n − 1), adjusted
 * for the covariates: exp(β) for the standardised score in y ~ 1 + covariates + pgs/SD.
 * All NaN for a constant score.
 */
export function oddsRatioPerSd(y01: Float64Array, pgs: Float64Array, covariates: readonly Float64Array[]): OddsRatio {
  const [y, score, ...cov] = usable(y01, pgs, covariates);
  const m = mean(score);
  let ss = 0;
  for (let i = 0; i < score.length; i++) ss += (score[i]! - m) ** 2;
  const sd = Math.sqrt(ss / (score.length - 1));
  if (!(sd > 0)) return { oddsRatio: NaN, lower: NaN, upper: NaN, beta: NaN, se: NaN, converged: false };
  const standardised = new Float64Array(score.length);
  for (let i = 0; i < score.length; i++) standardised[i] = (score[i]! - m) / sd;
  const fit = logisticRegression(y, [...cov, standardised]);
  const k = fit.p - 1;
  const beta = fit.coefficients[k]!;
  const se = fit.standardErrors[k]!;
  return { oddsRatio: Math.exp(beta), lower: Math.exp(beta - Z_975 * se), upper: Math.exp(beta + Z_975 * se), beta, se, converged: fit.converged };
}

function usable(y01: Float64Array, pgs: Float64Array, covariates: readonly Float64Array[]): [Float64Array, Float64Array, ...Float64Array[]] {
  const cols = completeCases([y01, pgs, ...covariates], ['case status', 'pgs', ...covariates.map((_, k) => `covariate ${k}`)]);
  checkBinary(cols[0]!, 'case status');
  return cols;
}
