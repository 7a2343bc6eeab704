import { describe, expect, it } from 'vitest';
import { normalUpper } from '../../core/numeric/random/normalDistribution.js';
import { chiSquareUpperP, logGamma, logRegularizedIncompleteBeta, normalTwoSidedP, regularizedIncompleteBeta, studentTTwoSidedP } from '../../core/numeric/stats/distributions.js';
import { ConvergenceError } from '../../core/errors.js';

function relErr(got: number, want: number): number {
  return Math.abs(got - want) / Math.abs(want);
}

/**
 * Tolerance for a tail computed as exp(Σ log terms): each log term carries ~eps·|term|, so the
 * attainable relative accuracy is ~eps·|ln p| (≈ 1.5e-13 at p = 1e-300).
 */
function tailTol(p: number): number {
  return 2.5e-16 * (40 + Math.abs(Math.log(p)));
}

/** log Σ exp(v) over a Float64Array. */
function logSumExp(v: Float64Array): number {
  let m = -Infinity;
  for (const x of v) m = Math.max(m, x);
  let s = 0;
  for (const x of v) s += Math.exp(x - m);
  return m + Math.log(s);
}

/** log of the unnormalised t density k(s) = (1 + s²/df)^(−(df+1)/2), safe for huge s. */
function logTKernel(s: number, df: number): number {
  const r = s / Math.sqrt(df);
  const l = r > 1 ? 2 * Math.log(r) + Math.log1p(1 / (r * r)) : Math.log1p(r * r);
  return -0.5 * (df + 1) * l;
}

/**
 * Independent reference for log P(|T_df| > t): ∫_t^∞ k / ∫_0^∞ k by the trapezoidal rule on a
 * doubly-infinite smooth integrand (s = t(1 + e^τ) for the tail, s = e^τ for the whole half-line),
 * which converges geometrically in the step; all in log space, no normalising constant needed.
 */
function logTTailByQuadrature(t: number, df: number, h = 1 / 64): number {
  const count = Math.round(120 / h) + 1;
  const tail = new Float64Array(count);
  const body = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    const tau = -60 + i * h;
    tail[i] = logTKernel(t * (1 + Math.exp(tau)), df) + Math.log(t) + tau;
    body[i] = logTKernel(Math.exp(tau), df) + tau;
  }
  return logSumExp(tail) - logSumExp(body);
}

describe('logGamma', () => {
  it('matches log (n−1)! for integers and Γ(n+½) = (2n)!√π / (4ⁿ n!)', () => {
    let fact = 1;
    for (let n = 1; n <= 19; n++) {
      expect(relErr(logGamma(n + 1), Math.log((fact *= n))) || 0).toBeLessThan(2e-15); // n! exact below 2^53
    }
    expect(logGamma(1)).toBe(0);
    expect(logGamma(2)).toBe(0);
    const factorial = (k: number): number => (k <= 1 ? 1 : k * factorial(k - 1));
    for (let n = 0; n <= 9; n++) {
      const want = Math.log((factorial(2 * n) * Math.sqrt(Math.PI)) / (4 ** n * factorial(n)));
      expect(Math.abs(logGamma(n + 0.5) - want)).toBeLessThan(4e-15 * Math.max(1, Math.abs(want)));
    }
  });

  it('matches 40-digit reference values (mpmath) to ~1e-15 relative, including near the roots at 1 and 2', () => {
    const ref: [number, number][] = [
      [0.1, 2.25271265173420590201],
      [0.75, 0.203280951431295371481],
      [1.3, -0.108174809507860478459],
      [3.7, 1.4280723266653881292],
      [1e-300, 690.77552789821370518],
      [1e6, 12815504.56914761166],
      [1e100, 2.29258509299404572064e102],
      [-0.5, 1.26551212348464539649],
      [-2.5, -0.0562437164976740506726],
      [1e-8, 18.4206807381802088845],
      [12.5, 18.7343475119364457016],
      [0.001, 6.90717888538385366168],
      [1.0000001, -5.77215582991850709696e-8],
      [1.9999, -0.0000422752087721534580113],
      [2.2, 0.096947466790638873178],
      [0.8, 0.152059678399837545923],
      [170.5, 704.004427734204670792],
      [1e15, 33538776394910668.9098],
    ];
    for (const [x, want] of ref) expect(relErr(logGamma(x), want), `x=${x}`).toBeLessThan(5e-15);
  });

  it('satisfies lgamma(x+1) − lgamma(x) = log x and the near-1 expansion −γε + ζ(2)ε²/2', () => {
    for (let x = 0.05; x < 60; x *= 1.173) {
      expect(Math.abs(logGamma(x + 1) - logGamma(x) - Math.log(x))).toBeLessThan(1e-14 * Math.max(1, Math.abs(logGamma(x))));
    }
    const eps = 1 + 1e-9 - 1; // the increment actually represented
    const want = -0.5772156649015329 * eps + ((Math.PI * Math.PI) / 12) * eps * eps;
    expect(relErr(logGamma(1 + eps), want)).toBeLessThan(1e-15);
  });

  it('is +Infinity at the poles and NaN for NaN', () => {
    expect(logGamma(0)).toBe(Infinity);
    expect(logGamma(-3)).toBe(Infinity);
    expect(logGamma(Infinity)).toBe(Infinity);
    expect(logGamma(NaN)).toBeNaN();
  });
});

describe('regularizedIncompleteBeta', () => {
  it('matches closed forms I_x(a,1) = x^a, I_x(1,b) = 1 − (1−x)^b, I_½(a,a) = ½', () => {
    for (const x of [1e-12, 0.01, 0.3, 0.5, 0.9, 0.999]) {
      for (const a of [0.1, 0.5, 1, 3.5, 40, 1000]) {
        expect(relErr(regularizedIncompleteBeta(x, a, 1), x ** a) || 0).toBeLessThan(1e-13);
        const want = -Math.expm1(a * Math.log1p(-x));
        expect(relErr(regularizedIncompleteBeta(x, 1, a), want)).toBeLessThan(1e-13);
      }
    }
    for (const a of [0.3, 1, 7.5, 100, 1e4]) expect(regularizedIncompleteBeta(0.5, a, a)).toBeCloseTo(0.5, 13);
  });

  it('equals the binomial upper tail I_p(k, n−k+1) = P(Bin(n,p) ≥ k)', () => {
    const n = 30;
    const logChoose = (k: number): number => logGamma(n + 1) - logGamma(k + 1) - logGamma(n - k + 1);
    for (const p of [0.01, 0.2, 0.5, 0.77]) {
      for (let k = 1; k <= n; k++) {
        let tail = 0;
        for (let j = k; j <= n; j++) tail += Math.exp(logChoose(j) + j * Math.log(p) + (n - j) * Math.log1p(-p));
        expect(relErr(regularizedIncompleteBeta(p, k, n - k + 1), tail)).toBeLessThan(1e-12);
      }
    }
  });

  it('is symmetric, I_x(a,b) = 1 − I_{1−x}(b,a), and monotone in x', () => {
    for (const [a, b] of [
      [0.5, 0.5],
      [2, 30],
      [300, 0.5],
      [1e4, 2e4],
    ] as const) {
      let prev = -1;
      for (let x = 0.0005; x < 1; x += 0.0371) {
        const v = regularizedIncompleteBeta(x, a, b);
        expect(v + regularizedIncompleteBeta(1 - x, b, a)).toBeCloseTo(1, 13);
        expect(v).toBeGreaterThanOrEqual(prev);
        prev = v;
      }
    }
  });

  it('gives the log far below the smallest double, and handles edges', () => {
    expect(relErr(logRegularizedIncompleteBeta(1e-10, 100, 1), 100 * Math.log(1e-10))).toBeLessThan(1e-14);
    expect(relErr(logRegularizedIncompleteBeta(0.5, 0.5, 1), 0.5 * Math.log(0.5))).toBeLessThan(1e-14);
    expect(regularizedIncompleteBeta(0, 2, 3)).toBe(0);
    expect(regularizedIncompleteBeta(1, 2, 3)).toBe(1);
    expect(logRegularizedIncompleteBeta(0, 2, 3)).toBe(-Infinity);
    expect(regularizedIncompleteBeta(0.5, 0, 3)).toBeNaN();
    expect(regularizedIncompleteBeta(NaN, 1, 3)).toBeNaN();
  });
});

describe('studentTTwoSidedP', () => {
  it('matches the Cauchy closed form for df = 1, P = (2/π)·atan(1/|t|), out to t = 1e300', () => {
    for (const t of [1e-8, 0.1, 1, 3, 12.7, 1e3, 1e8, 1e50, 1e150, 1e300]) {
      const want = (2 / Math.PI) * Math.atan(1 / t);
      expect(relErr(studentTTwoSidedP(t, 1), want), `t=${t}`).toBeLessThan(tailTol(want));
    }
  });

  it('matches df = 2, P = 1 − t/√(2+t²) = 2/(√(2+t²)(√(2+t²)+t)), to P = 1e-300', () => {
    for (const t of [1e-6, 0.5, 2, 4.303, 100, 1e10, 1e100, 1e150]) {
      const q = Math.sqrt(1 + 2 / (t * t));
      const want = t < 1 ? 1 - t / Math.sqrt(2 + t * t) : 2 / t / (t * q * (q + 1));
      expect(relErr(studentTTwoSidedP(t, 2), want), `t=${t}`).toBeLessThan(tailTol(want));
    }
  });

  it('matches df = 3 and df = 4 closed forms', () => {
    for (const t of [0.2, 1, 2.5, 6]) {
      const df3 = 1 - (2 / Math.PI) * (Math.atan(t / Math.sqrt(3)) + (Math.sqrt(3) * t) / (3 + t * t));
      const df4 = 1 - (t * (t * t + 6)) / (t * t + 4) ** 1.5;
      expect(relErr(studentTTwoSidedP(t, 3), df3)).toBeLessThan(1e-12);
      expect(relErr(studentTTwoSidedP(t, 4), df4)).toBeLessThan(1e-12);
    }
  });

  it('matches the tail quadrature reference to ~1e-12 relative, deep into the tail and at large df', () => {
    // The reference converges: halving the step changes nothing at this precision.
    expect(Math.abs(logTTailByQuadrature(38, 1e4) - logTTailByQuadrature(38, 1e4, 1 / 128))).toBeLessThan(3e-13); // log p ≈ −678: rounding level
    // …and reproduces the closed forms.
    expect(relErr(Math.exp(logTTailByQuadrature(1e150, 1)), (2 / Math.PI) * 1e-150)).toBeLessThan(1e-13);
    expect(relErr(Math.exp(logTTailByQuadrature(1e6, 2)), 2 / (Math.sqrt(2 + 1e12) * (Math.sqrt(2 + 1e12) + 1e6)))).toBeLessThan(1e-13);
    const cases: [number, number][] = [
      [38, 1e4],
      [30, 1e4],
      [10, 1e4],
      [20, 30],
      [5, 3.5],
      [1e10, 5],
      [2.5, 0.7],
      [2, 1e6],
      [5, 1e6],
      [30, 1e6],
      [3, 1e9],
      [8, 1e12],
      [1.96, 250],
      [0.3, 1e5],
    ];
    let worst = 0;
    for (const [t, df] of cases) {
      const want = Math.exp(logTTailByQuadrature(t, df));
      const err = relErr(studentTTwoSidedP(t, df), want);
      worst = Math.max(worst, err);
      expect(err, `t=${t} df=${df}`).toBeLessThan(2e-12);
      expect(studentTTwoSidedP(-t, df)).toBe(studentTTwoSidedP(t, df));
    }
    expect(worst).toBeLessThan(2e-12);
  });

  it('returns 0 only where the true value underflows: t = 40, df = 1e4 is 1.10e-324', () => {
    const logRef = logTTailByQuadrature(40, 1e4);
    expect(logRef / Math.LN10).toBeCloseTo(-323.958119, 5); // mpmath: 1.1012378138063134e-324
    expect(studentTTwoSidedP(40, 1e4)).toBe(0);
    const df = 1e4;
    const viaLog = logRegularizedIncompleteBeta(df / (df + 1600), df / 2, 0.5);
    expect(Math.abs(viaLog - logRef)).toBeLessThan(1e-9);
    expect(studentTTwoSidedP(38, 1e4)).toBeGreaterThan(1e-296); // 2.8966e-295 is representable
    expect(relErr(studentTTwoSidedP(38, 1e4), 2.896601069771380378e-295)).toBeLessThan(2e-12);
  });

  it('tends to the normal as df grows, and is the normal at df = Infinity', () => {
    // The relative gap is ≈ (t⁴ + 2t² + …)/(4df): below rounding at df = 1e18.
    for (const t of [0.5, 1.7, 1.96, 4, 8, 20]) {
      const z = normalTwoSidedP(t);
      expect(relErr(studentTTwoSidedP(t, 1e18), z)).toBeLessThan(tailTol(z));
      expect(relErr(studentTTwoSidedP(t, 1e300), z)).toBeLessThan(tailTol(z));
      const gap = studentTTwoSidedP(t, 1e10) / z - 1;
      expect(gap).toBeGreaterThan(0);
      expect(gap).toBeLessThan((t ** 4 + 2 * t * t + 3) / 4e10);
      expect(studentTTwoSidedP(t, Infinity)).toBe(normalTwoSidedP(t));
    }
  });

  it('is symmetric and decreasing in |t|', () => {
    for (const df of [0.5, 1, 4, 17, 1e3, 1e7]) {
      let prev = 1;
      for (let t = 0; t < 60; t += 0.37) {
        const p = studentTTwoSidedP(t, df);
        expect(p).toBeLessThanOrEqual(prev);
        expect(studentTTwoSidedP(-t, df)).toBe(p);
        prev = p;
      }
    }
    expect(studentTTwoSidedP(0, 7)).toBe(1);
    expect(studentTTwoSidedP(Infinity, 7)).toBe(0);
  });

  it('handles extreme arguments without overflow or long loops', () => {
    expect(studentTTwoSidedP(1e300, 1e300)).toBe(0); // (½)^(5e299)
    expect(relErr(studentTTwoSidedP(1, 1e300), normalTwoSidedP(1))).toBeLessThan(1e-15);
    expect(studentTTwoSidedP(1e-200, 1e6)).toBe(1);
    expect(studentTTwoSidedP(3, 1e-300)).toBe(1);
    expect(studentTTwoSidedP(1e10, 1e20)).toBe(0); // z ≈ 1e10
  });

  it('is NaN for NaN or invalid inputs', () => {
    expect(studentTTwoSidedP(NaN, 3)).toBeNaN();
    expect(studentTTwoSidedP(2, NaN)).toBeNaN();
    expect(studentTTwoSidedP(2, 0)).toBeNaN();
    expect(studentTTwoSidedP(2, -1)).toBeNaN();
  });
});

describe('chiSquareUpperP', () => {
  it('is exp(−x/2) for df = 2, out to 1e-300', () => {
    for (const x of [1e-10, 0.1, 1, 5.99, 50, 300, 1000, 1380]) expect(relErr(chiSquareUpperP(x, 2), Math.exp(-x / 2)), `x=${x}`).toBeLessThan(1e-13);
  });

  it('agrees with 2·normalUpper(√x) for df = 1 (error scaled by the conditioning ~x·eps of √x)', () => {
    for (const x of [1e-8, 0.01, 1, 3.841458820694124, 10, 29.7, 100, 500, 1400]) {
      expect(relErr(chiSquareUpperP(x, 1), 2 * normalUpper(Math.sqrt(x))), `x=${x}`).toBeLessThan(2e-14 * (1 + x));
    }
  });

  it('matches df = 3, Q = 2Φ̄(√x) + √(2x/π)·e^(−x/2)', () => {
    for (const x of [0.01, 1, 7.81, 50, 400]) {
      const want = 2 * normalUpper(Math.sqrt(x)) + Math.sqrt((2 * x) / Math.PI) * Math.exp(-x / 2);
      expect(relErr(chiSquareUpperP(x, 3), want)).toBeLessThan(2e-14 * (1 + x));
    }
  });

  it('matches the even-df Poisson sum Q = e^(−x/2) Σ_{j<k} (x/2)^j / j! at large df and deep tails', () => {
    for (const df of [4, 10, 40, 200, 1000]) {
      for (const ratio of [0.5, 0.9, 1, 1.1, 1.5, 3]) {
        const x = df * ratio;
        const z = x / 2;
        const logTerms = new Float64Array(df / 2);
        for (let j = 0; j < df / 2; j++) logTerms[j] = j * Math.log(z) - logGamma(j + 1);
        const want = Math.exp(-z + logSumExp(logTerms));
        expect(relErr(chiSquareUpperP(x, df), want), `df=${df} x=${x}`).toBeLessThan(5e-13);
      }
    }
  });

  it('is decreasing in x, 1 at x ≤ 0, 0 at Infinity, NaN for bad input', () => {
    let prev = 1;
    for (let x = 0; x < 200; x += 0.9) {
      const p = chiSquareUpperP(x, 7.3);
      expect(p).toBeLessThanOrEqual(prev);
      prev = p;
    }
    expect(chiSquareUpperP(0, 3)).toBe(1);
    expect(chiSquareUpperP(-1, 3)).toBe(1);
    expect(chiSquareUpperP(Infinity, 3)).toBe(0);
    expect(chiSquareUpperP(NaN, 3)).toBeNaN();
    expect(chiSquareUpperP(3, 0)).toBeNaN();
  });

  it('stays accurate at large df and fails fast (never hangs) where the expansions would need too many terms', () => {
    expect(relErr(chiSquareUpperP(1e8, 1e8), 0.49998119368054631853)).toBeLessThan(1e-12); // mpmath
    expect(relErr(chiSquareUpperP(1.0001e8, 1e8), 0.23974273766123693635)).toBeLessThan(1e-13);
    expect(chiSquareUpperP(1.1e12, 1e12)).toBe(0);
    expect(() => chiSquareUpperP(1e20, 1e20)).toThrow(ConvergenceError);
  });
});

describe('normalTwoSidedP', () => {
  it('is 2·normalUpper(|z|)', () => {
    expect(normalTwoSidedP(1.959963984540054)).toBeCloseTo(0.05, 15);
    expect(normalTwoSidedP(-3)).toBe(2 * normalUpper(3));
    expect(normalTwoSidedP(0)).toBe(1);
    expect(normalTwoSidedP(NaN)).toBeNaN();
    expect(relErr(normalTwoSidedP(37), 1.1451142445049153645e-299)).toBeLessThan(1e-13); // erfc(37/√2), mpmath
  });
});
