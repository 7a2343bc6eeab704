import { describe, expect, it } from 'vitest';
import { symmetricEigen } from '../../core/numeric/linalg/symmetricEigen.js';
import { Rng } from '../../core/numeric/random/rng.js';

function randomCorrelation(n: number, m: number, seed: number): Float64Array {
  // Correlation of m random AR(1)-ish samples: dense, positive semi-definite, unit diagonal.
  const r = Rng.stream(seed);
  const x = new Float64Array(n * m);
  for (let s = 0; s < m; s++) {
    let z = r.normal();
    for (let j = 0; j < n; j++) {
      if (j > 0) z = 0.9 * z + Math.sqrt(1 - 0.81) * r.normal();
      x[j * m + s] = z;
    }
  }
  const c = new Float64Array(n * n);
  const sd = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    let mean = 0;
    for (let s = 0; s < m; s++) mean += x[j * m + s]!;
    mean /= m;
    let ss = 0;
    for (let s = 0; s < m; s++) {
      x[j * m + s]! -= mean;
      ss += x[j * m + s]! ** 2;
    }
    sd[j] = Math.sqrt(ss);
  }
  for (let i = 0; i < n; i++)
    for (let j = 0; j <= i; j++) {
      let s = 0;
      for (let k = 0; k < m; k++) s += x[i * m + k]! * x[j * m + k]!;
      c[i * n + j] = c[j * n + i] = s / (sd[i]! * sd[j]!);
    }
  return c;
}

describe('symmetric eigen-decomposition', () => {
  it('solves 2 × 2 [[1, r], [r, 1]] exactly: 1 ± r with (1, ±1)/√2', () => {
    const { values, vectors } = symmetricEigen(Float64Array.of(1, 0.6, 0.6, 1), 2);
    expect(values[0]).toBeCloseTo(1.6, 14);
    expect(values[1]).toBeCloseTo(0.4, 14);
    expect(Math.abs(vectors[0]!)).toBeCloseTo(Math.SQRT1_2, 14);
    expect(vectors[0]! * vectors[1]!).toBeGreaterThan(0); // (1, 1) direction
    expect(vectors[2]! * vectors[3]!).toBeLessThan(0); // (1, −1) direction
  });

  it('reconstructs a dense correlation matrix: U Λ Uᵀ = R and UᵀU = I to 1e-10', () => {
    for (const n of [1, 3, 50, 200]) {
      const r = randomCorrelation(n, 2 * n + 5, n);
      const { values, vectors } = symmetricEigen(Float64Array.from(r), n);
      for (let k = 1; k < n; k++) expect(values[k]!).toBeLessThanOrEqual(values[k - 1]!);
      let maxErr = 0;
      let maxOrth = 0;
      for (let i = 0; i < n; i++)
        for (let j = 0; j < n; j++) {
          let s = 0;
          let o = 0;
          for (let k = 0; k < n; k++) {
            s += vectors[k * n + i]! * values[k]! * vectors[k * n + j]!;
            o += vectors[i * n + k]! * vectors[j * n + k]!;
          }
          maxErr = Math.max(maxErr, Math.abs(s - r[i * n + j]!));
          maxOrth = Math.max(maxOrth, Math.abs(o - (i === j ? 1 : 0)));
        }
      expect(maxErr).toBeLessThan(1e-10);
      expect(maxOrth).toBeLessThan(1e-10);
      // Trace of a correlation matrix = n = Σλ.
      expect(values.reduce((a, b) => a + b, 0)).toBeCloseTo(n, 9);
    }
  });

  it('agrees with power iteration on the leading eigenvalue (independent method)', () => {
    const n = 80;
    const r = randomCorrelation(n, 100, 7);
    const { values } = symmetricEigen(Float64Array.from(r), n);
    let x = new Float64Array(n).fill(1);
    let lambda = 0;
    for (let it = 0; it < 2000; it++) {
      const y = new Float64Array(n);
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) y[i]! += r[i * n + j]! * x[j]!;
      const norm = Math.hypot(...y);
      lambda = norm / Math.hypot(...x);
      x = y.map((v) => v / norm);
    }
    expect(Math.abs(lambda - values[0]!) / values[0]!).toBeLessThan(1e-9);
  });

  it('handles repeated eigenvalues and a diagonal matrix', () => {
    const { values } = symmetricEigen(Float64Array.of(2, 0, 0, 0, 5, 0, 0, 0, 2), 3);
    expect(Array.from(values)).toEqual([5, 2, 2]);
    const id = symmetricEigen(Float64Array.of(1, 0, 0, 1), 2);
    expect(Array.from(id.values)).toEqual([1, 1]);
  });
});
