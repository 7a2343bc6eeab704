// SBayesRC-multi pieces: the seeded tuning/test split, mixing weights recovered from simulated
// data (phenotype = 0.6·z1 + 0.3·z2 + covariate + noise), and the combined test metrics.
import { describe, expect, it } from 'vitest';
import { evaluateCombination } from '../../core/multiAncestry/combinedMetrics.js';
import { combineScores, fitMixingWeights } from '../../core/multiAncestry/mixingWeights.js';
import { splitTuningTest } from '../../core/multiAncestry/tuningSplit.js';
import { Rng } from '../../core/numeric/random/rng.js';
import { normalEquations } from '../helpers/leastSquares.js';

describe('splitTuningTest', () => {
  it('gives round(n·fraction) tuning samples, disjoint and complete, the same for the same seed', () => {
    for (const [n, f] of [[1000, 0.5], [7, 0.3], [101, 0.25]] as const) {
      const s = splitTuningTest(n, f, 9);
      expect(s.tuning.length).toBe(Math.round(n * f));
      expect([...s.tuning, ...s.test].sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i));
      expect(Array.from(s.tuning)).toEqual([...s.tuning].sort((a, b) => a - b));
      expect(splitTuningTest(n, f, 9)).toEqual(s);
    }
    expect(Array.from(splitTuningTest(1000, 0.5, 10).tuning)).not.toEqual(Array.from(splitTuningTest(1000, 0.5, 9).tuning));
  });

  it('refuses a fraction outside (0, 1)', () => {
    expect(() => splitTuningTest(10, 1, 1)).toThrow(RangeError);
    expect(() => splitTuningTest(10, 0, 1)).toThrow(RangeError);
  });
});

/** Two ancestries' PGS on arbitrary scales (z1, z2 correlated 0.5), a covariate, a phenotype. */
function simulate(seed: number, n: number) {
  const rng = Rng.stream(seed);
  const z1 = Float64Array.from({ length: n }, () => rng.normal());
  const z2 = Float64Array.from(z1, (v) => 0.5 * v + Math.sqrt(0.75) * rng.normal());
  const age = Float64Array.from({ length: n }, () => 40 + 8 * rng.normal());
  const y = Float64Array.from(z1, (v, i) => 0.6 * v + 0.3 * z2[i]! + 0.05 * age[i]! + 0.7 * rng.normal());
  // Raw scores: scaled and shifted versions of z (the weights act on standardised scores).
  const pgs1 = Float64Array.from(z1, (v) => 3 + 0.02 * v);
  const pgs2 = Float64Array.from(z2, (v) => -1 + 5 * v);
  return { y, age, pgs1, pgs2 };
}

describe('fitMixingWeights', () => {
  it('weights are the standardised-PGS coefficients of y ~ 1 + covariates + z (normal equations)', () => {
    const { y, age, pgs1, pgs2 } = simulate(1, 300);
    const model = fitMixingWeights(y, [age], [pgs1, pgs2]);
    const sd = (x: Float64Array): number => {
      const m = x.reduce((a, b) => a + b, 0) / x.length;
      return Math.sqrt(x.reduce((a, b) => a + (b - m) ** 2, 0) / (x.length - 1));
    };
    const ref = normalEquations(y, [age, pgs1, pgs2]);
    expect(Math.abs(model.weights[0]! - ref.beta[2]! * sd(pgs1))).toBeLessThan(1e-9 * Math.abs(model.weights[0]!));
    expect(Math.abs(model.weights[1]! - ref.beta[3]! * sd(pgs2))).toBeLessThan(1e-9 * Math.abs(model.weights[1]!));
    // The combined score is the fitted PGS part, up to a constant.
    const c = combineScores(model, [pgs1, pgs2]);
    const d0 = c[0]! - (ref.beta[2]! * pgs1[0]! + ref.beta[3]! * pgs2[0]!);
    for (let i = 1; i < 300; i++) expect(c[i]! - (ref.beta[2]! * pgs1[i]! + ref.beta[3]! * pgs2[i]!) - d0).toBeCloseTo(0, 9);
  });

  it('recovers 0.6 and 0.3 from 20,000 samples', () => {
    const { y, age, pgs1, pgs2 } = simulate(2, 20_000);
    const w = fitMixingWeights(y, [age], [pgs1, pgs2]).weights;
    // True weights per SD of each PGS: z SDs are 1 (±~1 %), estimate SE ≈ 0.7/√20000/0.87 ≈ 0.006.
    expect(Math.abs(w[0]! - 0.6)).toBeLessThan(0.03);
    expect(Math.abs(w[1]! - 0.3)).toBeLessThan(0.03);
  });
});

describe('evaluateCombination', () => {
  const { y, age, pgs1, pgs2 } = simulate(4, 4000);
  const input = { y, covariates: [age], scores: [pgs1, pgs2], ancestries: ['EUR', 'EAS'], tuningFraction: 0.5, seed: 17 };
  const res = evaluateCombination(input, { trait: 'quantitative' });

  it('reports test metrics per ancestry and combined, the weights, and the split sizes', () => {
    expect(res.tuning).toBe(2000);
    expect(res.test).toBe(2000);
    expect(Math.abs(res.weights.EUR! - 0.6)).toBeLessThan(0.06);
    expect(Math.abs(res.weights.EAS! - 0.3)).toBeLessThan(0.06);
    const r2 = (scope: string): number => res.rows.find((r) => r.scope === scope && r.metric === 'incremental_r2')!.value!;
    expect(r2('combined')).toBeGreaterThanOrEqual(Math.max(r2('EUR'), r2('EAS')));
    expect(res.rows.find((r) => r.scope === 'EUR' && r.metric === 'r2')).toMatchObject({ method: 'SBayesRC', n: 2000 });
    expect(res.rows.find((r) => r.metric === 'weight:EAS')).toMatchObject({ scope: 'combined', method: 'SBayesRC-multi', value: res.weights.EAS, n: 2000 });
    expect(res.rows.filter((r) => r.scope === 'combined').length).toBe(4 + 2);
  });

  it('is deterministic for a seed, and the seed matters', () => {
    expect(evaluateCombination(input, { trait: 'quantitative' })).toEqual(res);
    expect(evaluateCombination({ ...input, seed: 18 }, { trait: 'quantitative' }).weights).not.toEqual(res.weights);
  });

  it('test metrics use only test samples: combined r2 equals an independent computation on them', () => {
    const split = splitTuningTest(4000, 0.5, 17);
    const pick = (x: Float64Array, idx: Int32Array): Float64Array => Float64Array.from(idx, (i) => x[i]!);
    const model = fitMixingWeights(pick(y, split.tuning), [pick(age, split.tuning)], [pick(pgs1, split.tuning), pick(pgs2, split.tuning)]);
    const comb = combineScores(model, [pick(pgs1, split.test), pick(pgs2, split.test)]);
    const yt = pick(y, split.test);
    const full = normalEquations(yt, [pick(age, split.test), comb]);
    const reduced = normalEquations(yt, [pick(age, split.test)]);
    const got = res.rows.find((r) => r.scope === 'combined' && r.metric === 'incremental_r2')!.value!;
    expect(Math.abs(got - (full.r2 - reduced.r2))).toBeLessThan(1e-9 * got);
  });
});
