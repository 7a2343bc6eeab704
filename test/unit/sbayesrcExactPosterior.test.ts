// The SBayesR mixture update against the exact posterior (issue 17): for a 3-SNP block at full
// rank with σ²_k, π and σ²e fixed, P(δ_j = k | w) is enumerable — 5³ configurations, β integrated
// out analytically (w ~ N(0, σ²e/n I + Q D_δ Qᵀ)) — and iterating our per-SNP Gibbs pass
// (sweepBlock) must reproduce it. A wrong conditional (a missing ½ log(L_k/σ²_k), a variance off by
// a factor) moves these marginals by far more than the tolerance.
import { describe, expect, it } from 'vitest';
import { Rng } from '../../core/numeric/random/rng.js';
import { type BlockResult, type BlockState, sweepBlock, sweepScratch } from '../../core/sbayesrc/blockSweep.js';
import { N_COMPONENTS } from '../../core/sbayesrc/mixture.js';
import type { ProblemBlock } from '../../core/sbayesrc/problem.js';

const K = N_COMPONENTS;

/** Eigen-decomposition of a small symmetric matrix by Jacobi rotations (values descending). */
function jacobi(a0: readonly (readonly number[])[]): { values: number[]; vectors: number[][] } {
  const n = a0.length;
  const a = a0.map((r) => [...r]);
  const v: number[][] = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 1 : 0)));
  for (let sweep = 0; sweep < 60; sweep++) {
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        if (Math.abs(a[p]![q]!) < 1e-15) continue;
        const th = 0.5 * Math.atan2(2 * a[p]![q]!, a[q]![q]! - a[p]![p]!);
        const c = Math.cos(th);
        const s = Math.sin(th);
        for (let k = 0; k < n; k++) [a[k]![p], a[k]![q]] = [c * a[k]![p]! - s * a[k]![q]!, s * a[k]![p]! + c * a[k]![q]!];
        for (let k = 0; k < n; k++) [a[p]![k], a[q]![k]] = [c * a[p]![k]! - s * a[q]![k]!, s * a[p]![k]! + c * a[q]![k]!];
        for (let k = 0; k < n; k++) [v[k]![p], v[k]![q]] = [c * v[k]![p]! - s * v[k]![q]!, s * v[k]![p]! + c * v[k]![q]!];
      }
    }
  }
  const order = [...Array(n).keys()].sort((i, j) => a[j]![j]! - a[i]![i]!);
  return { values: order.map((i) => a[i]![i]!), vectors: order.map((i) => v.map((row) => row[i]!)) };
}

/** log N(w; 0, S) up to a constant: −½ log det S − ½ wᵀS⁻¹w (Cholesky). */
function logGauss(S: number[][], w: readonly number[]): number {
  const n = S.length;
  const L = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = S[i]![j]!;
      for (let k = 0; k < j; k++) s -= L[i]![k]! * L[j]![k]!;
      L[i]![j] = i === j ? Math.sqrt(s) : s / L[j]![j]!;
    }
  }
  let logDet = 0;
  let quad = 0;
  const y = new Array<number>(n).fill(0);
  for (let i = 0; i < n; i++) {
    let s = w[i]!;
    for (let k = 0; k < i; k++) s -= L[i]![k]! * y[k]!;
    y[i] = s / L[i]![i]!;
    logDet += Math.log(L[i]![i]!);
    quad += y[i]! * y[i]!;
  }
  return -logDet - 0.5 * quad;
}

interface Case {
  R: number[][];
  bhat: number[];
  n: number;
  sigma2: number[];
  pi: number[];
  sigma2e: number;
}

function exactMarginals(c: Case): { Q: number[][]; w: number[]; post: number[][] } {
  const m = c.R.length;
  const { values, vectors } = jacobi(c.R);
  const Q = vectors.map((u, i) => u.map((x) => Math.sqrt(values[i]!) * x)); // k × m
  const w = vectors.map((u, i) => u.reduce((s, x, j) => s + x * c.bhat[j]!, 0) / Math.sqrt(values[i]!));
  const post = Array.from({ length: m }, () => new Array<number>(K).fill(0));
  const logs: number[] = [];
  const configs: number[][] = [];
  for (let code = 0; code < K ** m; code++) {
    const d = Array.from({ length: m }, (_, j) => Math.floor(code / K ** j) % K);
    const S = Q.map((qa, a) => Q.map((qb, b) => (a === b ? c.sigma2e / c.n : 0) + d.reduce((s, dj, j) => s + qa[j]! * qb[j]! * c.sigma2[dj]!, 0)));
    logs.push(logGauss(S, w) + d.reduce((s, dj) => s + Math.log(c.pi[dj]!), 0));
    configs.push(d);
  }
  const top = Math.max(...logs);
  let z = 0;
  logs.forEach((l, i) => {
    const p = Math.exp(l - top);
    z += p;
    configs[i]!.forEach((dj, j) => (post[j]![dj]! += p));
  });
  for (const row of post) for (let k = 0; k < K; k++) row[k]! /= z;
  return { Q, w, post };
}

function gibbsMarginals(c: Case, Q: number[][], w: number[], sweeps: number, seed: number): number[][] {
  const m = c.R.length;
  const k = Q.length;
  const q = new Float32Array(m * k);
  for (let j = 0; j < m; j++) for (let i = 0; i < k; i++) q[j * k + i] = Q[i]![j]!;
  const blk: ProblemBlock = { m, k, n: c.n, q, w: Float64Array.from(w), first: 0, rOffset: 0 };
  const st: BlockState = { residual: Float64Array.from(w), beta: new Float64Array(m), delta: new Uint8Array(m), removed: new Uint8Array(m), sigma2e: new Float64Array([c.sigma2e]) };
  const rng = Rng.stream(seed, 1);
  const scratch = sweepScratch();
  const out: BlockResult = { geneticVariance: 0, counts: new Float64Array(K) };
  const logPi = Float64Array.from(c.pi, Math.log);
  const freq = Array.from({ length: m }, () => new Array<number>(K).fill(0));
  const burnIn = 1000;
  for (let s = 0; s < burnIn + sweeps; s++) {
    sweepBlock(blk, 0, st, c.sigma2, logPi, 0, rng, scratch, out);
    st.sigma2e[0] = c.sigma2e; // hyper-parameters fixed: the pass redraws σ²e at its end
    if (s >= burnIn) for (let j = 0; j < m; j++) freq[j]![st.delta[j]!]! += 1 / sweeps;
  }
  return freq;
}

describe('SBayesR mixture update vs the exact posterior of a 3-SNP block', () => {
  const R = [
    [1, 0.8, 0.4],
    [0.8, 1, 0.6],
    [0.4, 0.6, 1],
  ];
  const sigma2 = [0, 1e-5, 1e-4, 1e-3, 1e-2].map((g) => g * 0.5); // γ_k σ²g, σ²g = 0.5
  const cases: [string, Case][] = [
    ['a clear signal (n = 20,000)', { R, bhat: [0.02, 0.025, 0.004], n: 20_000, sigma2, pi: [0.6, 0.2, 0.1, 0.06, 0.04], sigma2e: 1 }],
    ['a small signal (n = 200,000)', { R, bhat: [0.004, 0.006, -0.002], n: 200_000, sigma2, pi: [0.6, 0.2, 0.1, 0.06, 0.04], sigma2e: 1 }],
    ['a sparse prior, σ²e = 0.8 (n = 50,000)', { R, bhat: [0.01, 0.012, 0], n: 50_000, sigma2, pi: [0.9, 0.05, 0.03, 0.015, 0.005], sigma2e: 0.8 }],
  ];

  it.each(cases)('%s: P(δ_j = k) within 0.02 of the enumeration', (_name, c) => {
    const { Q, w, post } = exactMarginals(c);
    // The exact marginals sum to 1 and are not degenerate (the check has something to check).
    for (const row of post) expect(row.reduce((s, x) => s + x, 0)).toBeCloseTo(1, 12);
    expect(Math.max(...post.map((row) => 1 - row[0]!))).toBeGreaterThan(0.3);
    const freq = gibbsMarginals(c, Q, w, 60_000, 7);
    let worst = 0;
    for (let j = 0; j < 3; j++) for (let k = 0; k < K; k++) worst = Math.max(worst, Math.abs(freq[j]![k]! - post[j]![k]!));
    expect(worst).toBeLessThan(0.02);
  });
});
