import { describe, expect, it } from 'vitest';
import { symmetricEigen } from '../../core/numeric/linalg/symmetricEigen.js';
import { Rng } from '../../core/numeric/random/rng.js';
import { initChain } from '../../core/sbayesrc/chainState.js';
import { checkpoint } from '../../core/sbayesrc/checkpoint.js';
import { lowRankBlock, type LowRankBlock } from '../../core/sbayesrc/lowRank.js';
import { idleBlockWorkers } from '../../core/sbayesrc/blockWorkerPool.js';
import { runChainParallel, runChainsParallel } from '../../core/sbayesrc/parallelChain.js';
import { assembleProblem } from '../../core/sbayesrc/problem.js';
import { runChain } from '../../core/sbayesrc/sampler.js';

function problem(withAnnotations: boolean) {
  const rng = Rng.stream(31);
  const m = 40;
  const nB = 5;
  const r = new Float64Array(m * m);
  for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) r[i * m + j] = 0.7 ** Math.abs(i - j);
  const { values, vectors } = symmetricEigen(Float64Array.from(r), m);
  const eigen = { m, k: m, sumLambda: m, cutoff: 1, values: Float32Array.from(values), vectors: Float32Array.from(vectors) };
  const bhat = Float64Array.from({ length: nB * m }, () => (rng.uniform() < 0.05 ? 0.03 : 0) + 0.005 * rng.normal());
  const blocks: LowRankBlock[] = [];
  for (let b = 0; b < nB; b++) blocks.push(lowRankBlock(eigen, bhat.subarray(b * m, (b + 1) * m), 20_000));
  const ann = withAnnotations ? { nA: 2, a: Float32Array.from({ length: nB * m * 2 }, (_, i) => (i % 2 === 0 ? 1 : rng.uniform() < 0.3 ? 1 : 0)) } : null;
  return assembleProblem(blocks, bhat, ann);
}

describe('block-parallel chain', () => {
  it('2 threads give a chain bit-identical to 1 thread (SBayesR and SBayesRC)', async () => {
    for (const ann of [false, true]) {
      const p = problem(ann);
      const opts = { iterations: 120, burnIn: 40 };
      const one = initChain(p, 3, 80);
      runChain(p, one, opts);
      const two = initChain(p, 3, 80);
      await runChainParallel(p, two, opts, 2);
      expect(two.sweep).toBe(120);
      expect(Buffer.from(checkpoint(two)).equals(Buffer.from(checkpoint(one)))).toBe(true);
    }
  });

  it('chains borrow workers from the process pool and give them back; a second chain on the same workers is identical', async () => {
    const p = problem(true);
    const opts = { iterations: 60, burnIn: 20 };
    const first = initChain(p, 9, 40);
    await runChainParallel(p, first, opts, 3);
    const pooled = idleBlockWorkers();
    expect(pooled).toBeGreaterThanOrEqual(2);
    const again = initChain(p, 9, 40);
    await runChainParallel(p, again, opts, 3);
    expect(idleBlockWorkers()).toBe(pooled); // reused, none started
    expect(Buffer.from(checkpoint(again)).equals(Buffer.from(checkpoint(first)))).toBe(true);
  });

  it('chains in lockstep (one ahead from a resume, one stopping early) are each bit-identical to running alone on one thread', async () => {
    for (const ann of [false, true]) {
      const p = problem(ann);
      const opts = { iterations: 120, burnIn: 40 };
      const stopAt = [120, 70, 120];
      const alone = [5, 6, 7].map((seed, c) => {
        const st = initChain(p, seed, 80);
        runChain(p, st, opts, stopAt[c]);
        return st;
      });
      const together = [5, 6, 7].map((seed) => initChain(p, seed, 80));
      runChain(p, together[2]!, opts, 45); // resumed further on than the others
      const seen: number[] = [];
      await runChainsParallel(p, together, opts, 2, stopAt, (r, _st, c) => {
        if (c === 1) seen.push(r.sweep);
      });
      expect(together.map((st) => st.sweep)).toEqual(stopAt);
      expect(seen[seen.length - 1]).toBe(70);
      together.forEach((st, c) => expect(Buffer.from(checkpoint(st)).equals(Buffer.from(checkpoint(alone[c]!)))).toBe(true));
    }
  });
});
