// Special functions and tail probabilities for test statistics (GWAS p-values, Wald tests).
// Every tail is computed in log space and exponentiated once, so p-values keep full relative
// accuracy down to the smallest double instead of cancelling as 1 − CDF.

import { normalUpper } from '../random/normalDistribution.js';
import { ConvergenceError } from '../../errors.js';

const LOG_SQRT_2PI = 0.91893853320467274178032973640562;
const EULER_GAMMA = 0.57721566490153286060651209008240;
const TINY = 1e-300; // Lentz's guard against zero denominators
const CF_EPS = 1e-16;
/** Hard cap on continued-fraction / series terms (they need O(√shape) near the mean): fail, never hang. */
const MAX_TERMS = 1_000_000;

// ζ(k) for k = 2..28 (20 significant digits): coefficients of the Taylor series of lgamma about 1.
const ZETA = [
  1.6449340668482264365, 1.2020569031595942854, 1.0823232337111381915, 1.0369277551433699263,
  1.0173430619844491397, 1.0083492773819228268, 1.0040773561979443394, 1.0020083928260822144,
  1.0009945751278180853, 1.0004941886041194646, 1.0002460865533080483, 1.0001227133475784891,
  1.0000612481350587048, 1.0000305882363070205, 1.0000152822594086519, 1.0000076371976378998,
  1.0000038172932649998, 1.0000019082127165539, 1.0000009539620338728, 1.0000004769329867878,
  1.0000002384505027277, 1.0000001192199259653, 1.0000000596081890513, 1.0000000298035035147,
  1.0000000149015548284, 1.0000000074507117898, 1.0000000037253340248,
];

/**
 * Stirling remainder lgamma(z) − [(z − ½)log z − z + log√(2π)] for z ≥ 10: Bernoulli terms
 * B₂ₖ/(2k(2k−1)z^(2k−1)), k = 1..8; the first omitted term is < 3e-17 at z = 10.
 */
function stirlingCorrection(z: number): number {
  const w = 1 / (z * z);
  const s =
    1 / 12 +
    w * (-1 / 360 + w * (1 / 1260 + w * (-1 / 1680 + w * (1 / 1188 + w * (-691 / 360360 + w * (1 / 156 + w * (-3617 / 122400)))))));
  return s / z;
}

// ζ(k) for k up to 60: the table, then 1 + 2^−k + … + 5^−k (the rest is < 6^−29 ≈ 3e-23).
const ZETA_ALL = Float64Array.from({ length: 59 }, (_, i) => {
  const k = i + 2;
  return i < ZETA.length ? ZETA[i]! : 1 + 2 ** -k + 3 ** -k + 4 ** -k + 5 ** -k;
});

/**
 * lgamma(1 + e) for |e| ≤ ½ from −γe + Σ_{k≥2} (−1)^k ζ(k) e^k / k: full relative accuracy near
 * the root at 1 (and, via Γ(2+e) = (1+e)Γ(1+e), at 2), where any shifted formula cancels.
 */
function logGammaOnePlus(e: number): number {
  const lead = -EULER_GAMMA * e;
  let sum = 0;
  let pow = -e;
  for (let k = 2; k < ZETA_ALL.length + 2; k++) {
    pow *= -e; // (−e)^k
    const term = (ZETA_ALL[k - 2]! * pow) / k;
    sum += term;
    if (Math.abs(term) <= 1e-17 * (Math.abs(lead) + Math.abs(sum))) break;
  }
  return lead + sum;
}

/**
 * log|Γ(x)|, relative error ~1e-15 (including near the roots at 1 and 2); +Infinity at the poles
 * x = 0, −1, −2, …. Series about 1 on [½, 2½], Stirling from 10, recurrences in between.
 */
export function logGamma(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x === Infinity) return Infinity;
  if (x <= 0) {
    if (Number.isInteger(x)) return Infinity;
    // Reflection: Γ(x)Γ(1−x) = π / sin(πx).
    return Math.log(Math.PI / Math.abs(sinPi(x))) - logGamma(1 - x);
  }
  if (x < 0.5) return logGammaOnePlus(x) - Math.log(x); // Γ(x) = Γ(1+x)/x
  if (x <= 1.5) return logGammaOnePlus(x - 1);
  if (x <= 2.5) return Math.log1p(x - 2) + logGammaOnePlus(x - 2);
  if (x >= 10) return x * (Math.log(x) - 1) - 0.5 * Math.log(x) + LOG_SQRT_2PI + stirlingCorrection(x);
  // Down into (1.5, 2.5]: Γ(x) = (x−1)(x−2)…(x−k) Γ(x−k).
  let prod = 1;
  let z = x;
  while (z > 2.5) {
    z -= 1;
    prod *= z;
  }
  return Math.log(prod) + Math.log1p(z - 2) + logGammaOnePlus(z - 2);
}

/** sin(πx) with exact zeros at integers (reduces the argument before multiplying by π). */
function sinPi(x: number): number {
  const r = x - 2 * Math.floor(x / 2); // [0, 2)
  if (r <= 0.5) return Math.sin(Math.PI * r);
  if (r <= 1.5) return Math.sin(Math.PI * (1 - r));
  return -Math.sin(Math.PI * (2 - r));
}

/** log(1 + u) − u without cancellation for small u. */
function log1pmx(u: number): number {
  if (Math.abs(u) >= 0.5) return Math.log1p(u) - u;
  // log(1+u) = 2 atanh(v) with v = u/(2+u), and u − 2v = u·v.
  const v = u / (2 + u);
  const v2 = v * v;
  let term = v;
  let series = 0;
  for (let k = 3; k < 80; k += 2) {
    term *= v2;
    const add = term / k;
    series += add;
    if (Math.abs(add) <= 1e-17 * Math.abs(series)) break;
  }
  return -u * v + 2 * series;
}

/**
 * log B(a, b). For large arguments the lgamma terms are each huge and nearly cancel, so the
 * Stirling forms are expanded analytically and only small quantities are added.
 */
function logBeta(a: number, b: number): number {
  const p = Math.min(a, b);
  const q = Math.max(a, b);
  if (p >= 10) {
    const corr = stirlingCorrection(p) + stirlingCorrection(q) - stirlingCorrection(p + q);
    return -0.5 * Math.log(q) + LOG_SQRT_2PI + corr + (p - 0.5) * Math.log(p / (p + q)) + q * Math.log1p(-p / (p + q));
  }
  if (q >= 10) {
    // lgamma(q) − lgamma(p+q) = (q − ½)log(q/(p+q)) − p·log(p+q) + p + corr(q) − corr(p+q).
    const corr = stirlingCorrection(q) - stirlingCorrection(p + q);
    return logGamma(p) + corr + p - p * Math.log(p + q) + (q - 0.5) * Math.log1p(-p / (p + q));
  }
  return logGamma(p) + logGamma(q) - logGamma(p + q);
}

/**
 * Continued fraction for I_x(a, b) · a·B(a,b) / (x^a (1−x)^b) by the modified Lentz method;
 * converges quickly for x < (a+1)/(a+b+2).
 */
function betaContinuedFraction(x: number, a: number, b: number): number {
  const maxIter = Math.min(MAX_TERMS, 1000 + Math.ceil(20 * Math.sqrt(Math.max(a, b))));
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < TINY) d = TINY;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= maxIter; m++) {
    const m2 = 2 * m;
    // Even step: d_2m = m(b−m)x / ((a+2m−1)(a+2m)), as ratios so huge a cannot overflow.
    let num = (m / (a + m2 - 1)) * ((b - m) / (a + m2)) * x;
    d = 1 + num * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + num / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    h *= d * c;
    // Odd step: d_2m+1 = −(a+m)(a+b+m)x / ((a+2m)(a+2m+1)).
    num = -((a + m) / (a + m2)) * ((a + b + m) / (a + m2 + 1)) * x;
    d = 1 + num * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + num / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const step = d * c;
    h *= step;
    if (Math.abs(step - 1) < CF_EPS * 4) return h;
    if (Number.isNaN(h)) break;
  }
  throw new ConvergenceError(`incomplete beta continued fraction did not converge (x=${x}, a=${a}, b=${b})`);
}

/**
 * The smaller-tail piece of I_x(a, b) given x, y = 1 − x and their logs (callers that can
 * form y and the logs without rounding pass them in). Returns log I_x(a,b) when `complement`
 * is false, else log(1 − I_x(a,b)) = log I_y(b,a).
 */
function logBetaTail(x: number, y: number, logX: number, logY: number, a: number, b: number): { log: number; complement: boolean } {
  const complement = x * (a + b + 2) > a + 1;
  // With a ≫ b and x near 1 the continued fraction works with 1 − x implicitly and loses
  // ~eps/(1−x) relative accuracy; the expansion works from −log x instead.
  if (!complement && a >= 100 && b <= 2 && y < 0.05) return { log: logBetaLargeA(-logX, a, b), complement };
  if (complement && b >= 100 && a <= 2 && x < 0.05) return { log: logBetaLargeA(-logY, b, a), complement };
  const [xx, yy, aa, bb, lx, ly] = complement ? [y, x, b, a, logY, logX] : [x, y, a, b, logX, logY];
  const logPrefix = logBetaPrefix(xx, yy, lx, ly, aa, bb);
  if (logPrefix === -Infinity) return { log: -Infinity, complement };
  return { log: logPrefix + Math.log(betaContinuedFraction(xx, aa, bb)), complement };
}

/**
 * log[x^a y^b / (a·B(a,b))]. When a and b are both large, a·log x + b·log y and log B(a,b) are
 * huge and nearly cancel; with s = a+b, x₀ = a/s, y₀ = b/s and Stirling's series,
 *   a log x + b log y − log B = a·log1pmx((x−x₀)/x₀) + b·log1pmx((y−y₀)/y₀) − ½log(2π) + ½log(ab/s) − corr,
 * using a/x₀ = b/y₀ = s so the linear terms cancel exactly (x − x₀ = y₀ − y).
 */
function logBetaPrefix(x: number, y: number, logX: number, logY: number, a: number, b: number): number {
  if (a < 10 || b < 10) return a * logX + b * logY - Math.log(a) - logBeta(a, b);
  const s = a + b;
  const x0 = a / s;
  const y0 = b / s;
  const d = x <= y ? x - x0 : y0 - y; // difference taken on the smaller coordinate
  const corr = stirlingCorrection(a) + stirlingCorrection(b) - stirlingCorrection(s);
  return a * logRatioMinusLinear(d / x0, logX, x0) + b * logRatioMinusLinear(-d / y0, logY, y0) - LOG_SQRT_2PI + 0.5 * Math.log((a * b) / s) - corr - Math.log(a);
}

/** log(v/v₀) − u for u = v/v₀ − 1: log1pmx near v₀; from log v when v ≪ v₀ (u would round to −1). */
function logRatioMinusLinear(u: number, logV: number, v0: number): number {
  if (u < -0.5) return logV - Math.log(v0) - u;
  return log1pmx(u);
}

/**
 * log I_x(a, b) for large a, small b, given v₀ = −log x (the expansion behind DiDonato & Morris's
 * BGRAT, derived here directly). With w = e^−v, I_x = (1/B) ∫_{v₀}^∞ e^{−av}(1 − e^{−v})^{b−1} dv and
 * 1 − e^{−v} = e^{−v/2}·v·S(v), S(v) = sinh(v/2)/(v/2). Writing T = a + (b−1)/2 and
 * S(v)^{b−1} = Σ eₙ v^{2n} gives
 *   I_x = Γ(a+b)/(Γ(a) T^b) · Q(b, T v₀) · Σ eₙ G_{b+2n} / T^{2n},  G_s = Γ(s, u)/Γ(b, u),
 * whose terms fall like (v₀/2π)^{2n} + (2n)!/(2πT)^{2n}: a few terms when v₀ is small and T large.
 */
function logBetaLargeA(v0: number, a: number, b: number): number {
  const t = a + (b - 1) / 2;
  const u = t * v0;
  const e = sinhRatioPowerCoefficients(b - 1);
  const logQ = logUpperGammaQ(b, u);
  const logGammaBU = logQ + logGamma(b); // log Γ(b, u)
  // Carry G_s / T^{s−b} so neither factor overflows: G'_{s+1} = (s/T) G'_s + u^s e^−u / (Γ(b,u) T^{s+1−b}).
  const logV0 = Math.log(v0);
  let g = 1;
  let dLog = b * Math.log(u) - u - logGammaBU - Math.log(t);
  let sum = 1;
  for (let n = 1; n < e.length; n++) {
    const s = b + 2 * n - 2;
    g = (s / t) * g + Math.exp(dLog);
    dLog += logV0;
    g = ((s + 1) / t) * g + Math.exp(dLog);
    dLog += logV0;
    const term = e[n]! * g;
    sum += term;
    if (Math.abs(term) <= 1e-17 * Math.abs(sum)) break;
  }
  return logGamma(b) - logBeta(a, b) - b * Math.log(t) + logQ + Math.log(sum);
}

const SINH_RATIO_TERMS = 24;
const sinhRatioCache = new Map<number, Float64Array>();

/**
 * Coefficients eₙ of S(v)^c = Σ eₙ v^{2n}, S(v) = sinh(v/2)/(v/2), from
 * log S(v) = Σ_{k≥1} (−1)^{k+1} ζ(2k) v^{2k} / (k (2π)^{2k}) and the recurrence for exp of a series.
 */
function sinhRatioPowerCoefficients(c: number): Float64Array {
  const cached = sinhRatioCache.get(c);
  if (cached) return cached;
  const n = SINH_RATIO_TERMS;
  const logCoef = new Float64Array(n);
  const twoPi2 = 4 * Math.PI * Math.PI;
  let pow = 1;
  for (let k = 1; k < n; k++) {
    pow *= twoPi2;
    logCoef[k] = ((k % 2 === 1 ? 1 : -1) * ZETA_ALL[2 * k - 2]!) / (k * pow);
  }
  const e = new Float64Array(n);
  e[0] = 1;
  for (let m = 1; m < n; m++) {
    let acc = 0;
    for (let k = 1; k <= m; k++) acc += k * logCoef[k]! * e[m - k]!;
    e[m] = (c * acc) / m;
  }
  if (sinhRatioCache.size < 16) sinhRatioCache.set(c, e);
  return e;
}

function checkBetaArgs(x: number, a: number, b: number): boolean {
  return !(Number.isNaN(x) || !(a > 0) || !(b > 0) || a === Infinity || b === Infinity);
}

/** Regularized incomplete beta I_x(a, b) = P(Beta(a,b) ≤ x); NaN for invalid arguments. */
export function regularizedIncompleteBeta(x: number, a: number, b: number): number {
  if (!checkBetaArgs(x, a, b)) return NaN;
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const y = 1 - x;
  const r = logBetaTail(x, y, Math.log(x), Math.log1p(-x), a, b);
  return r.complement ? -Math.expm1(r.log) : Math.exp(r.log);
}

/** log I_x(a, b), finite far below the smallest double (for −log10 p reporting). */
export function logRegularizedIncompleteBeta(x: number, a: number, b: number): number {
  if (!checkBetaArgs(x, a, b)) return NaN;
  if (x <= 0) return -Infinity;
  if (x >= 1) return 0;
  const r = logBetaTail(x, 1 - x, Math.log(x), Math.log1p(-x), a, b);
  return r.complement ? log1mexp(r.log) : r.log;
}

/** log(1 − e^v) for v ≤ 0, accurate for v near 0 and for v very negative. */
function log1mexp(v: number): number {
  return v > -Math.LN2 ? Math.log(-Math.expm1(v)) : Math.log1p(-Math.exp(v));
}

/** P(Z ≥ |z|) · 2 for a standard normal Z. */
export function normalTwoSidedP(z: number): number {
  if (Number.isNaN(z)) return NaN;
  return 2 * normalUpper(Math.abs(z));
}

/**
 * P(|T_df| ≥ |t|) = I_{df/(df+t²)}(df/2, ½). x = df/(df+t²) and y = t²/(df+t²) are formed from
 * u = |t|/√df in whichever orientation cannot overflow, with their logs taken directly, so the
 * tail never goes through 1 − CDF and stays accurate until the answer underflows.
 */
export function studentTTwoSidedP(t: number, df: number): number {
  if (Number.isNaN(t) || Number.isNaN(df) || !(df > 0)) return NaN;
  if (df === Infinity) return normalTwoSidedP(t);
  const at = Math.abs(t);
  if (at === Infinity) return 0;
  if (at === 0) return 1;
  const u = at / Math.sqrt(df);
  if (u * u === 0) return 1; // t²/df below the smallest double: P = 1 − O(|t|/√df)
  let x: number, y: number, logX: number, logY: number;
  if (u > 1) {
    const q = 1 / (u * u); // df/t²
    const l = Math.log1p(q);
    x = q / (1 + q);
    y = 1 / (1 + q);
    logX = -2 * Math.log(u) - l;
    logY = -l;
  } else {
    const r = u * u; // t²/df
    const l = Math.log1p(r);
    x = 1 / (1 + r);
    y = r / (1 + r);
    logX = -l;
    logY = 2 * Math.log(u) - l;
  }
  const a = df / 2;
  // Large df, |t| ≪ √df: the expansion gives p directly (no 1 − I cancellation even near p = 1).
  if (a >= 100 && y < 0.05) return Math.exp(logBetaLargeA(-logX, a, 0.5));
  const r = logBetaTail(x, y, logX, logY, a, 0.5);
  return r.complement ? -Math.expm1(r.log) : Math.exp(r.log);
}

/**
 * P(χ²_df ≥ x) = Q(df/2, x/2), the regularized upper incomplete gamma: power series for the
 * lower piece when x/2 < df/2 + 1 (where Q is not small), otherwise the Legendre continued
 * fraction for Q itself, so far-tail values keep full relative accuracy. Both need O(√df) terms
 * when x is near df; beyond df ≈ 1e11 there that exceeds the term cap and ConvergenceError is thrown.
 */
export function chiSquareUpperP(x: number, df: number): number {
  if (Number.isNaN(x) || Number.isNaN(df) || !(df > 0)) return NaN;
  if (x <= 0) return 1;
  if (x === Infinity) return 0;
  if (df === Infinity) return 1;
  return Math.exp(logUpperGammaQ(df / 2, x / 2));
}

/** log Q(s, z) for s > 0, z > 0 (finite far below the smallest double). */
function logUpperGammaQ(s: number, z: number): number {
  const logPrefix = logGammaPrefix(s, z);
  if (z < s + 1) return log1mexp(logPrefix + Math.log(lowerGammaSeries(s, z)));
  if (logPrefix === -Infinity) return -Infinity;
  return logPrefix + Math.log(upperGammaContinuedFraction(s, z));
}

/**
 * log(z^s e^−z / Γ(s)). For large s the three terms are huge and cancel; written as
 * s·log1pmx(z/s − 1) + ½log(s/2π) − corr(s) only small quantities are added.
 */
function logGammaPrefix(s: number, z: number): number {
  if (s >= 10) return s * log1pmx((z - s) / s) + 0.5 * Math.log(s / (2 * Math.PI)) - stirlingCorrection(s);
  return s * Math.log(z) - z - logGamma(s);
}

/** Σ_{n≥0} z^n / (s(s+1)…(s+n)), so that P(s, z) = prefix · sum. */
function lowerGammaSeries(s: number, z: number): number {
  const maxIter = Math.min(MAX_TERMS, 1000 + Math.ceil(20 * Math.sqrt(s)));
  let term = 1 / s;
  let sum = term;
  let ap = s;
  for (let n = 1; n <= maxIter; n++) {
    ap += 1;
    term *= z / ap;
    sum += term;
    if (term < sum * CF_EPS) return sum;
  }
  throw new ConvergenceError(`incomplete gamma series did not converge (s=${s}, z=${z})`);
}

/** Continued fraction with Q(s, z) = prefix · value, by the modified Lentz method. */
function upperGammaContinuedFraction(s: number, z: number): number {
  const maxIter = Math.min(MAX_TERMS, 1000 + Math.ceil(20 * Math.sqrt(s)));
  let b = z + 1 - s;
  let c = 1 / TINY;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i <= maxIter; i++) {
    const an = -i * (i - s);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < TINY) d = TINY;
    c = b + an / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const step = d * c;
    h *= step;
    if (Math.abs(step - 1) < CF_EPS * 4) return h;
    if (Number.isNaN(h)) break;
  }
  throw new ConvergenceError(`incomplete gamma continued fraction did not converge (s=${s}, z=${z})`);
}
