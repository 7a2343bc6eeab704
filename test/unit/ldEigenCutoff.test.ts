import { describe, expect, it } from 'vitest';
import { BadInputError } from '../../core/errors.js';
import { countReaching, keptCount, positiveSum, toEigenBlock, truncateEigen } from '../../core/ld/eigenCutoff.js';
import { ar1, eigenBlockFromCorrelation } from './formats/ldTestUtil.js';

describe('eigen cut-off (DESIGN §4: first k whose cumulative sum reaches cut-off × sumLambda)', () => {
  const values = Float64Array.of(5, 3, 1, 0.5, 0.5, 0, -1e-15);

  it('sums only the positive eigenvalues', () => {
    expect(positiveSum(values)).toBe(10);
  });

  it('takes the first count that reaches the target, reaching counts', () => {
    expect(keptCount(values, 0.5)).toBe(1); // 5 ≥ 5
    expect(keptCount(values, 0.51)).toBe(2); // 8 ≥ 5.1
    expect(keptCount(values, 0.8)).toBe(2); // 8 ≥ 8
    expect(keptCount(values, 0.9)).toBe(3); // 9 ≥ 9
    expect(keptCount(values, 0.95)).toBe(4);
    expect(keptCount(values, 1)).toBe(5); // never a zero or negative value
  });

  it('keeps at least one pair and rejects cut-offs outside (0, 1]', () => {
    expect(keptCount(Float64Array.of(1), 1e-9)).toBe(1);
    expect(() => keptCount(values, 0)).toThrow(RangeError);
    expect(() => keptCount(values, 1.01)).toThrow(RangeError);
  });

  it('stores the first k pairs in float32, vectors column-major', () => {
    const eig = { n: 2, values: Float64Array.of(1.6, 0.4), vectors: Float64Array.of(0.6, 0.8, 0.8, -0.6) };
    const b = toEigenBlock(eig, 0.7);
    expect([b.m, b.k, b.sumLambda, b.cutoff]).toEqual([2, 1, 2, 0.7]);
    expect(Array.from(b.values)).toEqual([Math.fround(1.6)]);
    expect(Array.from(b.vectors)).toEqual([Math.fround(0.6), Math.fround(0.8)]);
  });

  it('counts to the first cumulative sum within tolerance of the target, or past the end', () => {
    const stored = Float32Array.of(5, 3, 2);
    expect(countReaching(stored, 8, 0)).toBe(2);
    expect(countReaching(stored, 8.00004, 1e-5)).toBe(2); // float32 rounding forgiven
    expect(countReaching(stored, 8.00004, 0)).toBe(3);
    expect(countReaching(stored, 11, 0)).toBe(4);
  });

  it('truncates to a lower cut-off and refuses a higher one', async () => {
    const block = eigenBlockFromCorrelation(ar1(8, 0.9), 8, 0.995);
    const lower = truncateEigen(block, 0.9, 'b.bin');
    expect(lower.k).toBeLessThan(block.k);
    expect(lower.k).toBe(eigenBlockFromCorrelation(ar1(8, 0.9), 8, 0.9).k);
    expect(lower.vectors.length).toBe(8 * lower.k);
    expect(Array.from(lower.vectors)).toEqual(Array.from(block.vectors.subarray(0, 8 * lower.k)));
    expect(() => truncateEigen(block, 0.999, 'b.bin')).toThrow(BadInputError);
    expect(truncateEigen(block, 0.995, 'b.bin').k).toBe(block.k);
  });
});
