import { describe, expect, it } from 'vitest';
import { Rng } from '../../core/numeric/random/rng.js';
import { normalCdf } from '../../core/numeric/random/normalDistribution.js';
import { symmetricEigen } from '../../core/numeric/linalg/symmetricEigen.js';
import { blockSampleSize, standardise } from '../../core/sbayesrc/standardise.js';
import { lowRankBlock, quadraticForm } from '../../core/sbayesrc/lowRank.js';
import { GAMMA, N_COMPONENTS, START_PI, componentConstants, drawSnp, logWeights, type SnpDraw } from '../../core/sbayesrc/mixture.js';
import { BLOWUP_FLOOR, MIN_SIGMA2G, geneticVariance, residualVariance } from '../../core/sbayesrc/variance.js';
import { drawPi } from '../../core/sbayesrc/dirichletPi.js';
import { standardNormalAbove, truncatedLiability } from '../../core/sbayesrc/truncatedNormal.js';
import { initialAlpha, probitGibbs, snpLogPi, type Annotations } from '../../core/sbayesrc/probit.js';

const phi = (x: number): number => Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI);

function ar1(m: number, rho: number): Float64Array {
  const r = new Float64Array(m * m);
  for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) r[i * m + j] = rho ** Math.abs(i - j);
  return r;
}

describe('standardisation', () => {
  it('s = sqrt(N se² + b²), b̂ = b/s; n_b = mean N', () => {
    const { scale, bhat } = standardise([0.1, -0.2], [0.01, 0.02], [10000, 2500]);
    expect(scale[0]).toBeCloseTo(Math.sqrt(10000 * 1e-4 + 0.01), 12);
    expect(bhat[1]).toBeCloseTo(-0.2 / Math.sqrt(2500 * 4e-4 + 0.04), 12);
    expect(blockSampleSize([1, 2, 3, 10], 1, 4)).toBe(5);
  });
});

describe('low-rank block', () => {
  it('QᵀQ = R and Qᵀw = b̂ at full rank; ‖Qβ‖² = βᵀRβ', () => {
    const m = 6;
    const r = ar1(m, 0.6);
    const { values, vectors } = symmetricEigen(Float64Array.from(r), m);
    const eigen = { m, k: m, sumLambda: m, cutoff: 1, values: Float32Array.from(values), vectors: Float32Array.from(vectors) };
    const bhat = [0.1, -0.05, 0.02, 0, 0.03, -0.01];
    const blk = lowRankBlock(eigen, bhat, 1000);
    for (let p = 0; p < m; p++) {
      let back = 0;
      for (let i = 0; i < m; i++) back += blk.q[p * m + i]! * blk.w[i]!;
      expect(back).toBeCloseTo(bhat[p]!, 5);
      for (let s = 0; s < m; s++) {
        let dot = 0;
        for (let i = 0; i < m; i++) dot += blk.q[p * m + i]! * blk.q[s * m + i]!;
        expect(dot).toBeCloseTo(r[p * m + s]!, 5);
      }
    }
    const beta = Float64Array.of(0, 0.2, -0.1, 0, 0, 0.3, 0);
    let brb = 0;
    for (let p = 0; p < m; p++) for (let s = 0; s < m; s++) brb += beta[1 + p]! * r[p * m + s]! * beta[1 + s]!;
    expect(quadraticForm(blk.q, m, beta, 1, m, new Float64Array(m))).toBeCloseTo(brb, 5);
  });
});

describe('per-SNP mixture update', () => {
  it('draws (δ, β) from the closed-form posterior given rhs', () => {
    const c = 2000; // n/σ²e
    const sigma2g = 0.3;
    const sigma2 = GAMMA.map((g) => g * sigma2g);
    const logPi = Float64Array.from([0.5, 0.2, 0.15, 0.1, 0.05], Math.log);
    const y = 0.04; // the data: rhs = c·y, y ~ N(β, 1/c)
    const rhs = c * y;
    // Closed form: P(δ=k | y) ∝ π_k N(y; 0, σ²_k + 1/c); β | δ=k ~ N(σ²_k/(σ²_k + 1/c)·y, σ²_k/(1 + cσ²_k)).
    const post = sigma2.map((s2, k) => Math.exp(logPi[k]!) * phi(y / Math.sqrt(s2 + 1 / c)) / Math.sqrt(s2 + 1 / c));
    const z = post.reduce((a, b) => a + b, 0);
    const pk = post.map((p) => p / z);
    const mean = sigma2.reduce((a, s2, k) => a + pk[k]! * (s2 / (s2 + 1 / c)) * y, 0);
    const second = sigma2.reduce((a, s2, k) => a + pk[k]! * (s2 / (1 + c * s2) + ((s2 / (s2 + 1 / c)) * y) ** 2), 0);
    const rng = Rng.stream(1, 2);
    const g = new Float64Array(N_COMPONENTS);
    const cc = componentConstants(c, sigma2);
    const out: SnpDraw = { delta: 0, beta: 0 };
    const counts = new Float64Array(N_COMPONENTS);
    let s1 = 0;
    let s2sum = 0;
    const draws = 200_000;
    for (let i = 0; i < draws; i++) {
      logWeights(rhs, cc, logPi, 0, g);
      drawSnp(rhs, g, cc.l, rng, out);
      counts[out.delta]!++;
      s1 += out.beta;
      s2sum += out.beta * out.beta;
    }
    for (let k = 0; k < N_COMPONENTS; k++) {
      const p = pk[k]!;
      expect(Math.abs(counts[k]! / draws - p)).toBeLessThan(5 * Math.sqrt((p * (1 - p)) / draws) + 1e-4);
    }
    const sd = Math.sqrt(second - mean * mean);
    expect(Math.abs(s1 / draws - mean)).toBeLessThan((5 * sd) / Math.sqrt(draws));
    expect(Math.abs(s2sum / draws / second - 1)).toBeLessThan(0.02);
  });
});

describe('variances and π', () => {
  it('σ²g sums the blocks and is floored', () => {
    expect(geneticVariance([0.1, 0.25])).toBeCloseTo(0.35, 15);
    expect(geneticVariance([0, 0])).toBe(MIN_SIGMA2G);
  });

  it('residual variance: scaled inverse χ² where it redraws, 1 otherwise and on blow-up', () => {
    const rng = Rng.stream(3);
    expect(residualVariance(1000, 1, 50, 0.1, 0.1, rng)).toBe(1); // Σβ² ≤ 1.1 βᵀRβ: not redrawn
    expect(residualVariance(1000, 1, 50, 1e-9, 0, rng)).toBe(1); // empty block
    const n = 1000;
    const ss = 0.05; // n·ss = 50
    const k = 40;
    let sum = 0;
    const draws = 50_000;
    for (let i = 0; i < draws; i++) sum += residualVariance(n, ss, k, 1, 0.5, rng);
    // E[(n·ss + 2)/χ²(k+4)] = 52/(k+2); P(draw ≤ 0.7) is negligible here.
    expect(sum / draws).toBeCloseTo(52 / (k + 2), 2);
    expect(residualVariance(n, 1e-6, k, 1, 0.5, rng)).toBe(1); // (0.001+2)/χ²(44) ≪ 0.7
    expect(BLOWUP_FLOOR).toBe(0.7);
  });

  it('Dirichlet(counts + 1) has the closed-form mean', () => {
    const rng = Rng.stream(4);
    const counts = [900, 50, 30, 15, 5];
    const out = new Float64Array(N_COMPONENTS);
    const acc = new Float64Array(N_COMPONENTS);
    const draws = 20_000;
    for (let i = 0; i < draws; i++) {
      drawPi(counts, rng, out);
      for (let k = 0; k < N_COMPONENTS; k++) acc[k]! += out[k]!;
    }
    for (let k = 0; k < N_COMPONENTS; k++) expect(acc[k]! / draws).toBeCloseTo((counts[k]! + 1) / 1005, 3);
  });
});

describe('truncated normal liabilities', () => {
  it('Z > a has mean λ = φ(a)/(1−Φ(a)) and variance 1 + aλ − λ², also far in the tail', () => {
    const rng = Rng.stream(5);
    for (const a of [-3, -0.5, 0, 1.2, 4.9, 5.1, 8]) {
      const lambda = phi(a) / normalCdf(-a);
      const v = 1 + a * lambda - lambda * lambda;
      let s = 0;
      let s2 = 0;
      const draws = 100_000;
      let outside = 0;
      for (let i = 0; i < draws; i++) {
        const z = standardNormalAbove(a, rng);
        if (!(z > a)) outside++;
        s += z;
        s2 += z * z;
      }
      expect(outside).toBe(0);
      const mean = s / draws;
      expect(Math.abs(mean - lambda)).toBeLessThan((5 * Math.sqrt(v)) / Math.sqrt(draws));
      // SE of a sample variance ≈ v·sqrt(2/n) (a little more for skewed tails): allow 6 of them.
      expect(Math.abs(s2 / draws - mean * mean - v)).toBeLessThan(6 * v * Math.sqrt(2 / draws));
    }
  });

  it('liabilities fall on the side of the outcome with the right mean', () => {
    const rng = Rng.stream(6);
    const mu = 0.7;
    let s = 0;
    let outside = 0;
    for (let i = 0; i < 100_000; i++) {
      const y = truncatedLiability(mu, false, rng);
      if (y > 0) outside++;
      s += y;
    }
    expect(outside).toBe(0);
    // E[y | y ≤ 0] = μ − φ(μ)/Φ(−μ)
    expect(s / 100_000).toBeCloseTo(mu - phi(mu) / normalCdf(-mu), 2);
  });
});

describe('probit annotation model', () => {
  it('initial α reproduces the start π for a SNP with no annotation', () => {
    const nA = 3;
    const alpha = initialAlpha(nA);
    const ann: Annotations = { nA, a: Float32Array.of(1, 0, 0) };
    const logPi = new Float64Array(N_COMPONENTS);
    snpLogPi(ann, alpha, 1, logPi);
    for (let k = 0; k < N_COMPONENTS; k++) expect(Math.exp(logPi[k]!)).toBeCloseTo(START_PI[k]!, 12);
  });

  it('a level no SNP reached gets α = (−10, 0, …): going further becomes impossible', () => {
    const alpha = Float64Array.of(0.3, 0.5, -0.2);
    probitGibbs({ nA: 3, a: new Float32Array(0) }, new Int32Array(0), 0, new Uint8Array(0), alpha, 1, Rng.stream(8), new Float64Array(0));
    expect(Array.from(alpha)).toEqual([-10, 0, 0]);
  });

  it('Gibbs sampling recovers known α on a toy probit problem', () => {
    const n = 6000;
    const nA = 3;
    const truth = [-0.5, 0.8, -0.4];
    const rng = Rng.stream(7);
    const a = new Float32Array(n * nA);
    const outcome = new Uint8Array(n);
    for (let j = 0; j < n; j++) {
      a[j * nA] = 1;
      a[j * nA + 1] = rng.uniform() < 0.3 ? 1 : 0; // binary annotation
      a[j * nA + 2] = rng.normal(); // continuous annotation
      let eta = 0;
      for (let t = 0; t < nA; t++) eta += a[j * nA + t]! * truth[t]!;
      outcome[j] = eta + rng.normal() > 0 ? 1 : 0;
    }
    const rows = Int32Array.from({ length: n }, (_, i) => i);
    const alpha = new Float64Array(nA);
    const mean = new Float64Array(nA);
    const sq = new Float64Array(nA);
    let s2a = 1;
    const scratch = new Float64Array(n);
    const iters = 600;
    const burn = 100;
    for (let it = 0; it < iters; it++) {
      s2a = probitGibbs({ nA, a }, rows, n, outcome, alpha, s2a, rng, scratch);
      if (it >= burn) {
        for (let t = 0; t < nA; t++) {
          mean[t]! += alpha[t]! / (iters - burn);
          sq[t]! += alpha[t]! ** 2 / (iters - burn);
        }
      }
    }
    // Truth within 4 posterior SDs, and the posterior is informative (SD < 0.06 at n = 6,000).
    for (let t = 0; t < nA; t++) {
      const sd = Math.sqrt(sq[t]! - mean[t]! ** 2);
      expect(sd).toBeLessThan(0.06);
      expect(Math.abs(mean[t]! - truth[t]!)).toBeLessThan(4 * sd);
    }
  });
});
