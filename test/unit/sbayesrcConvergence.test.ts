import { describe, expect, it } from 'vitest';
import { Rng } from '../../core/numeric/random/rng.js';
import { effectiveSampleSize, gelmanRubin } from '../../core/sbayesrc/convergence.js';

function ar1(n: number, phi: number, shift: number, rng: Rng): Float64Array {
  const x = new Float64Array(n);
  let v = rng.normal() / Math.sqrt(1 - phi * phi);
  for (let i = 0; i < n; i++) {
    v = phi * v + rng.normal();
    x[i] = v + shift;
  }
  return x;
}

describe('convergence diagnostics', () => {
  it('ESS of an AR(1) chain is n(1 − φ)/(1 + φ)', () => {
    const rng = Rng.stream(1);
    const n = 40_000;
    const ess = effectiveSampleSize([ar1(n, 0.5, 0, rng)]);
    expect(ess / (n / 3)).toBeGreaterThan(0.85);
    expect(ess / (n / 3)).toBeLessThan(1.15);
    const two = effectiveSampleSize([ar1(n, 0, 0, rng), ar1(n, 0, 0, rng)]);
    expect(two / (2 * n)).toBeGreaterThan(0.9);
  });

  it('R-hat ≈ 1 for chains on one target, > 1.1 for chains stuck apart', () => {
    const rng = Rng.stream(2);
    const same = [0, 0, 0].map(() => ar1(2000, 0.7, 0, rng));
    expect(gelmanRubin(same)).toBeLessThan(1.02);
    const apart = [0, 1, 2].map((s) => ar1(2000, 0.7, s, rng));
    expect(gelmanRubin(apart)).toBeGreaterThan(1.1);
    expect(gelmanRubin([same[0]!])).toBeNaN();
  });
});
