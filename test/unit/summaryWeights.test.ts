// Summary-statistics-only mixing weights (issue 21): the in-silico GWAS split and the weights
// w = Σ⁻¹c learnt from it, against truth built here. Individual-level genotypes X are drawn from
// block-diagonal AR(1) LD, y = Xβ + e, and "ancestry" effect vectors are noisy copies of β (and
// one pure noise); the summary weights from r = X̃ᵀỹ/n and the sample LD must be the OLS
// coefficients of y on the scores Xβ̃_a, the noise score's weight ~0, equal copies ~equal.
import { describe, expect, it } from 'vitest';
import { toEigenBlock } from '../../core/ld/eigenCutoff.js';
import {
  type BlockEigen,
  STREAM_SUMMARY_SPLIT,
  halfSummaryStats,
  pseudoSplit,
  pseudoSplitBlock,
  summaryCorrelations,
} from '../../core/multiAncestry/pseudoSplit.js';
import { type ScoreBlockMoments, blockMoments, standardisedEffects, summaryWeights } from '../../core/multiAncestry/summaryWeights.js';
import { MetricInputError } from '../../core/errors.js';
import { symmetricEigen } from '../../core/numeric/linalg/symmetricEigen.js';
import { Rng } from '../../core/numeric/random/rng.js';
import { normalEquations } from '../helpers/leastSquares.js';

/** AR(1) correlation ρ^|i−j|, row-major m × m. */
function ar1(m: number, rho: number): Float64Array {
  const r = new Float64Array(m * m);
  for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) r[i * m + j] = rho ** Math.abs(i - j);
  return r;
}

/** Full float64 eigen decomposition (k = m). */
function eigenOf(r: Float64Array, m: number): BlockEigen {
  const e = symmetricEigen(Float64Array.from(r), m);
  return { m, k: m, values: e.values.map((v) => Math.max(v, 0)), vectors: e.vectors };
}

/** R x for block-diagonal AR(1) without forming R. */
function ar1Times(x: Float64Array, sizes: readonly number[], rhos: readonly number[]): Float64Array {
  const out = new Float64Array(x.length);
  let first = 0;
  sizes.forEach((m, b) => {
    const rho = rhos[b]!;
    for (let i = 0; i < m; i++) {
      let s = 0;
      for (let j = 0; j < m; j++) s += rho ** Math.abs(i - j) * x[first + j]!;
      out[first + i] = s;
    }
    first += m;
  });
  return out;
}

interface Cohort {
  n: number;
  sizes: number[];
  rhos: number[];
  /** Column-major n × M (column j is x[j·n … j·n + n − 1]). */
  x: Float64Array;
  y: Float64Array;
  beta: Float64Array;
  /** Per ancestry, per-SNP effects on the genotype scale of x. */
  effects: Float64Array[];
}

/**
 * n samples, block-diagonal AR(1) genotypes (unit variance), h² = 0.3 through dense β, and
 * ancestry effects β + noise (noise SD `noise[a]` × SD(β); 'pure' = noise alone).
 */
function simulateCohort(seed: number, n: number, sizes: number[], rhos: number[], noise: readonly (number | 'pure')[]): Cohort {
  const M = sizes.reduce((a, b) => a + b, 0);
  const rng = Rng.stream(seed, 101);
  const x = new Float64Array(n * M);
  for (let i = 0; i < n; i++) {
    let first = 0;
    sizes.forEach((m, b) => {
      const rho = rhos[b]!;
      const tail = Math.sqrt(1 - rho * rho);
      let z = rng.normal();
      x[first * n + i] = z;
      for (let j = 1; j < m; j++) {
        z = rho * z + tail * rng.normal();
        x[(first + j) * n + i] = z;
      }
      first += m;
    });
  }
  const raw = Float64Array.from({ length: M }, () => rng.normal());
  const rb = ar1Times(raw, sizes, rhos);
  let gv = 0;
  for (let j = 0; j < M; j++) gv += raw[j]! * rb[j]!;
  const h2 = 0.3;
  const beta = raw.map((v) => v * Math.sqrt(h2 / gv));
  const sdBeta = Math.sqrt(h2 / gv);
  const y = new Float64Array(n);
  for (let j = 0; j < M; j++) {
    const bj = beta[j]!;
    const col = j * n;
    for (let i = 0; i < n; i++) y[i] = y[i]! + x[col + i]! * bj;
  }
  for (let i = 0; i < n; i++) y[i] = y[i]! + Math.sqrt(1 - h2) * rng.normal();
  const effects = noise.map((s) =>
    s === 'pure' ? Float64Array.from({ length: M }, () => sdBeta * rng.normal()) : beta.map((b) => b + s * sdBeta * rng.normal()),
  );
  return { n, sizes, rhos, x, y, beta, effects };
}

/** The cohort's GWAS and sample LD on the standardised scale, and each score Xβ_a. */
function summarise(c: Cohort) {
  const { n, x, y } = c;
  const M = c.sizes.reduce((a, b) => a + b, 0);
  let my = 0;
  for (let i = 0; i < n; i++) my += y[i]!;
  my /= n;
  let vy = 0;
  for (let i = 0; i < n; i++) vy += (y[i]! - my) ** 2;
  const sdY = Math.sqrt(vy / n);
  const xs = new Float64Array(n * M);
  const sd = new Float64Array(M);
  const r = new Float64Array(M);
  for (let j = 0; j < M; j++) {
    const col = j * n;
    let mx = 0;
    for (let i = 0; i < n; i++) mx += x[col + i]!;
    mx /= n;
    let vx = 0;
    for (let i = 0; i < n; i++) vx += (x[col + i]! - mx) ** 2;
    sd[j] = Math.sqrt(vx / n);
    let rxy = 0;
    for (let i = 0; i < n; i++) {
      const v = (x[col + i]! - mx) / sd[j]!;
      xs[col + i] = v;
      rxy += v * (y[i]! - my);
    }
    r[j] = rxy / (n * sdY);
  }
  const sampleLd: Float64Array[] = [];
  let first = 0;
  for (const m of c.sizes) {
    const ld = new Float64Array(m * m);
    for (let a = 0; a < m; a++)
      for (let b = 0; b <= a; b++) {
        const ca = (first + a) * n;
        const cb = (first + b) * n;
        let s = 0;
        for (let i = 0; i < n; i++) s += xs[ca + i]! * xs[cb + i]!;
        ld[a * m + b] = s / n;
        ld[b * m + a] = s / n;
      }
    sampleLd.push(ld);
    first += m;
  }
  const scores = c.effects.map((be) => {
    const s = new Float64Array(n);
    for (let j = 0; j < M; j++) {
      const bj = be[j]!;
      const col = j * n;
      for (let i = 0; i < n; i++) s[i] = s[i]! + x[col + i]! * bj;
    }
    return s;
  });
  // β̃ on the sample's standardised genotypes: per-"allele" β times the genotype SD.
  const effStd = c.effects.map((be) => be.map((v, j) => v * sd[j]!));
  return { r, sdY, sampleLd, scores, effStd };
}

/** Per-block moments of `effects` (whole-genome vectors) against `rValid`. */
function moments(eigens: readonly BlockEigen[], effects: readonly Float64Array[], rValid: Float64Array): ScoreBlockMoments[] {
  let first = 0;
  return eigens.map((e) => {
    const out = blockMoments(
      e,
      effects.map((b) => b.subarray(first, first + e.m)),
      rValid.subarray(first, first + e.m),
    );
    first += e.m;
    return out;
  });
}

/** Block-diagonal AR(1) layouts: `blocks` blocks of 20 SNPs, ρ cycling from 0.3 to 0.95. */
const layout = (blocks: number): { sizes: number[]; rhos: number[] } => ({
  sizes: Array.from({ length: blocks }, () => 20),
  rhos: Array.from({ length: blocks }, (_, b) => [0.5, 0.7, 0.9, 0.3, 0.6, 0.8, 0.4, 0.95][b % 8]!),
});
/** Two equal-quality noisy copies of β (noise SD = SD(β)), one noisier copy (2 × SD(β)), one pure noise. */
const NOISE: readonly (number | 'pure')[] = [1, 1, 2, 'pure'];
const NAMES = ['A', 'B', 'C', 'noise'];

/** Whole-genome sample LD (all SNPs one block): with it the summary weights are OLS exactly. */
function wholeGenomeLd(c: Cohort): BlockEigen {
  const M = c.sizes.reduce((a, b) => a + b, 0);
  const { n, x } = c;
  const xs = new Float64Array(n * M);
  for (let j = 0; j < M; j++) {
    const col = j * n;
    let mx = 0;
    for (let i = 0; i < n; i++) mx += x[col + i]!;
    mx /= n;
    let vx = 0;
    for (let i = 0; i < n; i++) vx += (x[col + i]! - mx) ** 2;
    const sd = Math.sqrt(vx / n);
    for (let i = 0; i < n; i++) xs[col + i] = (x[col + i]! - mx) / sd;
  }
  const ld = new Float64Array(M * M);
  for (let a = 0; a < M; a++)
    for (let b = 0; b <= a; b++) {
      let s = 0;
      for (let i = 0; i < n; i++) s += xs[a * n + i]! * xs[b * n + i]!;
      ld[a * M + b] = s / n;
      ld[b * M + a] = s / n;
    }
  return eigenOf(ld, M);
}

describe('summaryWeights against individual-level OLS (20,000 samples × 200 SNPs in 10 AR(1) blocks)', () => {
  const { sizes, rhos } = layout(10);
  const cohort = simulateCohort(2024, 20_000, sizes, rhos, NOISE);
  const s = summarise(cohort);
  const ols = normalEquations(cohort.y, s.scores);
  const olsW = ols.beta.slice(1);
  const blockEig = s.sampleLd.map((ld, b) => eigenOf(ld, sizes[b]!));
  const blockFit = summaryWeights(moments(blockEig, s.effStd, s.r), { names: NAMES, nValid: cohort.n });

  it('equals the OLS coefficients of y on the scores with r = X̃ᵀỹ/n and the whole-genome sample LD', () => {
    const fit = summaryWeights(moments([wholeGenomeLd(cohort)], s.effStd, s.r), { names: NAMES, nValid: cohort.n });
    expect(fit.dropped).toEqual([]);
    for (let a = 0; a < NOISE.length; a++) {
      // w is in phenotype-SD units: times SD(y) it is the OLS coefficient of y on the raw score.
      expect(fit.weights[a]! * s.sdY).toBeCloseTo(olsW[a]!, 8);
    }
    // cᵀΣ⁻¹c is the in-sample R² of that OLS.
    expect(fit.r2).toBeCloseTo(ols.r2, 9);
    // Per-SD weights: OLS on standardised scores.
    const z = s.scores.map((sc) => {
      const mean = sc.reduce((p, v) => p + v, 0) / sc.length;
      const sd = Math.sqrt(sc.reduce((p, v) => p + (v - mean) ** 2, 0) / sc.length);
      return sc.map((v) => (v - mean) / sd);
    });
    const olsZ = normalEquations(cohort.y, z).beta.slice(1);
    for (let a = 0; a < NOISE.length; a++) expect(fit.standardisedWeights[a]! * s.sdY).toBeCloseTo(olsZ[a]!, 8);
  });

  it('agrees with OLS within sampling error with block-diagonal LD: sample, population, or a float32 panel at cut-off 0.995', () => {
    const popEig = sizes.map((m, b) => eigenOf(ar1(m, rhos[b]!), m));
    // Population LD: the genotypes' SD is 1, so β̃ = β.
    const pop = summaryWeights(moments(popEig, cohort.effects, s.r), { nValid: cohort.n });
    const panel = s.sampleLd.map((ld, b) => toEigenBlock(symmetricEigen(Float64Array.from(ld), sizes[b]!), 0.995));
    const trunc = summaryWeights(moments(panel, s.effStd, s.r), { nValid: cohort.n });
    for (let a = 0; a < NOISE.length; a++) {
      const target = olsW[a]! / s.sdY;
      const se = blockFit.weightSeValidation[a]!;
      // Leaving out the sample's chance LD between blocks (O(1/√n), like the GWAS noise) moves the
      // weights by under one validation-noise SE (here at most 0.6).
      expect(Math.abs(blockFit.weights[a]! - target)).toBeLessThan(se);
      expect(Math.abs(pop.weights[a]! - target)).toBeLessThan(2 * se);
      expect(Math.abs(trunc.weights[a]! - blockFit.weights[a]!)).toBeLessThan(0.25 * se);
    }
    expect(blockFit.r2).toBeCloseTo(ols.r2, 2);
    expect(pop.r2).toBeCloseTo(ols.r2, 2);
    expect(trunc.r2).toBeCloseTo(ols.r2, 2);
  });

  it('learns, from a pseudo-validation split of the GWAS alone, weights centred on the full-GWAS weights with the validation-noise spread', () => {
    const n = new Float64Array(s.r.length).fill(cohort.n);
    const seeds = 400;
    const f = 0.8;
    const sum = new Float64Array(NOISE.length);
    const sumSq = new Float64Array(NOISE.length);
    let expected: Float64Array | null = null;
    for (let seed = 1; seed <= seeds; seed++) {
      const split = pseudoSplit(blockEig, s.r, n, { seed, trainFraction: f });
      const fit = summaryWeights(moments(blockEig, s.effStd, split.rValid), { nValid: (1 - f) * cohort.n });
      for (let a = 0; a < NOISE.length; a++) {
        sum[a] = sum[a]! + fit.weights[a]!;
        sumSq[a] = sumSq[a]! + fit.weights[a]! ** 2;
      }
      // Given r, Var(r_v) = (1/N_v − 1/N) R, so SD(w) = sqrt(diag Σ⁻¹ · (1/N_v − 1/N)) = validation SE × sqrt(f).
      expected ??= fit.weightSeValidation.map((se) => se * Math.sqrt(f));
    }
    for (let a = 0; a < NOISE.length; a++) {
      const mean = sum[a]! / seeds;
      const sd = Math.sqrt((sumSq[a]! - seeds * mean * mean) / (seeds - 1));
      expect(Math.abs(mean - blockFit.weights[a]!)).toBeLessThan((4 * expected![a]!) / Math.sqrt(seeds));
      expect(sd / expected![a]!).toBeGreaterThan(0.85);
      expect(sd / expected![a]!).toBeLessThan(1.15);
    }
  });
});

describe('summaryWeights on a larger genome (20,000 samples × 2,000 SNPs in 100 blocks)', () => {
  const { sizes, rhos } = layout(100);
  const cohort = simulateCohort(31, 20_000, sizes, rhos, NOISE);
  const s = summarise(cohort);
  const eig = s.sampleLd.map((ld, b) => eigenOf(ld, sizes[b]!));
  const fit = summaryWeights(moments(eig, s.effStd, s.r), { names: NAMES, nValid: cohort.n });

  it('gives the pure-noise score a weight near 0 whose jackknife interval covers 0, equal copies near-equal weights', () => {
    const [wA, wB, wC, wN] = Array.from(fit.standardisedWeights) as [number, number, number, number];
    const se = fit.standardisedWeightSe;
    expect(fit.jackknifeBlocks).toBe(100);
    expect(Math.abs(wN)).toBeLessThan(1.96 * se[3]!);
    expect(Math.abs(wN)).toBeLessThan(0.2 * wA);
    // A − B within 2.5 jackknife SEs of the contrast, and within 25 %.
    const cov = fit.standardisedWeightCov;
    const seDiff = Math.sqrt(cov[0]! + cov[5]! - 2 * cov[1]!);
    expect(Math.abs(wA - wB)).toBeLessThan(2.5 * seDiff);
    expect(wA / wB).toBeGreaterThan(0.8);
    expect(wA / wB).toBeLessThan(1.25);
    // The noisier copy gets less than either equal copy, but more than 0.
    expect(wC).toBeGreaterThan(2 * se[2]!);
    expect(wC).toBeLessThan(Math.min(wA, wB));
    // The combination beats every single score on the validation GWAS.
    expect(fit.r2).toBeGreaterThan(Math.max(...fit.singleR2) + 2 * fit.r2Se);
  });
});

describe('summaryWeights jackknife calibration (24 independent cohorts, 5,000 × 400 SNPs in 20 blocks)', () => {
  it('jackknife SEs match the spread of the weights over cohorts; the noise weight centres on 0 and equal copies on the same value', () => {
    const { sizes, rhos } = layout(20);
    const reps = 24;
    const ws: number[][] = [];
    const ses: number[][] = [];
    let covered = 0;
    for (let rep = 0; rep < reps; rep++) {
      const c = simulateCohort(5000 + rep, 5_000, sizes, rhos, NOISE);
      const t = summarise(c);
      const eig = t.sampleLd.map((ld, b) => eigenOf(ld, sizes[b]!));
      const fit = summaryWeights(moments(eig, t.effStd, t.r));
      ws.push(Array.from(fit.standardisedWeights));
      ses.push(Array.from(fit.standardisedWeightSe));
      if (Math.abs(fit.standardisedWeights[3]!) < 1.96 * fit.standardisedWeightSe[3]!) covered++;
    }
    const mean: number[] = [];
    const sd: number[] = [];
    for (let a = 0; a < NOISE.length; a++) {
      const w = ws.map((v) => v[a]!);
      mean.push(w.reduce((p, v) => p + v, 0) / reps);
      sd.push(Math.sqrt(w.reduce((p, v) => p + (v - mean[a]!) ** 2, 0) / (reps - 1)));
      const meanSe = ses.reduce((p, v) => p + v[a]!, 0) / reps;
      expect(meanSe / sd[a]!).toBeGreaterThan(0.7);
      expect(meanSe / sd[a]!).toBeLessThan(1.5);
    }
    expect(covered).toBeGreaterThanOrEqual(20);
    expect(Math.abs(mean[3]!)).toBeLessThan((3 * sd[3]!) / Math.sqrt(reps));
    expect(Math.abs(mean[0]! - mean[1]!)).toBeLessThan((3 * Math.SQRT2 * Math.max(sd[0]!, sd[1]!)) / Math.sqrt(reps));
    expect(mean[2]!).toBeLessThan(Math.min(mean[0]!, mean[1]!));
  });
});

describe('pseudoSplit', () => {
  const sizes = [10, 15];
  const rhos = [0.6, 0.85];
  const eig = sizes.map((m, b) => eigenOf(ar1(m, rhos[b]!), m));
  const M = 25;
  const r = Float64Array.from({ length: M }, (_, j) => 0.02 * Math.sin(j + 1));
  const n = Float64Array.from({ length: M }, (_, j) => 8000 + 400 * j);
  const f = 0.75;
  const rPop = (i: number, j: number): number => {
    if (i < 10 !== j < 10) return 0;
    return (i < 10 ? rhos[0]! : rhos[1]!) ** Math.abs(i - j);
  };

  it('keeps N r = N_t r_t + N_v r_v SNP by SNP, and is the same whole-panel or block by block', () => {
    const split = pseudoSplit(eig, r, n, { seed: 7, trainFraction: f });
    for (let j = 0; j < M; j++) {
      expect(split.nTrain[j]! + split.nValid[j]!).toBeCloseTo(n[j]!, 9);
      expect(Math.abs(n[j]! * r[j]! - split.nTrain[j]! * split.rTrain[j]! - split.nValid[j]! * split.rValid[j]!)).toBeLessThan(1e-12 * n[j]!);
    }
    const b1 = pseudoSplitBlock(eig[1]!, 1, r.subarray(10), n.subarray(10), { seed: 7, trainFraction: f });
    expect(Array.from(b1.rTrain)).toEqual(Array.from(split.rTrain.subarray(10)));
    expect(Array.from(pseudoSplit(eig, r, n, { seed: 7, trainFraction: f }).rValid)).toEqual(Array.from(split.rValid));
    expect(Array.from(pseudoSplit(eig, r, n, { seed: 8, trainFraction: f }).rTrain)).not.toEqual(Array.from(split.rTrain));
    expect(STREAM_SUMMARY_SPLIT).toBe(13);
  });

  it('over many seeds: mean r_t ≈ r and Cov(r_t − r) ≈ (1/N_t − 1/N)·R', () => {
    const S = 6000;
    const sum = new Float64Array(M);
    const cross = new Float64Array(M * M);
    for (let seed = 0; seed < S; seed++) {
      const d = pseudoSplit(eig, r, n, { seed, trainFraction: f }).rTrain.map((v, j) => v - r[j]!);
      for (let i = 0; i < M; i++) {
        sum[i] = sum[i]! + d[i]!;
        for (let j = 0; j <= i; j++) cross[i * M + j] = cross[i * M + j]! + d[i]! * d[j]!;
      }
    }
    const a = (j: number): number => 1 / (f * n[j]!) - 1 / n[j]!;
    for (let j = 0; j < M; j++) {
      const sdMean = Math.sqrt(a(j) / S);
      expect(Math.abs(sum[j]! / S)).toBeLessThan(4 * sdMean);
      const v = cross[j * M + j]! / S;
      // Sample variance of S normals: relative SD sqrt(2/S) ≈ 1.8 %.
      expect(Math.abs(v / a(j) - 1)).toBeLessThan(4 * Math.sqrt(2 / S));
    }
    // Within-block neighbours (one per block), a within-block pair two apart, and a cross-block pair.
    for (const [i, j] of [[1, 0], [17, 16], [22, 20], [12, 3]] as const) {
      const cov = cross[i * M + j]! / S;
      const corr = cov / Math.sqrt(a(i) * a(j));
      const rho = rPop(i, j);
      // cov/sqrt(a_i a_j) with the true variances: SD sqrt((1 + ρ²)/S).
      expect(Math.abs(corr - rho)).toBeLessThan(4 * Math.sqrt((1 + rho * rho) / S));
    }
  });

  it('with r itself drawn from its GWAS law, r_t and r_v are independent GWAS of N_t and N_v samples', () => {
    const S = 4000;
    const N = 10_000;
    const nConst = new Float64Array(M).fill(N);
    const mean = Float64Array.from({ length: M }, (_, j) => 0.03 * Math.cos(j));
    const rng = Rng.stream(99, 1);
    const stats = { vt: 0, vv: 0, ctv: 0, cTrainNeighbour: 0 };
    const j0 = 12;
    for (let seed = 0; seed < S; seed++) {
      // r = mean + e/sqrt(N), e ~ N(0, R), drawn here without the module's code.
      const rr = new Float64Array(M);
      let first = 0;
      sizes.forEach((m, b) => {
        const rho = rhos[b]!;
        let z = rng.normal();
        rr[first] = z;
        for (let j = 1; j < m; j++) {
          z = rho * z + Math.sqrt(1 - rho * rho) * rng.normal();
          rr[first + j] = z;
        }
        first += m;
      });
      for (let j = 0; j < M; j++) rr[j] = mean[j]! + rr[j]! / Math.sqrt(N);
      const sp = pseudoSplit(eig, rr, nConst, { seed, trainFraction: f });
      const dt = sp.rTrain[j0]! - mean[j0]!;
      const dv = sp.rValid[j0]! - mean[j0]!;
      stats.vt += dt * dt;
      stats.vv += dv * dv;
      stats.ctv += dt * dv;
      stats.cTrainNeighbour += dt * (sp.rTrain[j0 + 1]! - mean[j0 + 1]!);
    }
    const tol = 4 * Math.sqrt(2 / S);
    expect(Math.abs((stats.vt / S) * f * N - 1)).toBeLessThan(tol);
    expect(Math.abs((stats.vv / S) * (1 - f) * N - 1)).toBeLessThan(tol);
    const corr = stats.ctv / Math.sqrt(stats.vt * stats.vv);
    expect(Math.abs(corr)).toBeLessThan(4 / Math.sqrt(S));
    // Regression slope of the neighbour on SNP j0: ρ, SD sqrt((1 − ρ²)/S).
    expect(Math.abs(stats.cTrainNeighbour / stats.vt - rhos[1]!)).toBeLessThan(4 * Math.sqrt((1 - rhos[1]! ** 2) / S));
  });

  it('maps back to per-allele statistics whose standardisation is r again', () => {
    const b = Float64Array.from({ length: M }, (_, j) => 0.05 * Math.sin(3 * j));
    const se = Float64Array.from({ length: M }, (_, j) => 0.01 + 0.0005 * j);
    const { r: r0, scale } = summaryCorrelations(b, se, n);
    for (let j = 0; j < M; j++) expect(r0[j]).toBeCloseTo(b[j]! / se[j]! / Math.sqrt(n[j]! + (b[j]! / se[j]!) ** 2), 14);
    const split = pseudoSplit(eig, r0, n, { seed: 3, trainFraction: f });
    const half = halfSummaryStats(split.rTrain, split.nTrain, scale);
    const back = summaryCorrelations(half.b, half.se, half.n).r;
    for (let j = 0; j < M; j++) expect(back[j]).toBeCloseTo(split.rTrain[j]!, 14);
    expect(() => summaryCorrelations(b, se.map((v, j) => (j === 4 ? 0 : v)), n)).toThrow(MetricInputError);
  });

  it('refuses bad shapes and fractions', () => {
    expect(() => pseudoSplit(eig, r.subarray(1), n.subarray(1), { seed: 1 })).toThrow(MetricInputError);
    expect(() => pseudoSplit(eig, r, n, { seed: 1, trainFraction: 1 })).toThrow(MetricInputError);
    const bad: BlockEigen = { m: 10, k: 2, values: Float64Array.of(1, -0.5), vectors: new Float64Array(20) };
    expect(() => pseudoSplitBlock(bad, 0, r.subarray(0, 10), n.subarray(0, 10), { seed: 1 })).toThrow(MetricInputError);
  });
});

describe('singular Σ', () => {
  const cohort = simulateCohort(77, 4_000, [20, 20, 20, 20], [0.5, 0.7, 0.3, 0.8], [1, 1.5]);
  const s = summarise(cohort);
  const eig = s.sampleLd.map((ld) => eigenOf(ld, 20));
  const base = summaryWeights(moments(eig, s.effStd, s.r));

  it('drops an ancestry with no effects on the panel (weight 0, named) and leaves the others as without it', () => {
    const zero = new Float64Array(80);
    const fit = summaryWeights(moments(eig, [s.effStd[0]!, zero, s.effStd[1]!], s.r), { names: ['EUR', 'EAS', 'AFR'], nValid: 4000 });
    expect(fit.dropped.map((d) => [d.index, d.name, d.reason])).toEqual([[1, 'EAS', 'no-effects']]);
    expect(fit.weights[1]).toBe(0);
    expect(fit.weightSe[1]).toBe(0);
    expect(fit.standardisedWeights[1]).toBe(0);
    expect(fit.singleR2[1]).toBe(0);
    expect(fit.weights[0]).toBeCloseTo(base.weights[0]!, 12);
    expect(fit.weights[2]).toBeCloseTo(base.weights[1]!, 12);
    expect(fit.weightSe[2]).toBeCloseTo(base.weightSe[1]!, 12);
    expect(fit.r2).toBeCloseTo(base.r2, 12);
    expect(Number.isFinite(fit.r2Adjusted)).toBe(true);
  });

  it('drops a score that repeats (a multiple of) an earlier one as collinear', () => {
    const twice = s.effStd[0]!.map((v) => 2 * v);
    const fit = summaryWeights(moments(eig, [s.effStd[0]!, s.effStd[1]!, twice], s.r));
    expect(fit.dropped.map((d) => [d.index, d.reason])).toEqual([[2, 'collinear']]);
    expect(fit.weights[2]).toBe(0);
    expect(fit.weights[0]).toBeCloseTo(base.weights[0]!, 9);
  });

  it('survives a score whose effects sit in a single block (singular leave-one-out replicate)', () => {
    const oneBlock = s.effStd[1]!.map((v, j) => (j < 20 ? v : 0));
    const fit = summaryWeights(moments(eig, [s.effStd[0]!, oneBlock], s.r));
    expect(fit.dropped).toEqual([]);
    expect(fit.singularReplicates).toBe(1);
    expect(Number.isFinite(fit.weightSe[1]!)).toBe(true);
    expect(Number.isFinite(fit.weights[1]!)).toBe(true);
  });

  it('returns all-zero weights, not a crash, when no score has effects', () => {
    const zero = new Float64Array(80);
    const fit = summaryWeights(moments(eig, [zero, zero], s.r));
    expect(fit.dropped.map((d) => d.reason)).toEqual(['no-effects', 'no-effects']);
    expect(Array.from(fit.weights)).toEqual([0, 0]);
    expect(fit.r2).toBe(0);
  });

  it('refuses non-finite effects and mismatched shapes', () => {
    const bad = s.effStd[0]!.map((v, j) => (j === 3 ? NaN : v));
    expect(() => moments(eig, [bad], s.r)).toThrow(MetricInputError);
    expect(() => blockMoments(eig[0]!, [s.effStd[0]!], s.r.subarray(0, 20))).toThrow(MetricInputError);
    expect(() => summaryWeights([])).toThrow(MetricInputError);
  });
});

describe('standardisedEffects', () => {
  it('aligns a fit to the panel A1 (swaps and strand flips negate), scales by sqrt(2f(1−f)), 0 where absent', () => {
    const panel = { id: ['s1', 's2', 's3', 's4', 's5', 's6'], a1: ['A', 'C', 'A', 'G', 'A', 'C'], a2: ['G', 'T', 'T', 'T', 'C', 'A'], a1Freq: [0.5, 0.2, 0.3, 0.1, 0, 0.4] };
    const out = standardisedEffects(panel, [
      { snp: 's1', a1: 'A', beta: 0.1 }, // same allele
      { snp: 's2', a1: 'T', beta: 0.2 }, // the panel's A2: −β
      { snp: 's3', a1: 'T', beta: 0.3 }, // A/T: A2 as given, never strand-flipped
      { snp: 's4', a1: 'C', beta: 0.4 }, // complement of G = panel A1: +β
      { snp: 's5', a1: 'A', beta: 0.5 }, // monomorphic in the panel: 0
      { snp: 'x', a1: 'A', beta: 9 }, // not in the panel
    ]);
    const sd = (p: number): number => Math.sqrt(2 * p * (1 - p));
    expect(out.beta[0]).toBeCloseTo(0.1 * sd(0.5), 15);
    expect(out.beta[1]).toBeCloseTo(-0.2 * sd(0.2), 15);
    expect(out.beta[2]).toBeCloseTo(-0.3 * sd(0.3), 15);
    expect(out.beta[3]).toBeCloseTo(0.4 * sd(0.1), 15);
    expect(out.beta[4]).toBe(0);
    expect(out.beta[5]).toBe(0);
    expect([out.matched, out.flipped, out.mismatched, out.notInPanel]).toEqual([5, 2, 0, 1]);
    expect(standardisedEffects(panel, [{ snp: 's6', a1: 'CA', beta: 1 }]).mismatched).toBe(1);
    expect(() => standardisedEffects(panel, [{ snp: 's1', a1: 'A', beta: 1 }, { snp: 's1', a1: 'A', beta: 2 }])).toThrow(MetricInputError);
  });
});
