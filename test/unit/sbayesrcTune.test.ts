import { describe, expect, it } from 'vitest';
import { symmetricEigen } from '../../core/numeric/linalg/symmetricEigen.js';
import { chooseCutoff, pseudoSplit, pseudoValidationScore } from '../../core/sbayesrc/tuneCutoff.js';

describe('pseudo-validation split', () => {
  it('N b̂ = n_t b̂_t + (N − n_t) b̂_v exactly, and b̂_t − b̂ ~ N(0, (1/n_t − 1/N) R̃)', () => {
    const m = 4;
    const r = new Float64Array(m * m);
    for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) r[i * m + j] = 0.5 ** Math.abs(i - j);
    const { values, vectors } = symmetricEigen(Float64Array.from(r), m);
    const eigen = { m, k: m, sumLambda: m, cutoff: 1, values: Float32Array.from(values), vectors: Float32Array.from(vectors) };
    const bhat = Float64Array.of(0.01, -0.02, 0.005, 0);
    const n = Float64Array.of(1000, 1000, 2000, 1000);
    const reps = 20_000;
    const cov = new Float64Array(m * m);
    for (let s = 0; s < reps; s++) {
      const { train, valid, nTrain } = pseudoSplit([eigen], bhat, n, s);
      for (let j = 0; j < m; j++) {
        expect(nTrain[j]! * train[j]! + (n[j]! - nTrain[j]!) * valid[j]!).toBeCloseTo(n[j]! * bhat[j]!, 10);
      }
      for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) cov[i * m + j]! += ((train[i]! - bhat[i]!) * (train[j]! - bhat[j]!)) / reps;
    }
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < m; j++) {
        const f = Math.sqrt((1 / (0.9 * n[i]!) - 1 / n[i]!) * (1 / (0.9 * n[j]!) - 1 / n[j]!));
        expect(cov[i * m + j]! / f).toBeCloseTo(r[i * m + j]!, 1);
      }
    }
  });

  it('scores β̄ against the validation b̂', () => {
    expect(pseudoValidationScore(Float64Array.of(3, 4), Float64Array.of(1, 1))).toBeCloseTo(7 / 5, 12);
    expect(pseudoValidationScore(Float64Array.of(0, 0), Float64Array.of(1, 1))).toBeNaN();
  });
});

describe('cut-off choice', () => {
  const grid = (rs: number[]) => [0.995, 0.99, 0.95, 0.9].map((cutoff, i) => ({ cutoff, r: rs[i]! }));
  it('stays at 0.995 unless another cut-off is > 1.25 times better', () => {
    expect(chooseCutoff(grid([0.1, 0.12, 0.11, 0.05])).decision).toBe('baseline');
    const c = chooseCutoff(grid([0.1, 0.13, 0.14, 0.05]));
    expect(c).toMatchObject({ cutoff: 0.95, decision: 'better' });
  });
  it('falls back where the reference aborts: no positive score', () => {
    expect(chooseCutoff(grid([-0.1, -0.2, NaN, -0.01]))).toMatchObject({ cutoff: 0.995, decision: 'fallback' });
  });
  it('extends the grid when the best is its minimum, and falls back at the floor', () => {
    expect(chooseCutoff(grid([0.1, 0.11, 0.12, 0.2]))).toMatchObject({ cutoff: 0.9, decision: 'extend' });
    const floor = [...grid([0.1, 0.11, 0.12, 0.13]), { cutoff: 0.7, r: 0.3 }];
    expect(chooseCutoff(floor)).toMatchObject({ cutoff: 0.995, decision: 'fallback' });
    const recovered = [...grid([0.1, 0.11, 0.12, 0.2]), { cutoff: 0.85, r: 0.15 }];
    expect(chooseCutoff(recovered)).toMatchObject({ cutoff: 0.9, decision: 'better' });
  });
});
