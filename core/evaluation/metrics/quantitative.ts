// Accuracy of a polygenic score for a quantitative trait in held-out samples.
import { ols, type OlsFit } from './ols.js';
import { completeCases, mean } from './samples.js';
import { SingularDesignError } from '../../errors.js';

/**
 * R²(y ~ 1 + covariates + pgs) − R²(y ~ 1 + covariates), both fitted on the same samples (those
 * with y, pgs and every covariate finite). Without covariates this is the squared correlation.
 * A pgs that is (numerically) a linear combination of the covariates adds nothing: 0.
 * Throws SingularDesignError when the covariates themselves are singular.
 */
export function incrementalR2(y: Float64Array, pgs: Float64Array, covariates: readonly Float64Array[]): number {
  const [yy, score, ...cov] = completeCases([y, pgs, ...covariates], ['y', 'pgs', ...covariates.map((_, k) => `covariate ${k}`)]);
  const reduced = ols(yy, cov);
  let full: OlsFit;
  try {
    full = ols(yy, [...cov, score]);
  } catch (e) {
    if (e instanceof SingularDesignError && e.columns.length === 1 && e.columns[0] === cov.length + 1) return 0;
    throw e;
  }
  // Least squares cannot lose fit by adding a column; clamp rounding below zero.
  return Math.max(0, full.r2 - reduced.r2);
}

/** Pearson correlation over samples with both values finite; NaN when either is constant. */
export function pearson(x: Float64Array, y: Float64Array): number {
  const [a, b] = completeCases([x, y], ['x', 'y']);
  const { sxx, syy, sxy } = centredMoments(a, b);
  if (!(sxx > 0) || !(syy > 0)) return NaN;
  const r = sxy / Math.sqrt(sxx * syy);
  return Math.max(-1, Math.min(1, r));
}

/**
 * Slope of y regressed on pgs with an intercept, cov(y, pgs)/var(pgs): 1 for a well-calibrated
 * score on the phenotype's scale, < 1 when its effects are over-dispersed. NaN for a constant pgs.
 */
export function calibrationSlope(y: Float64Array, pgs: Float64Array): number {
  const [yy, score] = completeCases([y, pgs], ['y', 'pgs']);
  const { sxx, sxy } = centredMoments(score, yy);
  return sxx > 0 ? sxy / sxx : NaN;
}

/** Two-pass centred sums of squares and cross-products. */
function centredMoments(x: Float64Array, y: Float64Array): { sxx: number; syy: number; sxy: number } {
  const mx = mean(x);
  const my = mean(y);
  let sxx = 0;
  let syy = 0;
  let sxy = 0;
  for (let i = 0; i < x.length; i++) {
    const dx = x[i]! - mx;
    const dy = y[i]! - my;
    sxx += dx * dx;
    syy += dy * dy;
    sxy += dx * dy;
  }
  return { sxx, syy, sxy };
}
