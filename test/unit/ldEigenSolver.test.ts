// Both eigen backends against each other and against methods that share no code with either
// (cyclic Jacobi, power iteration), and the stored float32 panel against the matrix it encodes.
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readEigenBlock, writeEigenBlock } from '../../core/formats/ldFolder.js';
import { toEigenBlock } from '../../core/ld/eigenCutoff.js';
import { eigenSymmetric, eigenSymmetricAsync, orientColumns, resolveEigenBackend } from '../../core/ld/eigenSymmetric.js';
import { loadNativeAddon } from '../../core/ld/nativeAddon.js';
import { Rng } from '../../core/numeric/random/rng.js';
import { makeTmpDir } from '../helpers/tmp.js';
import { jacobiEigen } from './formats/ldTestUtil.js';

/** Correlation matrix of `samples` draws of an AR(ρ) sequence of n SNP-like variables. */
function arCorrelation(n: number, samples: number, seed: number, rho = 0.9): Float64Array {
  const r = Rng.stream(seed);
  const x = new Float64Array(n * samples);
  for (let s = 0; s < samples; s++) {
    let z = r.normal();
    for (let j = 0; j < n; j++) {
      if (j > 0) z = rho * z + Math.sqrt(1 - rho * rho) * r.normal();
      x[j * samples + s] = z;
    }
  }
  for (let j = 0; j < n; j++) {
    const row = x.subarray(j * samples, (j + 1) * samples);
    const mean = row.reduce((a, b) => a + b, 0) / samples;
    row.forEach((v, i) => (row[i] = v - mean));
    const norm = Math.sqrt(row.reduce((a, b) => a + b * b, 0));
    row.forEach((v, i) => (row[i] = v / norm));
  }
  const c = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j <= i; j++) {
      let s = 0;
      for (let k = 0; k < samples; k++) s += x[i * samples + k]! * x[j * samples + k]!;
      c[i * n + j] = c[j * n + i] = i === j ? 1 : s;
    }
  return c;
}

/** Cyclic Jacobi (an independent method): eigenvalues, descending. */
function jacobiEigenvalues(a0: Float64Array, n: number): number[] {
  return Array.from(jacobiEigen(a0, n).values);
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i]! - b[i]!));
  return d;
}

const tmp = makeTmpDir('ld-solver');
afterAll(() => tmp.cleanup());

describe('LD eigen backends', () => {
  it('the native addon is built and loads (npx tsx scripts/buildNative.ts)', () => {
    const { addon, error } = loadNativeAddon();
    expect(error).toBeNull();
    expect(addon!.config()).toMatch(/\S/);
    expect(resolveEigenBackend('auto')).toBe('native');
  });

  it('eigenvalues of every backend equal cyclic Jacobi to 1e-11', () => {
    const n = 40;
    const r = arCorrelation(n, 60, 3);
    const jac = jacobiEigenvalues(r, n);
    for (const opts of [{ backend: 'native', method: 'r' }, { backend: 'native', method: 'd' }, { backend: 'typescript' }] as const) {
      const { values } = eigenSymmetric(Float64Array.from(r), n, opts);
      expect(maxAbsDiff(values, jac)).toBeLessThan(1e-11);
    }
  });

  it('leading eigenvalues agree with power iteration with deflation', () => {
    const n = 300;
    const r = arCorrelation(n, 400, 11, 0.98);
    const { values } = eigenSymmetric(Float64Array.from(r), n, { backend: 'native' });
    const a = Float64Array.from(r);
    for (let e = 0; e < 3; e++) {
      let x = Float64Array.from({ length: n }, (_, i) => 1 + i / n);
      let lambda = 0;
      for (let it = 0; it < 3000; it++) {
        const y = new Float64Array(n);
        for (let i = 0; i < n; i++) {
          let s = 0;
          for (let j = 0; j < n; j++) s += a[i * n + j]! * x[j]!;
          y[i] = s;
        }
        const norm = Math.sqrt(y.reduce((s, v) => s + v * v, 0));
        const next = norm;
        x = y.map((v) => v / norm);
        if (Math.abs(next - lambda) < 1e-14 * next) break;
        lambda = next;
      }
      expect(Math.abs(lambda - values[e]!) / values[e]!).toBeLessThan(1e-9);
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) a[i * n + j] = a[i * n + j]! - lambda * x[i]! * x[j]!;
    }
  });

  it('native and TypeScript give the same values and, oriented, the same vectors', async () => {
    const n = 120;
    const r = arCorrelation(n, 300, 5);
    const ts = eigenSymmetric(Float64Array.from(r), n, { backend: 'typescript' });
    const nat = eigenSymmetric(Float64Array.from(r), n, { backend: 'native', method: 'd' });
    const natR = eigenSymmetric(Float64Array.from(r), n, { backend: 'native', method: 'r' });
    const natAsync = await eigenSymmetricAsync(Float64Array.from(r), n, { backend: 'native', method: 'd' });
    expect(maxAbsDiff(ts.values, nat.values)).toBeLessThan(1e-12);
    expect(maxAbsDiff(natR.values, nat.values)).toBeLessThan(1e-12);
    expect(Array.from(natAsync.values)).toEqual(Array.from(nat.values));
    expect(Array.from(natAsync.vectors)).toEqual(Array.from(nat.vectors));
    // Eigenvalues here are distinct, so oriented vectors are unique.
    expect(maxAbsDiff(ts.vectors, nat.vectors)).toBeLessThan(1e-8);
    expect(maxAbsDiff(natR.vectors, nat.vectors)).toBeLessThan(1e-8);
  });

  it('orients every vector: first largest-magnitude component positive', () => {
    const v = Float64Array.of(0.6, -0.8, -Math.SQRT1_2, Math.SQRT1_2);
    orientColumns(v, 2);
    expect(Array.from(v)).toEqual([-0.6, 0.8, Math.SQRT1_2, -Math.SQRT1_2]);
  });

  it('handles n = 0 and n = 1, and rejects a short buffer', () => {
    for (const backend of ['native', 'typescript'] as const) {
      expect(eigenSymmetric(new Float64Array(0), 0, { backend }).values.length).toBe(0);
      const one = eigenSymmetric(Float64Array.of(1), 1, { backend });
      expect([one.values[0], one.vectors[0]]).toEqual([1, 1]);
      expect(() => eigenSymmetric(new Float64Array(3), 2, { backend })).toThrow(RangeError);
    }
  });
});

describe('stored panel block (float32) reconstructs R', () => {
  it.each([
    ['full rank', 150, 400],
    ['rank-deficient (fewer samples than SNPs)', 150, 90],
  ])('U Λ Uᵀ = R to 1e-5 at cut-off 1.0 after write → read (%s)', async (_label, n, samples) => {
    const r = arCorrelation(n, samples, n + samples);
    for (const backend of ['native', 'typescript'] as const) {
      const block = toEigenBlock(eigenSymmetric(Float64Array.from(r), n, { backend }), 1);
      const path = join(tmp.dir, `block-${backend}-${samples}.eigen.bin`);
      await writeEigenBlock(path, block);
      const back = await readEigenBlock(path, n);
      expect(Array.from(back.values)).toEqual(Array.from(block.values));
      expect(Array.from(back.vectors)).toEqual(Array.from(block.vectors));
      expect(back.k).toBe(block.k);
      if (samples < n) expect(back.k).toBeLessThanOrEqual(samples); // rank ≤ samples − 1
      let worst = 0;
      for (let i = 0; i < n; i++)
        for (let j = 0; j <= i; j++) {
          let s = 0;
          for (let c = 0; c < back.k; c++) s += back.vectors[c * n + i]! * back.values[c]! * back.vectors[c * n + j]!;
          worst = Math.max(worst, Math.abs(s - r[i * n + j]!));
        }
      expect(worst).toBeLessThan(1e-5);
    }
  });
});
