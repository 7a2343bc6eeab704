// Ordinary least squares of y on [1, predictors…]. Works on centred cross-products (the
// intercept is solved analytically), which keeps XᵀX well conditioned when a covariate has a
// large mean (age, year of birth) and turns a constant predictor into a zero column.
import { choleskyInPlace, choleskySolveInPlace, rankDeficientColumns } from '../../numeric/linalg/dense.js';
import { completeCases, mean } from './samples.js';
import { SingularDesignError } from '../../errors.js';

export interface OlsFit {
  /** Intercept first, then one coefficient per predictor in the order given. */
  coefficients: Float64Array;
  /** Residual sum of squares. */
  rss: number;
  /** Total sum of squares about the mean. */
  tss: number;
  /** 1 − rss/tss; NaN when y is constant. */
  r2: number;
  /** Usable samples (all of y and the predictors finite). */
  n: number;
  /** Parameters including the intercept. */
  p: number;
  /** Standard errors sqrt(σ̂² (XᵀX)⁻¹) of `coefficients`, σ̂² = rss/(n − p); NaN for the intercept. */
  se: Float64Array;
}

/**
 * Least-squares fit; samples with any non-finite value are dropped. Throws MetricInputError on
 * mismatched lengths or < 3 usable samples, SingularDesignError (design-column indices, 0 =
 * intercept) when a predictor is constant or a linear combination of earlier ones.
 */
export function ols(y: Float64Array, predictors: readonly Float64Array[]): OlsFit {
  const [yy, ...xs] = completeCases([y, ...predictors], ['y', ...predictors.map((_, k) => `predictor ${k}`)]);
  const n = yy.length;
  const q = xs.length;
  const my = mean(yy);
  const mx = xs.map(mean);
  const yc = new Float64Array(n);
  for (let i = 0; i < n; i++) yc[i] = yy[i]! - my;
  const xc = xs.map((x, k) => {
    const c = new Float64Array(n);
    const m = mx[k]!;
    for (let i = 0; i < n; i++) c[i] = x[i]! - m;
    return c;
  });

  const sxx = new Float64Array(q * q);
  const sxy = new Float64Array(q);
  for (let k = 0; k < q; k++) {
    const a = xc[k]!;
    for (let l = 0; l <= k; l++) {
      const b = xc[l]!;
      let s = 0;
      for (let i = 0; i < n; i++) s += a[i]! * b[i]!;
      sxx[k * q + l] = s;
      sxx[l * q + k] = s;
    }
    let s = 0;
    for (let i = 0; i < n; i++) s += a[i]! * yc[i]!;
    sxy[k] = s;
  }

  const l = Float64Array.from(sxx);
  if (!choleskyInPlace(l, q)) {
    const bad = rankDeficientColumns(sxx, q);
    // The pivots are identical, so the scan agrees; fall back to all columns just in case.
    throw new SingularDesignError(bad.length > 0 ? bad.map((k) => k + 1) : xs.map((_, k) => k + 1));
  }
  const beta = choleskySolveInPlace(l, q, Float64Array.from(sxy));

  let rss = 0;
  let tss = 0;
  for (let i = 0; i < n; i++) {
    let r = yc[i]!;
    for (let k = 0; k < q; k++) r -= beta[k]! * xc[k]![i]!;
    rss += r * r;
    tss += yc[i]! * yc[i]!;
  }
  const coefficients = new Float64Array(q + 1);
  let b0 = my;
  for (let k = 0; k < q; k++) {
    coefficients[k + 1] = beta[k]!;
    b0 -= beta[k]! * mx[k]!;
  }
  coefficients[0] = b0;
  // The slopes' covariance is σ̂² times the inverse of the centred cross-products.
  const sigma2 = n > q + 1 ? rss / (n - q - 1) : NaN;
  const se = new Float64Array(q + 1).fill(NaN);
  for (let k = 0; k < q; k++) {
    const e = new Float64Array(q);
    e[k] = 1;
    choleskySolveInPlace(l, q, e);
    se[k + 1] = Math.sqrt(sigma2 * e[k]!);
  }
  return { coefficients, rss, tss, r2: tss > 0 ? 1 - rss / tss : NaN, n, p: q + 1, se };
}
