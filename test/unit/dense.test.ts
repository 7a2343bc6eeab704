import { describe, expect, it } from 'vitest';
import {
  choleskyInPlace,
  choleskySolveInPlace,
  choleskySolveMany,
  invertSpd,
  logDetFromCholesky,
  rankDeficientColumns,
} from '../../core/numeric/linalg/dense.js';
import { Rng } from '../../core/numeric/random/rng.js';

/** XᵀX for X with `rows` rows and the given columns (column-major list). */
function crossProduct(columns: Float64Array[]): Float64Array {
  const n = columns.length;
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let r = 0; r < columns[i]!.length; r++) s += columns[i]![r]! * columns[j]![r]!;
      a[i * n + j] = s;
    }
  }
  return a;
}

function randomColumns(rng: Rng, n: number, rows: number): Float64Array[] {
  return Array.from({ length: n }, () => Float64Array.from({ length: rows }, () => rng.normal()));
}

function matMul(a: Float64Array, b: Float64Array, n: number, m = n): Float64Array {
  // a: n×n, b: n×m
  const out = new Float64Array(n * m);
  for (let i = 0; i < n; i++) for (let k = 0; k < n; k++) for (let j = 0; j < m; j++) out[i * m + j] = out[i * m + j]! + a[i * n + k]! * b[k * m + j]!;
  return out;
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

describe('choleskyInPlace', () => {
  it('factors a hand-checked 2×2 and 3×3', () => {
    // [[4, 2], [2, 10]] = L Lᵀ with L = [[2, 0], [1, 3]].
    const a2 = Float64Array.of(4, 2, 2, 10);
    expect(choleskyInPlace(a2, 2)).toBe(true);
    expect(Array.from(a2)).toEqual([2, 0, 1, 3]);
    // L = [[2,0,0],[6,1,0],[-8,5,3]] gives A = [[4,12,-16],[12,37,-43],[-16,-43,98]].
    const a3 = Float64Array.of(4, 12, -16, 12, 37, -43, -16, -43, 98);
    expect(choleskyInPlace(a3, 3)).toBe(true);
    expect(maxAbsDiff(a3, [2, 0, 0, 6, 1, 0, -8, 5, 3])).toBeLessThan(1e-14);
    expect(logDetFromCholesky(a3, 3)).toBeCloseTo(Math.log(36), 14); // det = (2·1·3)²
  });

  it('reads only the lower triangle', () => {
    const a = Float64Array.of(4, 999, 2, 10);
    expect(choleskyInPlace(a, 2)).toBe(true);
    expect(Array.from(a)).toEqual([2, 0, 1, 3]);
  });

  it('reproduces random SPD matrices XᵀX: L Lᵀ = A', () => {
    const rng = Rng.stream(11);
    for (const n of [1, 2, 5, 12, 30]) {
      const a = crossProduct(randomColumns(rng, n, n + 20));
      const l = Float64Array.from(a);
      expect(choleskyInPlace(l, n)).toBe(true);
      const llt = new Float64Array(n * n);
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) for (let k = 0; k < n; k++) llt[i * n + j] = llt[i * n + j]! + l[i * n + k]! * l[j * n + k]!;
      expect(maxAbsDiff(llt, a)).toBeLessThan(1e-12 * Math.max(...a));
    }
  });

  it('refuses singular, indefinite and near-singular matrices (relative tolerance)', () => {
    expect(choleskyInPlace(Float64Array.of(1, 2, 2, 4), 2)).toBe(false); // rank 1
    expect(choleskyInPlace(Float64Array.of(1, 2, 2, 1), 2)).toBe(false); // indefinite
    expect(choleskyInPlace(Float64Array.of(0, 0, 0, 1), 2)).toBe(false);
    expect(choleskyInPlace(Float64Array.of(-1), 1)).toBe(false);
    expect(choleskyInPlace(Float64Array.of(NaN), 1)).toBe(false);
    // Correlation 1 − 1e-13 between the columns: 1 − R² ≈ 2e-13 ≤ 1e-10.
    const r = 1 - 1e-13;
    expect(choleskyInPlace(Float64Array.of(1, r, r, 1), 2)).toBe(false);
    expect(choleskyInPlace(Float64Array.of(1, r, r, 1), 2, 1e-14)).toBe(true);
    // Scale does not matter: a tiny but well-conditioned matrix factors.
    expect(choleskyInPlace(Float64Array.of(1e-200, 0, 0, 1e-200), 2)).toBe(true);
    expect(() => choleskyInPlace(new Float64Array(3), 2)).toThrow(RangeError);
  });
});

describe('choleskySolveInPlace / choleskySolveMany', () => {
  it('solves a hand-checked system', () => {
    // A = [[4,2],[2,10]], b = A·[1, 2] = [8, 22].
    const l = Float64Array.of(4, 2, 2, 10);
    choleskyInPlace(l, 2);
    const b = Float64Array.of(8, 22);
    choleskySolveInPlace(l, 2, b);
    expect(b[0]).toBeCloseTo(1, 15);
    expect(b[1]).toBeCloseTo(2, 15);
  });

  it('solves random SPD systems with several right-hand sides', () => {
    const rng = Rng.stream(12);
    const n = 8;
    const nrhs = 3;
    const a = crossProduct(randomColumns(rng, n, 40));
    const x = Float64Array.from({ length: n * nrhs }, () => rng.normal());
    const b = matMul(a, x, n, nrhs);
    const l = Float64Array.from(a);
    expect(choleskyInPlace(l, n)).toBe(true);
    const many = Float64Array.from(b);
    choleskySolveMany(l, n, many, nrhs);
    expect(maxAbsDiff(many, x)).toBeLessThan(1e-11);
    for (let r = 0; r < nrhs; r++) {
      const one = Float64Array.from({ length: n }, (_, i) => b[i * nrhs + r]!);
      choleskySolveInPlace(l, n, one);
      for (let i = 0; i < n; i++) expect(one[i]).toBeCloseTo(many[i * nrhs + r]!, 13);
    }
    expect(() => choleskySolveMany(l, n, new Float64Array(5), 1)).toThrow(RangeError);
  });
});

describe('invertSpd', () => {
  it('inverts a 2×2 by the adjugate formula and a 3×3 by hand', () => {
    const inv = invertSpd(Float64Array.of(4, 2, 2, 10), 2)!;
    expect(maxAbsDiff(inv, [10 / 36, -2 / 36, -2 / 36, 4 / 36])).toBeLessThan(1e-16);
    // [[2,-1,0],[-1,2,-1],[0,-1,2]]⁻¹ = ¼[[3,2,1],[2,4,2],[1,2,3]].
    const inv3 = invertSpd(Float64Array.of(2, -1, 0, -1, 2, -1, 0, -1, 2), 3)!;
    expect(maxAbsDiff(inv3, [0.75, 0.5, 0.25, 0.5, 1, 0.5, 0.25, 0.5, 0.75])).toBeLessThan(1e-15);
  });

  it('gives A·A⁻¹ = I for random SPD matrices, exactly symmetric, leaving A unchanged', () => {
    const rng = Rng.stream(13);
    const n = 10;
    const a = crossProduct(randomColumns(rng, n, 25));
    const copy = Float64Array.from(a);
    const inv = invertSpd(a, n)!;
    expect(Array.from(a)).toEqual(Array.from(copy));
    const eye = matMul(a, inv, n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) expect(Math.abs(eye[i * n + j]! - (i === j ? 1 : 0))).toBeLessThan(1e-11);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) expect(inv[i * n + j]).toBe(inv[j * n + i]);
  });

  it('returns null for a singular matrix', () => {
    expect(invertSpd(Float64Array.of(1, 1, 1, 1), 2)).toBeNull();
  });
});

describe('logDetFromCholesky', () => {
  it('matches ad − b² for 2×2 and the product of pivots for a diagonal', () => {
    const l = Float64Array.of(3, 1.5, 1.5, 7);
    choleskyInPlace(l, 2);
    expect(logDetFromCholesky(l, 2)).toBeCloseTo(Math.log(3 * 7 - 1.5 * 1.5), 14);
    const d = Float64Array.of(1e-150, 0, 0, 0, 1e100, 0, 0, 0, 5);
    choleskyInPlace(d, 3);
    expect(logDetFromCholesky(d, 3)).toBeCloseTo(Math.log(1e-150) + Math.log(1e100) + Math.log(5), 11);
  });
});

describe('rankDeficientColumns', () => {
  it('is empty for a full-rank matrix and leaves it unchanged', () => {
    const a = crossProduct(randomColumns(Rng.stream(14), 6, 30));
    const copy = Float64Array.from(a);
    expect(rankDeficientColumns(a, 6)).toEqual([]);
    expect(Array.from(a)).toEqual(Array.from(copy));
  });

  it('reports a column equal to the sum of two earlier ones, and only it', () => {
    const rng = Rng.stream(15);
    const rows = 50;
    const [x1, x2, x3] = randomColumns(rng, 3, rows) as [Float64Array, Float64Array, Float64Array];
    const ones = new Float64Array(rows).fill(1);
    const sum = Float64Array.from(x1, (v, i) => v + x2[i]!);
    expect(rankDeficientColumns(crossProduct([ones, x1, x2, sum, x3]), 5)).toEqual([3]);
    // Dependence on an intercept: a constant column and an affine function of x1.
    const twos = new Float64Array(rows).fill(2);
    const affine = Float64Array.from(x1, (v) => 3 * v - 7);
    expect(rankDeficientColumns(crossProduct([ones, x1, twos, affine, x2]), 5)).toEqual([2, 3]);
  });

  it('reports duplicates and all-zero columns, keeping the first of a dependent set', () => {
    const rng = Rng.stream(16);
    const [x1, x2] = randomColumns(rng, 2, 20) as [Float64Array, Float64Array];
    const zero = new Float64Array(20);
    expect(rankDeficientColumns(crossProduct([x1, zero, x2, x1]), 4)).toEqual([1, 3]);
    expect(rankDeficientColumns(crossProduct([zero, x1]), 2)).toEqual([0]);
  });

  it('uses a relative tolerance: near-dependence counts only below tol', () => {
    const rng = Rng.stream(17);
    const [x1, noise] = randomColumns(rng, 2, 100) as [Float64Array, Float64Array];
    const near = Float64Array.from(x1, (v, i) => v + 1e-4 * noise[i]!); // 1 − R² ≈ 1e-8
    const a = crossProduct([x1, near]);
    expect(rankDeficientColumns(a, 2, 1e-10)).toEqual([]);
    expect(rankDeficientColumns(a, 2, 1e-6)).toEqual([1]);
    // Scaling a column does not change the verdict.
    const scaled = crossProduct([x1, Float64Array.from(near, (v) => v * 1e9)]);
    expect(rankDeficientColumns(scaled, 2, 1e-10)).toEqual([]);
  });
});
