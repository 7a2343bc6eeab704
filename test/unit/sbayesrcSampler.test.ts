import { describe, expect, it } from 'vitest';
import { syntheticProblem } from '../helpers/syntheticProblem.js';
import { initChain } from '../../core/sbayesrc/chainState.js';
import { checkpoint, restore } from '../../core/sbayesrc/checkpoint.js';
import { guardLimits, guardOutliers } from '../../core/sbayesrc/outlierGuard.js';
import { posteriorSummary } from '../../core/sbayesrc/posterior.js';
import type { SbayesProblem } from '../../core/sbayesrc/problem.js';
import { chainWorkspace, runChain } from '../../core/sbayesrc/sampler.js';
import { CheckpointError } from '../../core/errors.js';

const corr = (x: ArrayLike<number>, y: ArrayLike<number>): number => {
  let sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0;
  const n = x.length;
  for (let i = 0; i < n; i++) {
    sx += x[i]!; sy += y[i]!; sxx += x[i]! ** 2; syy += y[i]! ** 2; sxy += x[i]! * y[i]!;
  }
  return (sxy - (sx * sy) / n) / Math.sqrt((sxx - (sx * sx) / n) * (syy - (sy * sy) / n));
};

function resumeIsIdentical(problem: SbayesProblem, stopAt: number): void {
  const opts = { iterations: 250, burnIn: 100 };
  const whole = initChain(problem, 42);
  runChain(problem, whole, opts);
  const first = initChain(problem, 42);
  runChain(problem, first, opts, stopAt);
  expect(first.sweep).toBe(stopAt);
  const resumed = restore(checkpoint(first));
  runChain(problem, resumed, opts);
  expect(Buffer.from(checkpoint(resumed)).equals(Buffer.from(checkpoint(whole)))).toBe(true);
}

describe('SBayesR / SBayesRC sampler', () => {
  it('SBayesR recovers h² and the effects on a low-noise synthetic problem', () => {
    const { problem, beta } = syntheticProblem(4, 60, 50_000, 0.2, 20, 1, false);
    const st = initChain(problem, 7);
    const t0 = performance.now();
    runChain(problem, st, { iterations: 600, burnIn: 200 });
    const secs = (performance.now() - t0) / 1000;
    const post = posteriorSummary(st);
    expect(post.draws).toBe(400);
    expect(Math.abs(post.h2.mean / 0.2 - 1)).toBeLessThan(0.1);
    expect(corr(post.mean, beta)).toBeGreaterThan(0.9);
    // PIP: causal SNPs on average far above the rest.
    let pc = 0, pn = 0, nc = 0;
    for (let j = 0; j < beta.length; j++) {
      if (beta[j] !== 0) { pc += post.pip[j]!; nc++; } else pn += post.pip[j]!;
    }
    // With 240 SNPs the data cannot tell δ = 0 from the 1e-5·σ²g component, so null SNPs share
    // PIP mass with it (π_0 vs π_1 drift under the Dirichlet); causal SNPs must still stand out.
    expect(pc / nc).toBeGreaterThan(0.9);
    expect(pc / nc).toBeGreaterThan(pn / (beta.length - nc));
    console.log(`SBayesR synthetic: h² ${post.h2.mean.toFixed(4)} (truth 0.2), r(β̄, β) ${corr(post.mean, beta).toFixed(3)}, π ${post.pi.map((x) => x.toFixed(3)).join(' ')}, ${(600 / secs).toFixed(0)} sweeps/s on 240 SNPs`);
  });

  it('SBayesRC learns that the annotated SNPs are enriched', () => {
    const { problem } = syntheticProblem(4, 60, 50_000, 0.2, 20, 2, true);
    const st = initChain(problem, 8);
    runChain(problem, st, { iterations: 400, burnIn: 100 });
    const post = posteriorSummary(st);
    // Level 0 (non-zero vs zero): the annotation coefficient is clearly positive.
    expect(post.alpha[1]!).toBeGreaterThan(0.3);
    expect(Math.abs(post.h2.mean / 0.2 - 1)).toBeLessThan(0.15);
  });

  it('stopping at any sweep and resuming from the checkpoint is bit-identical (SBayesR and SBayesRC)', () => {
    resumeIsIdentical(syntheticProblem(3, 40, 20_000, 0.1, 10, 3, false).problem, 137);
    resumeIsIdentical(syntheticProblem(3, 40, 20_000, 0.1, 10, 4, true).problem, 200);
  });

  it('the chain does not depend on the order blocks are swept in (so blocks can run in parallel)', () => {
    for (const ann of [false, true]) {
      const { problem } = syntheticProblem(5, 30, 20_000, 0.1, 10, 6, ann);
      const opts = { iterations: 150, burnIn: 50 };
      const a = initChain(problem, 9);
      runChain(problem, a, opts);
      const b = initChain(problem, 9);
      const ws = chainWorkspace(problem);
      ws.blockOrder = Int32Array.of(3, 0, 4, 2, 1);
      runChain(problem, b, opts, opts.iterations, undefined, ws);
      expect(Buffer.from(checkpoint(b)).equals(Buffer.from(checkpoint(a)))).toBe(true);
    }
  });

  it('a corrupted checkpoint is refused', () => {
    const { problem } = syntheticProblem(1, 10, 1000, 0.1, 2, 5, false);
    const bytes = checkpoint(initChain(problem, 1));
    bytes[40] = bytes[40]! ^ 1;
    expect(() => restore(bytes)).toThrow(CheckpointError);
    expect(() => restore(bytes.subarray(0, 10))).toThrow(CheckpointError);
  });

  it('the convergence guard follows the schedule', () => {
    expect(guardLimits(100)).toEqual([4, 2]);
    expect(guardLimits(300)).toEqual([3, 1.5]);
    expect(guardLimits(600)).toEqual([2, 1.3]);
    expect(guardLimits(900)).toEqual([1.5, 1.1]);
    const bhat = Float64Array.of(0.1, 0.1, 0.1, -0.1, 0.01);
    // Running means over 100 sweeps: 0.45 (same sign, rel 3.5), 0.55 (rel 4.5), −0.35 (opposite, rel 4.5 > 2),
    // −0.25 same sign rel 1.5 (kept), and 0.005 on a SNP with tiny b̂: far off but below the threshold.
    const sum = Float64Array.of(45, 55, -35, -25, 0.5);
    expect(guardOutliers(sum, 100, bhat, new Uint8Array(5), 0.15)).toEqual([1, 2]);
    const sum3 = sum.map((x) => 3 * x); // the same running means after 300 sweeps
    expect(guardOutliers(sum3, 300, bhat, new Uint8Array(5), 0.15)).toEqual([0, 1, 2]);
    expect(guardOutliers(sum3, 300, bhat, Uint8Array.of(0, 1, 0, 0, 0), 0.15)).toEqual([0, 2]);
  });
});
