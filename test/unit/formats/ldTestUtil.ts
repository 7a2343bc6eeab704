// Small-matrix eigen-decomposition for LD fixtures (tests and the bad-input generator): cyclic
// Jacobi is exact enough for the handful of SNPs a fixture has and needs no dependency.
import type { EigenBlock, LdSnpTable } from '../../../core/formats/types.js';
import { toEigenBlock } from '../../../core/ld/eigenCutoff.js';

/** Eigenpairs of a symmetric n×n row-major matrix, values descending, vectors column-major. */
export function jacobiEigen(matrix: ArrayLike<number>, n: number): { values: Float64Array; vectors: Float64Array } {
  const a = Float64Array.from(matrix);
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += a[p * n + q]! ** 2;
    if (off < 1e-30) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * n + q]!;
        if (Math.abs(apq) < 1e-300) continue;
        const theta = (a[q * n + q]! - a[p * n + p]!) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = a[k * n + p]!;
          const akq = a[k * n + q]!;
          a[k * n + p] = c * akp - s * akq;
          a[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p * n + k]!;
          const aqk = a[q * n + k]!;
          a[p * n + k] = c * apk - s * aqk;
          a[q * n + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = v[k * n + p]!;
          const vkq = v[k * n + q]!;
          v[k * n + p] = c * vkp - s * vkq;
          v[k * n + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((x, y) => a[y * n + y]! - a[x * n + x]!);
  const values = Float64Array.from(order, (i) => a[i * n + i]!);
  const vectors = new Float64Array(n * n);
  order.forEach((col, j) => {
    // Sign convention: first non-negligible component positive, so fixtures are reproducible.
    let sign = 1;
    for (let r = 0; r < n; r++) {
      const x = v[r * n + col]!;
      if (Math.abs(x) > 1e-12) {
        sign = x < 0 ? -1 : 1;
        break;
      }
    }
    for (let r = 0; r < n; r++) vectors[j * n + r] = sign * v[r * n + col]!;
  });
  return { values, vectors };
}

/** The eigen block SBayesRC would store for correlation matrix R at `cutoff` (Jacobi pairs, the panel's k rule). */
export function eigenBlockFromCorrelation(r: ArrayLike<number>, m: number, cutoff: number): EigenBlock {
  return toEigenBlock({ n: m, ...jacobiEigen(r, m) }, cutoff);
}

export function ar1(m: number, rho: number): Float64Array {
  const r = new Float64Array(m * m);
  for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) r[i * m + j] = rho ** Math.abs(i - j);
  return r;
}

/** snp.info rows for blocks of the given sizes on chromosome 22. */
export function snpTable(blockSizes: readonly number[]): LdSnpTable {
  const n = blockSizes.reduce((s, x) => s + x, 0);
  const t: LdSnpTable = {
    chrom: [],
    id: [],
    index: new Int32Array(n),
    genPos: new Float64Array(n),
    physPos: new Int32Array(n),
    a1: [],
    a2: [],
    a1Freq: new Float64Array(n),
    n: new Float64Array(n),
    block: new Int32Array(n),
  };
  let i = 0;
  blockSizes.forEach((size, b) => {
    for (let j = 0; j < size; j++, i++) {
      t.chrom.push('22');
      t.id.push(`rs${1000 + i}`);
      t.index[i] = i;
      t.physPos[i] = 16_000_000 + 1000 * i;
      t.a1.push('A');
      t.a2.push('G');
      t.a1Freq[i] = (10 + 5 * (i % 8)) / 100;
      t.n[i] = 503;
      t.block[i] = b + 1;
    }
  });
  return t;
}
