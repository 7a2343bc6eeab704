import { describe, expect, it } from 'vitest';
import { Rng } from '../../core/numeric/random/rng.js';
import { PART, accumulateBlock, partialsStride } from '../../core/sbayesrc/blockAccumulators.js';
import { N_COMPONENTS } from '../../core/sbayesrc/mixture.js';
import type { ProblemBlock } from '../../core/sbayesrc/problem.js';

// Three blocks of uneven size; every quantity the blocks add up is checked against a direct
// loop over all SNPs (the serial code the block accumulation replaced).
describe('per-block posterior accumulation', () => {
  const rng = Rng.stream(5);
  const sizes = [7, 13, 4];
  const nSnps = sizes.reduce((a, b) => a + b, 0);
  const nA = 3;
  const blocks = sizes.map((m, b) => ({ m, first: sizes.slice(0, b).reduce((a, x) => a + x, 0) }) as ProblemBlock);
  const beta = Float64Array.from({ length: nSnps }, () => (rng.uniform() < 0.4 ? 0 : rng.normal()));
  const delta = Uint8Array.from(beta, (b) => (b === 0 ? 0 : 1 + Math.floor(rng.uniform() * 4)));
  const removed = Uint8Array.from({ length: nSnps }, () => (rng.uniform() < 0.15 ? 1 : 0));
  const snpPi = Float64Array.from({ length: nSnps * N_COMPONENTS }, () => rng.uniform());
  const a = Float32Array.from({ length: nSnps * nA }, (_, i) => (i % nA === 0 ? 1 : i % nA === 1 ? (rng.uniform() < 0.3 ? 1 : 0) : rng.normal()));
  const stride = partialsStride(nA);

  const freshMoments = () => ({ blockMoments: new Float64Array(blocks.length * 2 * nA), blockMomentsValid: new Uint8Array(blocks.length) });

  function run(postBurnIn: boolean, moments = freshMoments(), kept = removed) {
    const st = { beta, delta, removed: kept, runningSum: new Float64Array(nSnps).fill(1), betaSum: new Float64Array(nSnps), beta2Sum: new Float64Array(nSnps), pipSum: new Float64Array(nSnps) };
    const partials = new Float64Array(blocks.length * stride).fill(NaN); // stale rows must be cleared
    blocks.forEach((blk, b) => accumulateBlock(blk, b, st, postBurnIn, snpPi, { nA, a }, partials, stride, moments));
    const sums = new Float64Array(stride);
    for (let b = 0; b < blocks.length; b++) for (let i = 0; i < stride; i++) sums[i]! += partials[b * stride + i]!;
    return { st, sums };
  }

  it('adds β to the running sum every sweep and counts kept SNPs; nothing else during burn-in', () => {
    const { st, sums } = run(false);
    for (let j = 0; j < nSnps; j++) expect(st.runningSum[j]).toBe(1 + beta[j]!);
    expect(sums[PART.kept]).toBe(nSnps - removed.reduce((x, y) => x + y, 0));
    expect(st.betaSum.every((x) => x === 0)).toBe(true);
    expect(sums[PART.total]).toBe(0);
  });

  it('after burn-in: per-SNP sums, component counts and Σβ², Σπ_j and the annotation moments of kept SNPs', () => {
    const { st, sums } = run(true);
    const count = new Float64Array(N_COMPONENTS);
    const b2k = new Float64Array(N_COMPONENTS);
    const pi = new Float64Array(N_COMPONENTS);
    const mom = new Float64Array(3 * nA);
    let total = 0;
    for (let j = 0; j < nSnps; j++) {
      expect(st.betaSum[j]).toBe(beta[j]);
      expect(st.beta2Sum[j]).toBe(beta[j]! ** 2);
      if (removed[j] === 1) {
        expect(st.pipSum[j]).toBe(0);
        continue;
      }
      expect(st.pipSum[j]).toBe(delta[j]! > 0 ? 1 : 0);
      count[delta[j]!]!++;
      b2k[delta[j]!]! += beta[j]! ** 2;
      total += beta[j]! ** 2;
      for (let k = 0; k < N_COMPONENTS; k++) pi[k]! += snpPi[j * N_COMPONENTS + k]!;
      for (let t = 0; t < nA; t++) {
        const x = a[j * nA + t]!;
        mom[3 * t]! += x * beta[j]! ** 2;
        mom[3 * t + 1]! += x;
        mom[3 * t + 2]! += x * x;
      }
    }
    for (let k = 0; k < N_COMPONENTS; k++) {
      expect(sums[PART.count + k]).toBe(count[k]);
      expect(sums[PART.beta2 + k]).toBeCloseTo(b2k[k]!, 12);
      expect(sums[PART.pi + k]).toBeCloseTo(pi[k]!, 12);
    }
    expect(sums[PART.total]).toBeCloseTo(total, 12);
    expect(total).toBeGreaterThan(0);
    for (let i = 0; i < 3 * nA; i++) expect(sums[PART.annot + i]).toBeCloseTo(mom[i]!, 12);
  });

  it('keeps Σa and Σa² per block until the block is invalidated (a guard removal), then recomputes them', () => {
    const moments = freshMoments();
    const first = run(true, moments).sums;
    expect(Array.from(moments.blockMomentsValid)).toEqual([1, 1, 1]);
    expect(run(true, moments).sums).toEqual(first); // from the cache: the same bits
    // One more SNP of block 1 removed: stale until that block is invalidated.
    const j = blocks[1]!.first + removed.subarray(blocks[1]!.first).indexOf(0);
    const fewer = Uint8Array.from(removed);
    fewer[j] = 1;
    const x1 = PART.annot + 3 * 1 + 1; // Σ a_1
    expect(run(true, moments, fewer).sums[x1]).toBe(first[x1]);
    moments.blockMomentsValid[1] = 0;
    const fresh = run(true, moments, fewer).sums;
    expect(fresh[x1]).toBeCloseTo(first[x1]! - a[j * nA + 1]!, 12);
    expect(fresh).toEqual(run(true, freshMoments(), fewer).sums);
  });
});
