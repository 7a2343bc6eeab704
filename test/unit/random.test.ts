import { describe, expect, it } from 'vitest';
import { logNormalCdf, normalCdf, normalQuantile, normalUpper } from '../../core/numeric/random/normalDistribution.js';
import { Rng } from '../../core/numeric/random/rng.js';

function moments(xs: Float64Array): { mean: number; variance: number } {
  let m = 0;
  for (const x of xs) m += x;
  m /= xs.length;
  let v = 0;
  for (const x of xs) v += (x - m) ** 2;
  return { mean: m, variance: v / (xs.length - 1) };
}

describe('Rng', () => {
  it('is a pure function of (seed, keys)', () => {
    const a = Rng.stream(42, 3, 7);
    const b = Rng.stream(42, 3, 7);
    const c = Rng.stream(42, 3, 8);
    const xa = Array.from({ length: 5 }, () => a.nextU32());
    expect(Array.from({ length: 5 }, () => b.nextU32())).toEqual(xa);
    expect(Array.from({ length: 5 }, () => c.nextU32())).not.toEqual(xa);
    expect(Rng.stream(1).uniform()).not.toBe(Rng.stream(2).uniform());
  });

  it('restores a saved state exactly', () => {
    const r = Rng.stream(9, 1);
    r.normal();
    const saved = r.state();
    const next = [r.normal(), r.normal(), r.uniform()];
    const s = Rng.fromState(saved);
    expect([s.normal(), s.normal(), s.uniform()]).toEqual(next);
  });

  it('gives uniforms in (0,1) that pass a chi-squared test over 20 bins', () => {
    const r = Rng.stream(5);
    const bins = new Float64Array(20);
    const n = 200_000;
    let lo = 1;
    let hi = 0;
    for (let i = 0; i < n; i++) {
      const u = r.uniform();
      lo = Math.min(lo, u);
      hi = Math.max(hi, u);
      bins[Math.floor(u * 20)]! += 1;
    }
    expect(lo).toBeGreaterThan(0);
    expect(hi).toBeLessThan(1);
    let chi = 0;
    for (const o of bins) chi += (o - n / 20) ** 2 / (n / 20);
    expect(chi).toBeLessThan(43.8); // χ²(19) 0.999 quantile
  });

  it('below(n) is unbiased', () => {
    const r = Rng.stream(6);
    const counts = new Float64Array(3);
    for (let i = 0; i < 90_000; i++) counts[r.below(3)]! += 1;
    for (const c of counts) expect(Math.abs(c - 30_000)).toBeLessThan(600); // > 4 SD
  });

  it('draws normal, gamma, chi-squared and beta variates with the right moments', () => {
    const r = Rng.stream(7);
    const n = 200_000;
    const draw = (f: () => number) => Float64Array.from({ length: n }, f);
    const zs = draw(() => r.normal());
    const z = moments(zs);
    expect(Math.abs(z.mean)).toBeLessThan(0.01);
    expect(Math.abs(z.variance - 1)).toBeLessThan(0.015);
    // Shape, tails included: empirical CDF against Φ (Kolmogorov–Smirnov, α = 0.001 → 1.95/√n).
    const sorted = Float64Array.from(zs).sort();
    let ks = 0;
    for (let i = 0; i < n; i++) ks = Math.max(ks, Math.abs(normalCdf(sorted[i]!) - (i + 0.5) / n));
    expect(ks).toBeLessThan(1.95 / Math.sqrt(n));
    const beyond3 = zs.filter((x) => Math.abs(x) > 3).length / n; // 2·Q(3) = 0.0026998
    expect(Math.abs(beyond3 - 0.0026998)).toBeLessThan(0.0006);
    const beyondR = zs.filter((x) => Math.abs(x) > 3.5).length / n; // tail layer: 2·Q(3.5) = 0.000465
    expect(Math.abs(beyondR - 0.000465)).toBeLessThan(0.0002);
    const g = moments(draw(() => r.gamma(0.5)));
    expect(Math.abs(g.mean - 0.5)).toBeLessThan(0.01);
    expect(Math.abs(g.variance - 0.5)).toBeLessThan(0.02);
    const c = moments(draw(() => r.chiSquared(10)));
    expect(Math.abs(c.mean - 10)).toBeLessThan(0.06);
    expect(Math.abs(c.variance - 20)).toBeLessThan(0.5);
    const b = moments(draw(() => r.beta(2, 3)));
    expect(Math.abs(b.mean - 0.4)).toBeLessThan(0.003);
    expect(Math.abs(b.variance - 0.04)).toBeLessThan(0.001);
  });

  it('shuffles into a permutation', () => {
    const a = Int32Array.from({ length: 100 }, (_, i) => i);
    Rng.stream(1).shuffle(a);
    expect(Array.from(a).sort((x, y) => x - y)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(Array.from(a)).not.toEqual(Array.from({ length: 100 }, (_, i) => i));
  });
});

describe('normal distribution', () => {
  it('matches reference values of Φ and its upper tail (R pnorm)', () => {
    expect(normalCdf(0)).toBe(0.5);
    expect(normalCdf(1.959963984540054)).toBeCloseTo(0.975, 14);
    expect(normalCdf(-1)).toBeCloseTo(0.15865525393145707, 15);
    // Far tail, relative accuracy: pnorm(-10) = 7.619853024160527e-24, pnorm(-37) = 5.725571e-300
    expect(normalUpper(10) / 7.619853024160527e-24 - 1).toBeLessThan(1e-12);
    expect(Math.abs(normalUpper(37) / 5.72557122252458e-300 - 1)).toBeLessThan(1e-9);
    expect(logNormalCdf(-40)).toBeCloseTo(-804.6084420137538, 6);
  });

  it('inverts Φ to near double precision', () => {
    for (const p of [1e-300, 1e-20, 1e-5, 0.02, 0.3, 0.5, 0.8, 0.99, 1 - 1e-12]) {
      const x = normalQuantile(p);
      const back = p < 0.5 ? normalCdf(x) : 1 - normalUpper(x);
      expect(Math.abs(back / p - 1)).toBeLessThan(1e-12);
    }
    expect(normalQuantile(0.975)).toBeCloseTo(1.959963984540054, 13);
    expect(normalQuantile(0)).toBe(-Infinity);
  });
});
