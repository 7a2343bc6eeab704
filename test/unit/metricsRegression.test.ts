import { describe, expect, it } from 'vitest';
import { MetricInputError, SingularDesignError, calibrationSlope, incrementalR2, ols, pearson } from '../../core/evaluation/metrics/index.js';
import { Rng } from '../../core/numeric/random/rng.js';

function normals(rng: Rng, n: number, scale = 1, shift = 0): Float64Array {
  return Float64Array.from({ length: n }, () => shift + scale * rng.normal());
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

function residuals(y: Float64Array, xs: Float64Array[], coef: Float64Array): Float64Array {
  return Float64Array.from(y, (v, i) => {
    let f = coef[0]!;
    xs.forEach((x, k) => (f += coef[k + 1]! * x[i]!));
    return v - f;
  });
}

describe('ols', () => {
  it('reproduces a hand-computed simple regression', () => {
    // x̄ = 3, ȳ = 4, Sxy = 6, Sxx = 10: slope 0.6, intercept 2.2; residuals −0.8, 0.6, 1, −0.6, −0.2.
    const fit = ols(Float64Array.of(2, 4, 5, 4, 5), [Float64Array.of(1, 2, 3, 4, 5)]);
    expect(fit.coefficients[0]).toBeCloseTo(2.2, 14);
    expect(fit.coefficients[1]).toBeCloseTo(0.6, 14);
    expect(fit.rss).toBeCloseTo(2.4, 13);
    expect(fit.tss).toBeCloseTo(6, 13);
    expect(fit.r2).toBeCloseTo(0.6, 14);
    expect(fit.n).toBe(5);
    expect(fit.p).toBe(2);
  });

  it('recovers known coefficients exactly from noiseless data, including a large-mean covariate', () => {
    const rng = Rng.stream(21);
    const n = 200;
    const x1 = normals(rng, n);
    const year = normals(rng, n, 10, 1950); // conditioning test: mean ≫ SD
    const x3 = normals(rng, n, 0.01);
    const y = Float64Array.from(x1, (v, i) => 2 + 3 * v - 0.5 * year[i]! + 40 * x3[i]!);
    const fit = ols(y, [x1, year, x3]);
    const want = [2, 3, -0.5, 40];
    want.forEach((w, k) => expect(Math.abs(fit.coefficients[k]! - w)).toBeLessThan(1e-9 * Math.max(1, Math.abs(w))));
    expect(fit.r2).toBeCloseTo(1, 12);
  });

  it('leaves residuals orthogonal to every design column (the normal equations)', () => {
    const rng = Rng.stream(22);
    const n = 500;
    const xs = [normals(rng, n), normals(rng, n, 5, 100), normals(rng, n, 0.1)];
    const y = Float64Array.from(xs[0]!, (v, i) => 1 + v - 0.02 * xs[1]![i]! + rng.normal());
    const fit = ols(y, xs);
    const r = residuals(y, xs, fit.coefficients);
    const ones = new Float64Array(n).fill(1);
    expect(Math.abs(dot(r, ones))).toBeLessThan(1e-9);
    for (const x of xs) expect(Math.abs(dot(r, x)) / Math.sqrt(dot(x, x) * dot(r, r))).toBeLessThan(1e-12);
    expect(fit.rss).toBeCloseTo(dot(r, r), 8);
    expect(fit.r2).toBeGreaterThan(0);
    expect(fit.r2).toBeLessThan(1);
  });

  it('with no predictors fits the mean and has R² = 0', () => {
    const fit = ols(Float64Array.of(1, 2, 6), []);
    expect(fit.coefficients[0]).toBeCloseTo(3, 15);
    expect(fit.r2).toBe(0);
    expect(fit.p).toBe(1);
  });

  it('names the singular columns: a sum of two others, a constant, more parameters than samples', () => {
    const rng = Rng.stream(23);
    const n = 50;
    const [a, b, c] = [normals(rng, n), normals(rng, n), normals(rng, n)];
    const sum = Float64Array.from(a, (v, i) => v + b[i]!);
    const y = normals(rng, n);
    const err = (() => {
      try {
        ols(y, [a, b, sum, c]);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(SingularDesignError);
    expect((err as SingularDesignError).columns).toEqual([3]);
    expect((err as SingularDesignError).message).toContain('column 3 (predictor 2)');
    expect((err as SingularDesignError).name).toBe('GuardError'); // non-retryable in the failure mapping
    expect(() => ols(y, [a, new Float64Array(n).fill(7)])).toThrow(SingularDesignError);
    expect(() => ols(Float64Array.of(1, 2, 3), [Float64Array.of(1, 5, 2), Float64Array.of(0, 1, 9), Float64Array.of(3, 3, 1)])).toThrow(SingularDesignError);
  });

  it('drops samples with any non-finite value and checks lengths and sample counts', () => {
    const fit = ols(Float64Array.of(2, NaN, 4, 5, 4, 5), [Float64Array.of(1, 9, 2, 3, 4, Infinity)]);
    expect(fit.n).toBe(4);
    expect(() => ols(Float64Array.of(1, 2, 3), [Float64Array.of(1, 2)])).toThrow(MetricInputError);
    expect(() => ols(Float64Array.of(1, 2, NaN), [Float64Array.of(1, 2, 3)])).toThrow(/only 2 usable samples/);
  });

  it('reports R² = NaN for a constant phenotype', () => {
    expect(ols(Float64Array.of(3, 3, 3, 3), [Float64Array.of(1, 2, 3, 5)]).r2).toBeNaN();
  });
});

describe('pearson and calibrationSlope', () => {
  it('match hand-computed values', () => {
    const x = Float64Array.of(1, 2, 3, 4, 5);
    const y = Float64Array.of(2, 4, 5, 4, 5);
    expect(pearson(x, y)).toBeCloseTo(6 / Math.sqrt(60), 15);
    expect(calibrationSlope(y, x)).toBeCloseTo(0.6, 15); // y on pgs = x
    expect(calibrationSlope(x, y)).toBeCloseTo(1, 15); // Sxy/Syy = 6/6
  });

  it('are ±1 for exact linear relations, affine-invariant (pearson), NaN for a constant', () => {
    const rng = Rng.stream(24);
    const x = normals(rng, 100);
    expect(pearson(x, Float64Array.from(x, (v) => 3 * v + 1))).toBeCloseTo(1, 14);
    expect(pearson(x, Float64Array.from(x, (v) => -0.2 * v))).toBeCloseTo(-1, 14);
    const y = Float64Array.from(x, (v) => v + rng.normal());
    expect(pearson(Float64Array.from(x, (v) => 1e6 + 1e-3 * v), y)).toBeCloseTo(pearson(x, y), 9);
    expect(pearson(x, new Float64Array(100).fill(2))).toBeNaN();
    expect(calibrationSlope(y, new Float64Array(100).fill(2))).toBeNaN();
  });

  it('calibration slope recovers the scale of an over-dispersed score', () => {
    const rng = Rng.stream(25);
    const n = 20000;
    const g = normals(rng, n);
    const y = Float64Array.from(g, (v) => v + rng.normal());
    expect(calibrationSlope(y, g)).toBeCloseTo(1, 1);
    expect(calibrationSlope(y, Float64Array.from(g, (v) => 2 * v))).toBeCloseTo(calibrationSlope(y, g) / 2, 12);
  });
});

describe('incrementalR2', () => {
  it('is the squared correlation without covariates', () => {
    const rng = Rng.stream(26);
    const pgs = normals(rng, 300);
    const y = Float64Array.from(pgs, (v) => 0.4 * v + rng.normal());
    expect(incrementalR2(y, pgs, [])).toBeCloseTo(pearson(y, pgs) ** 2, 13);
  });

  it('equals (1 − R²_cov)·partial r²(y, pgs | covariates)', () => {
    const rng = Rng.stream(27);
    const n = 1000;
    const sex = Float64Array.from({ length: n }, () => (rng.uniform() < 0.5 ? 1 : 0));
    const age = normals(rng, n, 8, 55);
    const pc1 = normals(rng, n, 0.02);
    const pgs = Float64Array.from(pc1, (v, i) => 20 * v + 0.3 * sex[i]! + rng.normal());
    const y = Float64Array.from(pgs, (v, i) => 0.5 * v + 0.8 * sex[i]! + 0.03 * age[i]! + 30 * pc1[i]! + rng.normal());
    const cov = [sex, age, pc1];
    const reduced = ols(y, cov);
    const ry = residuals(y, cov, reduced.coefficients);
    const rp = residuals(pgs, cov, ols(pgs, cov).coefficients);
    const want = (1 - reduced.r2) * pearson(ry, rp) ** 2;
    expect(incrementalR2(y, pgs, cov)).toBeCloseTo(want, 12);
    expect(incrementalR2(y, pgs, cov)).toBeCloseTo(ols(y, [...cov, pgs]).r2 - reduced.r2, 14);
  });

  it('is 0 when the pgs is a linear function of the covariates', () => {
    const rng = Rng.stream(28);
    const n = 200;
    const c1 = normals(rng, n);
    const c2 = normals(rng, n, 3, 40);
    const y = Float64Array.from(c1, (v) => v + rng.normal());
    const pgs = Float64Array.from(c1, (v, i) => 5 + 2 * v - 3 * c2[i]!);
    expect(incrementalR2(y, pgs, [c1, c2])).toBeCloseTo(0, 12);
    expect(incrementalR2(y, new Float64Array(n).fill(1.5), [c1])).toBe(0);
  });

  it('still refuses singular covariates, and uses the same complete cases for both models', () => {
    const rng = Rng.stream(29);
    const n = 100;
    const c1 = normals(rng, n);
    const y = normals(rng, n);
    const pgs = normals(rng, n);
    expect(() => incrementalR2(y, pgs, [c1, Float64Array.from(c1, (v) => 2 * v)])).toThrow(SingularDesignError);
    const withMissing = Float64Array.from(pgs);
    withMissing[0] = NaN;
    const drop = (a: Float64Array): Float64Array => a.subarray(1);
    expect(incrementalR2(y, withMissing, [c1])).toBeCloseTo(incrementalR2(drop(y), drop(pgs), [drop(c1)]), 14);
    expect(() => incrementalR2(y, pgs.subarray(1), [c1])).toThrow(MetricInputError);
  });
});
