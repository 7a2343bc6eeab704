// The native sweep kernel (native/sbayes.c) and what the sampler builds on it: the annotation
// model's Gibbs step from per-block liability statistics, truncated normals, and the chain on
// either kernel being bit-identical for any thread count.
import { describe, expect, it } from 'vitest';
import { Rng } from '../../core/numeric/random/rng.js';
import { symmetricEigen } from '../../core/numeric/linalg/symmetricEigen.js';
import { initChain } from '../../core/sbayesrc/chainState.js';
import { checkpoint } from '../../core/sbayesrc/checkpoint.js';
import { lowRankBlock, type LowRankBlock } from '../../core/sbayesrc/lowRank.js';
import { loadSweepKernel, setSweepKernelPreference } from '../../core/sbayesrc/nativeKernel.js';
import { runChainParallel } from '../../core/sbayesrc/parallelChain.js';
import { N_LEVELS, levelStatsLength, updateAnnotationModelFromStats } from '../../core/sbayesrc/probit.js';
import { assembleProblem } from '../../core/sbayesrc/problem.js';
import { runChain } from '../../core/sbayesrc/sampler.js';

function problem(withAnnotations: boolean, signal = false) {
  const rng = Rng.stream(41);
  const m = 48;
  const nB = 4;
  const r = new Float64Array(m * m);
  for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) r[i * m + j] = 0.6 ** Math.abs(i - j);
  const { values, vectors } = symmetricEigen(Float64Array.from(r), m);
  const eigen = { m, k: m, sumLambda: m, cutoff: 1, values: Float32Array.from(values), vectors: Float32Array.from(vectors) };
  let bhat = Float64Array.from({ length: nB * m }, () => (rng.uniform() < 0.05 ? 0.03 : 0) + 0.005 * rng.normal());
  if (signal) {
    // b̂ = R β + noise, β sparse: a clear h² for both kernels to find.
    const beta = Float64Array.from({ length: nB * m }, () => (rng.uniform() < 0.08 ? 0.1 * rng.normal() : 0));
    bhat = new Float64Array(nB * m);
    for (let b = 0; b < nB; b++)
      for (let i = 0; i < m; i++) {
        let s = 0;
        for (let j = 0; j < m; j++) s += r[i * m + j]! * beta[b * m + j]!;
        bhat[b * m + i] = s + 0.005 * rng.normal();
      }
  }
  const blocks: LowRankBlock[] = [];
  for (let b = 0; b < nB; b++) blocks.push(lowRankBlock(eigen, bhat.subarray(b * m, (b + 1) * m), 20_000));
  const ann = withAnnotations ? { nA: 3, a: Float32Array.from({ length: nB * m * 3 }, (_, i) => (i % 3 === 0 ? 1 : i % 3 === 1 ? (rng.uniform() < 0.3 ? 1 : 0) : rng.normal())) } : null;
  return assembleProblem(blocks, bhat, ann);
}

describe('native sweep kernel', () => {
  it('is built here (CI builds it with scripts/buildNative.ts --require)', () => {
    const l = loadSweepKernel();
    expect(l.error).toBeNull();
    expect(l.addon?.config()).toMatch(/gcc/);
  });

  it('the Gibbs step on summed liability statistics equals single-site updates on the liabilities', () => {
    const rng = Rng.stream(5);
    const nA = 3;
    const n = 400;
    const x = Float64Array.from({ length: n * nA }, (_, i) => (i % nA === 0 ? 1 : rng.normal()));
    const alpha0 = Float64Array.from({ length: N_LEVELS * nA }, () => 0.3 * rng.normal());
    const e = Float64Array.from({ length: N_LEVELS * n }, () => rng.normal());
    // Statistics split over two "blocks" (rows < 150 and the rest), as the kernel writes them.
    const L = levelStatsLength(nA);
    const stats = new Float64Array(2 * N_LEVELS * L);
    for (let c = 0; c < N_LEVELS; c++) {
      for (let j = 0; j < n; j++) {
        const o = ((j < 150 ? 0 : 1) * N_LEVELS + c) * L;
        stats[o]!++;
        for (let t = 0; t < nA; t++) {
          stats[o + 1 + t]! += x[j * nA + t]! * e[c * n + j]!;
          for (let u = 0; u < nA; u++) stats[o + 1 + nA + t * nA + u]! += x[j * nA + t]! * x[j * nA + u]!;
        }
      }
    }
    // Level 0's XᵀX is passed apart (the sampler keeps it per block); the kernel leaves the stats' copy unwritten.
    const gram0 = new Float64Array(nA * nA);
    for (let b = 0; b < 2; b++) for (let i = 0; i < nA * nA; i++) gram0[i]! += stats[b * N_LEVELS * L + 1 + nA + i]!;
    for (let b = 0; b < 2; b++) stats.fill(NaN, b * N_LEVELS * L + 1 + nA, b * N_LEVELS * L + L);
    // Levels ≥ 1: only the upper triangle is read.
    for (let b = 0; b < 2; b++) for (let c = 1; c < N_LEVELS; c++) for (let t = 0; t < nA; t++) for (let u = 0; u < t; u++) stats[(b * N_LEVELS + c) * L + 1 + nA + t * nA + u] = NaN;
    const alpha = Float64Array.from(alpha0);
    const s2 = Float64Array.of(1, 0.5, 2, 1);
    updateAnnotationModelFromStats(nA, stats, 2, gram0, alpha, s2, Rng.stream(9));
    // Reference: probitGibbs's single-site loop on explicit residuals, same draws.
    const ref = Float64Array.from(alpha0);
    const refS2 = Float64Array.of(1, 0.5, 2, 1);
    const g = Rng.stream(9);
    for (let c = 0; c < N_LEVELS; c++) {
      const res = e.slice(c * n, (c + 1) * n);
      for (let t = 0; t < nA; t++) {
        let xx = 0;
        let xr = 0;
        for (let j = 0; j < n; j++) {
          xx += x[j * nA + t]! ** 2;
          xr += x[j * nA + t]! * res[j]!;
        }
        const old = ref[c * nA + t]!;
        const prec = xx + (t === 0 ? 0 : 1 / refS2[c]!);
        const next = (xr + xx * old) / prec + g.normal() / Math.sqrt(prec);
        ref[c * nA + t] = next;
        for (let j = 0; j < n; j++) res[j] = res[j]! + x[j * nA + t]! * (old - next);
      }
      let ss = 0;
      for (let t = 1; t < nA; t++) ss += ref[c * nA + t]! ** 2;
      refS2[c] = (ss + 4) / g.chiSquared(4 + nA - 1);
    }
    for (let i = 0; i < alpha.length; i++) expect(alpha[i]).toBeCloseTo(ref[i]!, 10);
    for (let c = 0; c < N_LEVELS; c++) expect(s2[c]).toBeCloseTo(refS2[c]!, 10);
  });

  it('a level no SNP reached gets α = (−10, 0, …)', () => {
    const nA = 2;
    const stats = new Float64Array(N_LEVELS * levelStatsLength(nA));
    const alpha = new Float64Array(N_LEVELS * nA).fill(0.5);
    updateAnnotationModelFromStats(nA, stats, 1, new Float64Array(nA * nA), alpha, new Float64Array(N_LEVELS).fill(1), Rng.stream(1));
    expect(Array.from(alpha)).toEqual([-10, 0, -10, 0, -10, 0, -10, 0]);
  });

  it('1, 2 and 3 threads give bit-identical chains on the native kernel and on the WebAssembly fallback', async () => {
    try {
      for (const kernel of ['auto', 'wasm'] as const) {
        setSweepKernelPreference(kernel);
        for (const ann of [false, true]) {
          const p = problem(ann);
          const opts = { iterations: 90, burnIn: 30 };
          const one = initChain(p, 7, 60);
          runChain(p, one, opts);
          for (const threads of [2, 3]) {
            const many = initChain(p, 7, 60);
            await runChainParallel(p, many, opts, threads);
            expect(Buffer.from(checkpoint(many)).equals(Buffer.from(checkpoint(one)))).toBe(true);
          }
        }
      }
    } finally {
      setSweepKernelPreference('auto');
    }
  });

  it('the two kernels run the same model: both recover the same h² on the toy problem', () => {
    try {
      const h2: number[] = [];
      for (const kernel of ['auto', 'wasm'] as const) {
        setSweepKernelPreference(kernel);
        const p = problem(true, true);
        const st = initChain(p, 3, 300);
        runChain(p, st, { iterations: 400, burnIn: 100 });
        h2.push(st.stats[1]! / st.stats[0]!);
      }
      expect(h2[0]).toBeGreaterThan(0.05);
      expect(Math.abs(h2[0]! - h2[1]!)).toBeLessThan(0.1 * h2[1]!);
    } finally {
      setSweepKernelPreference('auto');
    }
  });
});

describe('thread pacing', () => {
  it('warms up with workers, probes with and without, then runs the faster mode; never workers when there are none', async () => {
    const { ThreadPace, PACE_WARM, PACE_PROBE, PACE_RUN } = await import('../../core/sbayesrc/parallelChain.js');
    const modes = (slowWorkers: boolean): boolean[] => {
      const pace = new ThreadPace(true);
      const warm: boolean[] = [];
      for (let i = 0; i < PACE_WARM; i++) {
        warm.push(pace.useWorkers());
        pace.record(100); // compiling: slow whatever the mode, and not counted
      }
      expect(warm.every((w) => w)).toBe(true);
      const out: boolean[] = [];
      for (let i = 0; i < 2 * PACE_PROBE + PACE_RUN + 1; i++) {
        const w = pace.useWorkers();
        out.push(w);
        pace.record(w === slowWorkers ? 2 : 1);
      }
      return out;
    };
    const fast = modes(false);
    expect(fast.slice(0, PACE_PROBE).every((w) => w)).toBe(true);
    expect(fast.slice(PACE_PROBE, 2 * PACE_PROBE).every((w) => !w)).toBe(true);
    expect(fast.slice(2 * PACE_PROBE, 2 * PACE_PROBE + PACE_RUN).every((w) => w)).toBe(true);
    expect(fast[2 * PACE_PROBE + PACE_RUN]).toBe(true); // next probe
    const slow = modes(true);
    expect(slow.slice(2 * PACE_PROBE, 2 * PACE_PROBE + PACE_RUN).every((w) => !w)).toBe(true);
    // One slow sweep (a garbage collection) in the workers' probe does not send 480 sweeps to the main thread.
    const hiccup = new ThreadPace(true);
    for (let i = 0; i < PACE_WARM; i++) hiccup.record(1);
    for (let i = 0; i < PACE_PROBE; i++) hiccup.record(i === 3 ? 100 : 1);
    for (let i = 0; i < PACE_PROBE; i++) hiccup.record(1.6);
    expect(hiccup.useWorkers()).toBe(true);
    const none = new ThreadPace(false);
    expect(none.useWorkers()).toBe(false);
  });
});
