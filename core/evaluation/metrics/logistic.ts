// Logistic regression by Newton–Raphson (equivalently IRLS), no Firth penalty. Predictors are
// centred and scaled internally (Newton is invariant to that, rounding is not) and the
// coefficients and their covariance mapped back to the original scale.
import { choleskyInPlace, choleskySolveInPlace, invertSpd, rankDeficientColumns } from '../../numeric/linalg/dense.js';
import { checkBinary, completeCases, mean } from './samples.js';
import { MetricInputError, SingularDesignError } from '../../errors.js';

export interface LogisticFit {
  /** Intercept first, then one log-odds coefficient per predictor. */
  coefficients: Float64Array;
  /** Wald standard errors (square roots of the covariance diagonal). */
  standardErrors: Float64Array;
  /** Inverse observed information at the estimate, p × p row-major. */
  covariance: Float64Array;
  logLikelihood: number;
  /** False when the iteration limit was reached (typically separation: estimates diverge). */
  converged: boolean;
  iterations: number;
  n: number;
  p: number;
}

export interface LogisticOptions {
  /** Newton steps before giving up (default 50). */
  maxIterations?: number;
  /** Converged when every standardised coefficient moves by ≤ tolerance·(1 + |β|) (default 1e-10). */
  tolerance?: number;
}

/**
 * Maximum-likelihood logistic regression of y01 (1 case, 0 control) on [1, predictors…]; samples
 * with any non-finite value are dropped. Throws MetricInputError on bad input or when all
 * samples are cases or all controls, SingularDesignError (0 = intercept) for a singular design.
 */
export function logisticRegression(y01: Float64Array, predictors: readonly Float64Array[], options: LogisticOptions = {}): LogisticFit {
  const maxIterations = options.maxIterations ?? 50;
  const tolerance = options.tolerance ?? 1e-10;
  const [y, ...xs] = completeCases([y01, ...predictors], ['y', ...predictors.map((_, k) => `predictor ${k}`)]);
  checkBinary(y, 'y');
  const n = y.length;
  const p = xs.length + 1;
  const ybar = mean(y);
  if (ybar === 0 || ybar === 1) throw new MetricInputError(`logistic regression needs both cases and controls; all ${n} samples are ${ybar === 1 ? 'cases' : 'controls'}`);

  // Standardised design columns z_0 = 1, z_k = (x_k − m_k)/s_k.
  const centre = new Float64Array(p);
  const scale = new Float64Array(p).fill(1);
  const z: Float64Array[] = [new Float64Array(n).fill(1)];
  const constant: number[] = [];
  xs.forEach((x, k) => {
    const m = mean(x);
    let ss = 0;
    for (let i = 0; i < n; i++) ss += (x[i]! - m) ** 2;
    const s = Math.sqrt(ss / n);
    if (!(s > 0)) constant.push(k + 1);
    centre[k + 1] = m;
    scale[k + 1] = s > 0 ? s : 1;
    const c = new Float64Array(n);
    for (let i = 0; i < n; i++) c[i] = (x[i]! - m) / scale[k + 1]!;
    z.push(c);
  });
  if (constant.length > 0) throw new SingularDesignError(constant);

  const beta = new Float64Array(p);
  beta[0] = Math.log(ybar / (1 - ybar)); // the intercept-only MLE: a good start
  const eta = new Float64Array(n);
  const w = new Float64Array(n);
  const grad = new Float64Array(p);
  const info = new Float64Array(p * p);
  const trial = new Float64Array(p);
  let logL = linearPredictor(z, beta, eta, y);
  let converged = false;
  let iterations = 0;
  while (iterations < maxIterations && !converged) {
    iterations++;
    score(z, y, eta, w, grad, info);
    const l = Float64Array.from(info);
    if (!choleskyInPlace(l, p)) {
      if (iterations === 1) {
        const bad = rankDeficientColumns(info, p);
        throw new SingularDesignError(bad.length > 0 ? bad : z.map((_, j) => j));
      }
      break; // weights collapsed (separation): stop with what we have
    }
    const step = choleskySolveInPlace(l, p, Float64Array.from(grad));
    // Step halving keeps the likelihood from decreasing far from the optimum.
    let t = 1;
    let next = -Infinity;
    for (let h = 0; h < 30; h++) {
      for (let j = 0; j < p; j++) trial[j] = beta[j]! + t * step[j]!;
      next = linearPredictor(z, trial, eta, y);
      if (next >= logL - 1e-12 * Math.abs(logL)) break;
      t *= 0.5;
    }
    let moved = 0;
    for (let j = 0; j < p; j++) moved = Math.max(moved, Math.abs(trial[j]! - beta[j]!) / (1 + Math.abs(trial[j]!)));
    beta.set(trial);
    logL = next;
    converged = t === 1 && moved <= tolerance;
  }

  // Covariance at the final estimate, then back to the original scale: β = A β̃ with
  // A[0][0] = 1, A[0][k] = −m_k/s_k, A[k][k] = 1/s_k, so Cov(β) = A Cov(β̃) Aᵀ.
  linearPredictor(z, beta, eta, y);
  score(z, y, eta, w, grad, info);
  const covStd = invertSpd(info, p) ?? new Float64Array(p * p).fill(NaN);
  const a = new Float64Array(p * p);
  a[0] = 1;
  for (let k = 1; k < p; k++) {
    a[k] = -centre[k]! / scale[k]!;
    a[k * p + k] = 1 / scale[k]!;
  }
  const coefficients = new Float64Array(p);
  for (let r = 0; r < p; r++) for (let c = 0; c < p; c++) coefficients[r] = coefficients[r]! + a[r * p + c]! * beta[c]!;
  const covariance = sandwich(a, covStd, p);
  const standardErrors = new Float64Array(p);
  for (let j = 0; j < p; j++) standardErrors[j] = Math.sqrt(covariance[j * p + j]!);
  return { coefficients, standardErrors, covariance, logLikelihood: logL, converged, iterations, n, p };
}

/** Fills η = Zβ and returns the log-likelihood Σ yη − log(1 + e^η). */
function linearPredictor(z: readonly Float64Array[], beta: Float64Array, eta: Float64Array, y: Float64Array): number {
  eta.fill(0);
  z.forEach((col, j) => {
    const b = beta[j]!;
    for (let i = 0; i < eta.length; i++) eta[i] = eta[i]! + b * col[i]!;
  });
  let ll = 0;
  for (let i = 0; i < eta.length; i++) ll += y[i]! * eta[i]! - log1pExp(eta[i]!);
  return ll;
}

/** Gradient Zᵀ(y − μ) and information ZᵀWZ, W = μ(1 − μ), at η. */
function score(z: readonly Float64Array[], y: Float64Array, eta: Float64Array, w: Float64Array, grad: Float64Array, info: Float64Array): void {
  const p = z.length;
  const r = new Float64Array(eta.length);
  for (let i = 0; i < eta.length; i++) {
    const mu = 1 / (1 + Math.exp(-eta[i]!));
    r[i] = y[i]! - mu;
    w[i] = mu * (1 - mu);
  }
  for (let j = 0; j < p; j++) {
    const zj = z[j]!;
    let g = 0;
    for (let i = 0; i < eta.length; i++) g += zj[i]! * r[i]!;
    grad[j] = g;
    for (let k = 0; k <= j; k++) {
      const zk = z[k]!;
      let s = 0;
      for (let i = 0; i < eta.length; i++) s += zj[i]! * w[i]! * zk[i]!;
      info[j * p + k] = s;
      info[k * p + j] = s;
    }
  }
}

/** log(1 + e^x) without overflow or loss for large |x|. */
function log1pExp(x: number): number {
  return x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
}

/** A C Aᵀ for p × p matrices. */
function sandwich(a: Float64Array, c: Float64Array, p: number): Float64Array {
  const ac = new Float64Array(p * p);
  for (let i = 0; i < p; i++) for (let k = 0; k < p; k++) for (let j = 0; j < p; j++) ac[i * p + j] = ac[i * p + j]! + a[i * p + k]! * c[k * p + j]!;
  const out = new Float64Array(p * p);
  for (let i = 0; i < p; i++) for (let j = 0; j < p; j++) for (let k = 0; k < p; k++) out[i * p + j] = out[i * p + j]! + ac[i * p + k]! * a[j * p + k]!;
  return out;
}
