import { describe, expect, it } from 'vitest';
import { assignFolds } from '../../core/gwas/folds.js';

function sizes(folds: Int32Array, k: number, mask?: (i: number) => boolean): number[] {
  const s = new Array<number>(k).fill(0);
  folds.forEach((f, i) => {
    if (!mask || mask(i)) s[f]!++;
  });
  return s;
}

describe('fold assignment', () => {
  it('is disjoint, complete and balanced to within one', () => {
    for (const [n, k] of [[1003, 10], [10, 10], [25, 4], [7, 3]] as const) {
      const f = assignFolds(n, k, 9);
      expect(f.every((x) => x >= 0 && x < k)).toBe(true);
      const s = sizes(f, k);
      expect(s.reduce((a, b) => a + b, 0)).toBe(n);
      expect(Math.max(...s) - Math.min(...s)).toBeLessThanOrEqual(1);
    }
  });

  it('is a pure function of the seed, and the seed matters', () => {
    expect(assignFolds(500, 10, 3)).toEqual(assignFolds(500, 10, 3));
    expect(assignFolds(500, 10, 3)).not.toEqual(assignFolds(500, 10, 4));
  });

  it('stratifies by case status: cases per fold differ by at most one, sizes still balanced', () => {
    const n = 1001;
    const status = Uint8Array.from({ length: n }, (_, i) => (i % 7 === 0 ? 1 : 0)); // 143 cases
    const f = assignFolds(n, 10, 5, status);
    const cases = sizes(f, 10, (i) => status[i] === 1);
    expect(Math.max(...cases) - Math.min(...cases)).toBeLessThanOrEqual(1);
    const all = sizes(f, 10);
    expect(Math.max(...all) - Math.min(...all)).toBeLessThanOrEqual(1);
  });

  it('shuffles (not the identity dealing)', () => {
    const f = assignFolds(100, 10, 1);
    const dealt = Int32Array.from({ length: 100 }, (_, i) => i % 10);
    expect(f).not.toEqual(dealt);
  });
});
