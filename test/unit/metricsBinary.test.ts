import { describe, expect, it } from 'vitest';
import {
  MetricInputError,
  SingularDesignError,
  auc,
  liabilityR2,
  logisticRegression,
  mcFaddenR2,
  meanAndSe,
  oddsRatioPerSd,
  pearson,
} from '../../core/evaluation/metrics/index.js';
import { normalQuantile } from '../../core/numeric/random/normalDistribution.js';
import { Rng } from '../../core/numeric/random/rng.js';

/** Brute-force AUC over all case–control pairs, ties ½. */
function aucByPairs(y: Float64Array, s: Float64Array): number {
  let u = 0;
  let pairs = 0;
  for (let i = 0; i < y.length; i++) {
    if (y[i] !== 1) continue;
    for (let j = 0; j < y.length; j++) {
      if (y[j] !== 0) continue;
      pairs++;
      u += s[i]! > s[j]! ? 1 : s[i] === s[j] ? 0.5 : 0;
    }
  }
  return u / pairs;
}

/** Samples for a 2×2 table: a exposed cases, b exposed controls, c unexposed cases, d unexposed controls. */
function table(a: number, b: number, c: number, d: number): { y: Float64Array; x: Float64Array } {
  const y: number[] = [];
  const x: number[] = [];
  const push = (count: number, yy: number, xx: number): void => {
    for (let i = 0; i < count; i++) {
      y.push(yy);
      x.push(xx);
    }
  };
  push(a, 1, 1);
  push(b, 0, 1);
  push(c, 1, 0);
  push(d, 0, 0);
  return { y: Float64Array.from(y), x: Float64Array.from(x) };
}

describe('auc', () => {
  it('is 1 for perfect ranking, 0 reversed, ½ all tied', () => {
    const y = Float64Array.of(0, 0, 1, 1, 0, 1);
    expect(auc(y, Float64Array.of(1, 2, 5, 6, 3, 4))).toBe(1);
    expect(auc(y, Float64Array.of(6, 5, 1, 2, 4, 3))).toBe(0);
    expect(auc(y, new Float64Array(6).fill(0.3))).toBe(0.5);
  });

  it('matches a 6-sample example by hand (average ranks with a tie)', () => {
    // Cases 0.9, 0.4, 0.6; controls 0.5, 0.4, 0.1. Ranks: 0.1→1, 0.4,0.4→2.5, 0.5→4, 0.6→5, 0.9→6.
    // Case rank sum 13.5, U = 13.5 − 3·4/2 = 7.5, AUC = 7.5/9.
    const y = Float64Array.of(1, 0, 1, 0, 1, 0);
    const s = Float64Array.of(0.9, 0.5, 0.4, 0.4, 0.6, 0.1);
    expect(auc(y, s)).toBe(7.5 / 9);
  });

  it('equals the all-pairs count on random data with many ties, and is invariant to monotone maps', () => {
    const rng = Rng.stream(31);
    const n = 700;
    const y = Float64Array.from({ length: n }, () => (rng.uniform() < 0.3 ? 1 : 0));
    const s = Float64Array.from(y, (v) => Math.round(2 * rng.normal() + v)); // integers: many ties
    const a = auc(y, s);
    expect(a).toBeCloseTo(aucByPairs(y, s), 14);
    expect(auc(y, Float64Array.from(s, (v) => Math.exp(v / 3) - 5))).toBe(a);
    expect(auc(y, Float64Array.from(s, (v) => -v))).toBeCloseTo(1 - a, 14);
    expect(a).toBeGreaterThan(0.55);
  });

  it('drops missing samples and refuses bad codes or a missing class', () => {
    expect(auc(Float64Array.of(1, 0, NaN, 1, 0), Float64Array.of(2, 1, 0, NaN, 0))).toBe(1);
    expect(() => auc(Float64Array.of(1, 0, 2), Float64Array.of(1, 2, 3))).toThrow(/coded 1 \(case\) \/ 0 \(control\)/);
    expect(() => auc(Float64Array.of(1, 1, 1), Float64Array.of(1, 2, 3))).toThrow(MetricInputError);
    expect(() => auc(Float64Array.of(1, 0, 1), Float64Array.of(1, 2))).toThrow(MetricInputError);
  });
});

describe('logisticRegression', () => {
  it('recovers the 2×2-table MLE: log OR = log(ad/bc), intercept log(c/d), Woolf SE', () => {
    const [a, b, c, d] = [30, 12, 25, 41];
    const { y, x } = table(a, b, c, d);
    const fit = logisticRegression(y, [x]);
    expect(fit.converged).toBe(true);
    expect(fit.coefficients[1]).toBeCloseTo(Math.log((a * d) / (b * c)), 12);
    expect(fit.coefficients[0]).toBeCloseTo(Math.log(c / d), 12);
    expect(fit.standardErrors[1]).toBeCloseTo(Math.sqrt(1 / a + 1 / b + 1 / c + 1 / d), 10);
    expect(fit.standardErrors[0]).toBeCloseTo(Math.sqrt(1 / c + 1 / d), 10);
    // Saturated model: logL = Σ over cells of count·log(fitted proportion).
    const ll = a * Math.log(a / (a + b)) + b * Math.log(b / (a + b)) + c * Math.log(c / (c + d)) + d * Math.log(d / (c + d));
    expect(fit.logLikelihood).toBeCloseTo(ll, 10);
    expect(fit.n).toBe(a + b + c + d);
    expect(fit.p).toBe(2);
    expect(fit.iterations).toBeLessThan(10);
  });

  it('with no predictors gives logit(ȳ) and the binomial log-likelihood', () => {
    const y = Float64Array.of(1, 0, 0, 1, 0, 0, 0);
    const fit = logisticRegression(y, []);
    const p = 2 / 7;
    expect(fit.coefficients[0]).toBeCloseTo(Math.log(p / (1 - p)), 14);
    expect(fit.logLikelihood).toBeCloseTo(2 * Math.log(p) + 5 * Math.log(1 - p), 13);
  });

  it('solves the score equations on random data, and rescales coefficients with the predictors', () => {
    const rng = Rng.stream(32);
    const n = 2000;
    const x1 = Float64Array.from({ length: n }, () => rng.normal());
    const year = Float64Array.from({ length: n }, () => 1950 + 10 * rng.normal());
    const y = Float64Array.from(x1, (v, i) => (rng.uniform() < 1 / (1 + Math.exp(-(-1 + 0.8 * v + 0.03 * (year[i]! - 1950)))) ? 1 : 0));
    const fit = logisticRegression(y, [x1, year]);
    expect(fit.converged).toBe(true);
    const score = [0, 0, 0];
    for (let i = 0; i < n; i++) {
      const eta = fit.coefficients[0]! + fit.coefficients[1]! * x1[i]! + fit.coefficients[2]! * year[i]!;
      const r = y[i]! - 1 / (1 + Math.exp(-eta));
      score[0]! += r;
      score[1]! += r * x1[i]!;
      score[2]! += r * (year[i]! - 1950);
    }
    for (const s of score) expect(Math.abs(s)).toBeLessThan(1e-8);
    expect(fit.coefficients[1]).toBeCloseTo(0.8, 0);
    const scaled = logisticRegression(y, [Float64Array.from(x1, (v) => 10 * v), year]);
    expect(scaled.coefficients[1]).toBeCloseTo(fit.coefficients[1]! / 10, 12);
    expect(scaled.standardErrors[1]).toBeCloseTo(fit.standardErrors[1]! / 10, 12);
    expect(scaled.logLikelihood).toBeCloseTo(fit.logLikelihood, 9);
    // The covariance is symmetric and its diagonal gives the standard errors.
    const p = fit.p;
    expect(fit.covariance[1 * p + 2]).toBeCloseTo(fit.covariance[2 * p + 1]!, 15);
    expect(Math.sqrt(fit.covariance[p + 1]!)).toBe(fit.standardErrors[1]);
  });

  it('reports non-convergence under complete separation', () => {
    const y = Float64Array.of(0, 0, 0, 1, 1, 1);
    const x = Float64Array.of(1, 2, 3, 4, 5, 6);
    const fit = logisticRegression(y, [x], { maxIterations: 25 });
    expect(fit.converged).toBe(false);
    expect(fit.iterations).toBe(25);
    expect(fit.logLikelihood).toBeGreaterThan(-1e-3);
  });

  it('names singular columns and refuses a single class', () => {
    const { y, x } = table(5, 6, 7, 8);
    expect(() => logisticRegression(y, [x, Float64Array.from(x, (v) => 1 - v)])).toThrow(SingularDesignError);
    expect(() => logisticRegression(y, [x, new Float64Array(x.length).fill(3)])).toThrow(/column 2 \(predictor 1\)/);
    expect(() => logisticRegression(new Float64Array(5), [Float64Array.of(1, 2, 3, 4, 5)])).toThrow(/both cases and controls/);
  });
});

describe('mcFaddenR2', () => {
  it('is 1 − logL(y ~ 1 + pgs)/logL(y ~ 1) without covariates', () => {
    const [a, b, c, d] = [30, 12, 25, 41];
    const { y, x } = table(a, b, c, d);
    const n = a + b + c + d;
    const p = (a + c) / n;
    const llNull = (a + c) * Math.log(p) + (b + d) * Math.log(1 - p);
    const llFull = a * Math.log(a / (a + b)) + b * Math.log(b / (a + b)) + c * Math.log(c / (c + d)) + d * Math.log(d / (c + d));
    expect(mcFaddenR2(y, x, [])).toBeCloseTo(1 - llFull / llNull, 12);
  });

  it('uses covariates-only as the null, is 0 for a pgs collinear with them, small for noise', () => {
    const rng = Rng.stream(33);
    const n = 3000;
    const sex = Float64Array.from({ length: n }, () => (rng.uniform() < 0.5 ? 1 : 0));
    const g = Float64Array.from({ length: n }, () => rng.normal());
    const y = Float64Array.from(g, (v, i) => (v + 1.5 * sex[i]! + rng.normal() > 1.5 ? 1 : 0));
    const withCov = mcFaddenR2(y, g, [sex]);
    const withoutCov = mcFaddenR2(y, g, []);
    expect(withCov).toBeGreaterThan(0.05);
    expect(withCov).toBeLessThan(1);
    // The covariate explains part of the variation, so the remaining deviance is smaller and the
    // score's share of it larger: the two definitions differ.
    expect(Math.abs(withCov - withoutCov)).toBeGreaterThan(0.005);
    expect(mcFaddenR2(y, Float64Array.from(sex, (v) => 3 - 2 * v), [sex])).toBe(0);
    const noise = Float64Array.from({ length: n }, () => rng.normal());
    expect(mcFaddenR2(y, noise, [sex])).toBeLessThan(0.003);
  });
});

describe('oddsRatioPerSd', () => {
  it('is exp(sd·log OR) for a 0/1 score in a 2×2 table, with the Woolf interval', () => {
    const [a, b, c, d] = [30, 12, 25, 41];
    const { y, x } = table(a, b, c, d);
    const n = x.length;
    const m = (a + b) / n;
    const sd = Math.sqrt((((a + b) * (1 - m) ** 2 + (c + d) * m * m) / (n - 1)));
    const logOr = Math.log((a * d) / (b * c));
    const se = sd * Math.sqrt(1 / a + 1 / b + 1 / c + 1 / d);
    const r = oddsRatioPerSd(y, x, []);
    expect(r.converged).toBe(true);
    expect(r.beta).toBeCloseTo(sd * logOr, 11);
    expect(r.se).toBeCloseTo(se, 10);
    expect(r.oddsRatio).toBeCloseTo(Math.exp(sd * logOr), 10);
    expect(r.lower).toBeCloseTo(Math.exp(sd * logOr - normalQuantile(0.975) * se), 10);
    expect(r.upper).toBeCloseTo(Math.exp(sd * logOr + normalQuantile(0.975) * se), 10);
  });

  it('does not depend on the score scale, adjusts for covariates, NaN for a constant score', () => {
    const rng = Rng.stream(34);
    const n = 2000;
    const sex = Float64Array.from({ length: n }, () => (rng.uniform() < 0.5 ? 1 : 0));
    const g = Float64Array.from({ length: n }, () => rng.normal());
    const y = Float64Array.from(g, (v, i) => (rng.uniform() < 1 / (1 + Math.exp(-(-1 + 0.7 * v + sex[i]!))) ? 1 : 0));
    const r = oddsRatioPerSd(y, g, [sex]);
    expect(oddsRatioPerSd(y, Float64Array.from(g, (v) => 100 + 0.01 * v), [sex]).oddsRatio).toBeCloseTo(r.oddsRatio, 9);
    expect(r.oddsRatio).toBeGreaterThan(1.7);
    expect(r.oddsRatio).toBeLessThan(2.4); // true exp(0.7·SD) ≈ 2.01
    expect(r.lower).toBeLessThan(r.oddsRatio);
    expect(r.upper).toBeGreaterThan(r.oddsRatio);
    expect(oddsRatioPerSd(y, new Float64Array(n).fill(1), [sex]).oddsRatio).toBeNaN();
  });
});

describe('liabilityR2 (Lee, Goddard, Wray & Visscher 2012)', () => {
  /** Eq. (15) written out independently. */
  function byFormula(r2: number, K: number, P: number): number {
    const t = normalQuantile(1 - K);
    const z = Math.exp((-t * t) / 2) / Math.sqrt(2 * Math.PI);
    const m = z / K;
    const C = ((K * (1 - K)) / z ** 2) * ((K * (1 - K)) / (P * (1 - P)));
    const theta = ((m * (P - K)) / (1 - K)) * ((m * (P - K)) / (1 - K) - t);
    return (r2 * C) / (1 + r2 * theta * C);
  }

  it('matches a worked example (t = 2.32635, z = 0.0266521, C = 0.551907, θ = −1.32865)', () => {
    // K = 1 %, half the sample cases, observed R² = 0.05. 30-digit values from mpmath.
    expect(liabilityR2(0.05, 0.01, 0.5)).toBeCloseTo(0.028645642382196511, 13);
    expect(liabilityR2(0.05, 0.01, 0.5)).toBeCloseTo(byFormula(0.05, 0.01, 0.5), 14);
    expect(liabilityR2(0.02, 0.15, 0.4)).toBeCloseTo(0.025084825265007519, 13);
    // Without ascertainment (P = K) θ = 0 and the factor is K(1−K)/z².
    expect(liabilityR2(0.1, 0.1, 0.1)).toBeCloseTo(0.29221097511502921, 13);
    for (const [r2, K, P] of [
      [0.01, 0.001, 0.5],
      [0.2, 0.3, 0.6],
      [0.07, 0.05, 0.05],
    ] as const) {
      expect(liabilityR2(r2, K, P)).toBeCloseTo(byFormula(r2, K, P), 13);
    }
  });

  it('recovers h² from simulated case–control samples with ascertainment', () => {
    // Liability g + e ~ N(0,1), var(g) = h², cases above Φ⁻¹(1−K); sample cases and controls to a
    // case fraction P, regress status on g (observed-scale R² = squared correlation), convert.
    for (const [h2, K, P, seed] of [
      [0.3, 0.01, 0.5, 1],
      [0.5, 0.1, 0.5, 2],
      [0.2, 0.2, 0.2, 3],
      [0.3, 0.05, 0.3, 4],
    ] as const) {
      const rng = Rng.stream(seed);
      const threshold = normalQuantile(1 - K);
      const n = 40000;
      const nCases = Math.round(n * P);
      const g = new Float64Array(n);
      const y = new Float64Array(n);
      let cases = 0;
      let controls = 0;
      const sg = Math.sqrt(h2);
      const se = Math.sqrt(1 - h2);
      while (cases + controls < n) {
        const gi = sg * rng.normal();
        const isCase = gi + se * rng.normal() > threshold;
        if (isCase ? cases >= nCases : controls >= n - nCases) continue;
        const k = cases + controls;
        g[k] = gi;
        y[k] = isCase ? 1 : 0;
        if (isCase) cases++;
        else controls++;
      }
      const r2obs = pearson(y, g) ** 2;
      const converted = liabilityR2(r2obs, K, P);
      expect(Math.abs(converted - h2), `h²=${h2} K=${K} P=${P}: ${converted}`).toBeLessThan(0.02);
      if (P !== K) {
        // The ascertainment term matters: without θ the estimate is visibly off.
        const t = threshold;
        const z = Math.exp((-t * t) / 2) / Math.sqrt(2 * Math.PI);
        const naive = r2obs * ((K * (1 - K)) / z ** 2) * ((K * (1 - K)) / (P * (1 - P)));
        expect(Math.abs(naive - h2)).toBeGreaterThan(0.04);
      }
    }
  });

  it('validates K and P and passes NaN through', () => {
    expect(liabilityR2(NaN, 0.1, 0.5)).toBeNaN();
    expect(() => liabilityR2(0.1, 0, 0.5)).toThrow(MetricInputError);
    expect(() => liabilityR2(0.1, 0.1, 1)).toThrow(MetricInputError);
    expect(() => liabilityR2(1.5, 0.1, 0.5)).toThrow(MetricInputError);
  });
});

describe('meanAndSe', () => {
  it('gives mean and sd/√n with the n − 1 denominator', () => {
    const r = meanAndSe([1, 2, 3, 4]);
    expect(r.mean).toBe(2.5);
    expect(r.se).toBeCloseTo(Math.sqrt(5 / 3) / 2, 15);
    expect(r.n).toBe(4);
    expect(r.ignored).toBe(0);
  });

  it('skips NaN and counts it; NaN se below two values; accepts Float64Array', () => {
    expect(meanAndSe([0.5, NaN, 0.7, NaN])).toEqual({ mean: 0.6, se: expect.closeTo(0.1, 15), n: 2, ignored: 2 });
    const one = meanAndSe([3, NaN]);
    expect(one.mean).toBe(3);
    expect(one.se).toBeNaN();
    expect(meanAndSe([]).mean).toBeNaN();
    expect(meanAndSe(Float64Array.of(2, 4)).mean).toBe(3);
  });
});
