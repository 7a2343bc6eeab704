// Fold metrics against independent computations: r2 from a plain Pearson, incremental R² and
// the calibration slope from normal equations, AUC by counting pairs, the aggregate by hand.
import { describe, expect, it } from 'vitest';
import { type ScoreEvaluation, evaluateScore, foldMetricRows, metricRows } from '../../core/evaluation/foldMetrics.js';
import { Rng } from '../../core/numeric/random/rng.js';
import { normalEquations } from '../helpers/leastSquares.js';
import { pearson } from '../helpers/pearson.js';

function simulate(seed: number, n: number): { y: Float64Array; pgs: Float64Array; cov: Float64Array[] } {
  const rng = Rng.stream(seed);
  const pgs = Float64Array.from({ length: n }, () => rng.normal());
  const age = Float64Array.from({ length: n }, () => 50 + 10 * rng.normal());
  const sex = Float64Array.from({ length: n }, () => (rng.uniform() < 0.5 ? 1 : 2));
  const y = Float64Array.from({ length: n }, (_, i) => 0.4 * pgs[i]! + 0.02 * age[i]! - 0.3 * sex[i]! + rng.normal());
  return { y, pgs, cov: [age, sex] };
}

const value = (ev: ScoreEvaluation, metric: string): number => ev.metrics.find((m) => m.metric === metric)!.value;
const close = (a: number, b: number, rel = 1e-9): void => expect(Math.abs(a - b)).toBeLessThanOrEqual(rel * Math.max(Math.abs(b), 1e-12));

describe('evaluateScore (quantitative)', () => {
  const { y, pgs, cov } = simulate(3, 400);
  const ev = evaluateScore(y, pgs, cov, { trait: 'quantitative' });

  it('gives r2, incremental R², calibration slope and Pearson equal to independent computations', () => {
    expect(ev.metrics.map((m) => m.metric)).toEqual(['r2', 'incremental_r2', 'calibration_slope', 'pearson']);
    expect(ev.n).toBe(400);
    const r = pearson(pgs, y);
    close(value(ev, 'pearson'), r);
    close(value(ev, 'r2'), r * r);
    const full = normalEquations(y, [...cov, pgs]);
    const reduced = normalEquations(y, cov);
    close(value(ev, 'incremental_r2'), full.r2 - reduced.r2);
    close(value(ev, 'calibration_slope'), full.beta[3]!);
    expect(value(ev, 'calibration_slope')).toBeGreaterThan(0.3);
  });

  it('equals r2 as incremental R² without covariates', () => {
    const plain = evaluateScore(y, pgs, [], { trait: 'quantitative' });
    close(value(plain, 'incremental_r2'), value(plain, 'r2'));
  });

  it('drops samples with a missing value from every metric', () => {
    const yy = Float64Array.from(y);
    const age = Float64Array.from(cov[0]!);
    yy[0] = NaN;
    age[1] = NaN;
    const dropped = evaluateScore(yy, pgs, [age, cov[1]!], { trait: 'quantitative' });
    expect(dropped.n).toBe(398);
    const keep = (x: Float64Array): Float64Array => x.slice(2);
    close(value(dropped, 'r2'), pearson(keep(pgs), keep(y)) ** 2);
  });
});

describe('evaluateScore (binary)', () => {
  it('adds AUC (pair count), OR per SD, McFadden R² and liability R² (Lee et al. at P = K)', () => {
    const rng = Rng.stream(5);
    const n = 600;
    const pgs = Float64Array.from({ length: n }, () => rng.normal());
    const y = Float64Array.from(pgs, (s) => (s + 1.5 * rng.normal() > 0.4 ? 1 : 0));
    const ev = evaluateScore(y, pgs, [], { trait: 'binary', prevalence: y.reduce((a, b) => a + b, 0) / n });
    expect(ev.metrics.map((m) => m.metric)).toEqual(['r2', 'incremental_r2', 'calibration_slope', 'pearson', 'auc', 'or_per_sd', 'mcfadden_r2', 'liability_r2']);
    let wins = 0;
    let pairs = 0;
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) if (y[i] === 1 && y[j] === 0) {
      pairs++;
      wins += pgs[i]! > pgs[j]! ? 1 : pgs[i] === pgs[j] ? 0.5 : 0;
    }
    close(value(ev, 'auc'), wins / pairs);
    expect(value(ev, 'or_per_sd')).toBeGreaterThan(1.5);
    expect(value(ev, 'mcfadden_r2')).toBeGreaterThan(0);
    // P = K: θ = 0, so R²_liab = R²_obs·K(1−K)/z² · K(1−K)/(P(1−P)) = R²_obs·K(1−K)/z².
    const K = y.reduce((a, b) => a + b, 0) / n;
    const t = quantile(1 - K);
    const z = Math.exp(-0.5 * t * t) / Math.sqrt(2 * Math.PI);
    close(value(ev, 'liability_r2'), (value(ev, 'r2') * K * (1 - K)) / (z * z), 1e-7);
  });
});

/** Standard normal quantile by bisection on erf-free Φ (Simpson integration): slow, independent. */
function quantile(p: number): number {
  const phi = (x: number): number => {
    const steps = 4000;
    const a = -10;
    const h = (x - a) / steps;
    let s = 0;
    for (let i = 0; i <= steps; i++) {
      const u = a + i * h;
      const w = i === 0 || i === steps ? 1 : i % 2 === 1 ? 4 : 2;
      s += w * Math.exp(-0.5 * u * u);
    }
    return (s * h) / 3 / Math.sqrt(2 * Math.PI);
  };
  let lo = -8;
  let hi = 8;
  for (let k = 0; k < 60; k++) {
    const mid = (lo + hi) / 2;
    if (phi(mid) < p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

describe('foldMetricRows', () => {
  it('writes fold-<k> rows and a folds aggregate: mean and SE over folds, n = folds', () => {
    const folds = [11, 12, 13].map((seed) => {
      const { y, pgs, cov } = simulate(seed, 150);
      return evaluateScore(y, pgs, cov, { trait: 'quantitative' });
    });
    const rows = foldMetricRows('SBayesRC', folds);
    expect(rows.length).toBe(4 * 4);
    expect(rows.filter((r) => r.scope === 'fold-2').map((r) => r.value)).toEqual(folds[1]!.metrics.map((m) => m.value));
    expect(rows.find((r) => r.scope === 'fold-1')).toMatchObject({ method: 'SBayesRC', n: 150, se: null });
    const agg = rows.find((r) => r.scope === 'folds' && r.metric === 'incremental_r2')!;
    const v = folds.map((f) => value(f, 'incremental_r2'));
    const mean = (v[0]! + v[1]! + v[2]!) / 3;
    const sd = Math.sqrt(v.reduce((s, x) => s + (x - mean) ** 2, 0) / 2);
    close(agg.value!, mean);
    close(agg.se!, sd / Math.sqrt(3));
    expect(agg.n).toBe(3);
  });

  it('stores undefined metrics as null', () => {
    const rows = metricRows('EUR', 'SBayesRC', { n: 10, metrics: [{ metric: 'pearson', value: NaN }] });
    expect(rows).toEqual([{ scope: 'EUR', method: 'SBayesRC', metric: 'pearson', value: null, se: null, n: 10 }]);
  });
});
