// Cholesky of a large symmetric positive-definite matrix (R̃_TT, thousands of SNPs), blocked so
// that most of the work is row-dot updates in cache-sized tiles (rowDots.ts): the unblocked
// loop in linalg/dense.ts streams the whole factor from memory once per column, fine for tens
// of columns and several times slower at thousands. Each diagonal block is factored by that
// same `choleskyInPlace`.
import { choleskyInPlace } from '../numeric/linalg/dense.js';
import { addRowDots } from './rowDots.js';

const BLOCK = 64;

/**
 * A = L Lᵀ in place, as `choleskyInPlace`: reads the lower triangle of `a` (row-major n × n),
 * leaves L there with the strict upper triangle zeroed. False when not numerically positive
 * definite (a pivot judged relative to its diagonal after the earlier blocks' updates).
 */
export function choleskyBlocked(a: Float64Array, n: number): boolean {
  if (a.length !== n * n) throw new RangeError(`matrix has ${a.length} values, expected ${n}×${n}`);
  const d = new Float64Array(BLOCK * BLOCK);
  for (let j0 = 0; j0 < n; j0 += BLOCK) {
    const j1 = Math.min(n, j0 + BLOCK);
    const w = j1 - j0;
    // Columns j0…j1−1 of every row from j0 down, minus their products with the finished columns.
    if (j0 > 0) addRowDots(a, j0 * n, n, n - j0, a, j0 * n, n, w, j0, a, j0 * n + j0, n, -1);
    // Factor the diagonal block.
    for (let p = 0; p < w; p++) for (let q = 0; q <= p; q++) d[p * w + q] = a[(j0 + p) * n + j0 + q]!;
    const block = d.subarray(0, w * w);
    if (!choleskyInPlace(block, w)) return false;
    for (let p = 0; p < w; p++) for (let q = 0; q <= p; q++) a[(j0 + p) * n + j0 + q] = block[p * w + q]!;
    // Rows below: L_iJ = A_iJ · L_JJ⁻ᵀ, one small forward substitution per row.
    for (let i = j1; i < n; i++) {
      const row = i * n;
      for (let p = 0; p < w; p++) {
        let s = a[row + j0 + p]!;
        for (let q = 0; q < p; q++) s -= a[row + j0 + q]! * block[p * w + q]!;
        a[row + j0 + p] = s / block[p * w + p]!;
      }
    }
  }
  for (let i = 0; i < n; i++) a.fill(0, i * n + i + 1, (i + 1) * n);
  return true;
}

/**
 * Solve L Y = B in place for `count` right-hand sides stored as rows of `b` (count × n, row-major),
 * L lower triangular row-major n × n. Blocked like the factorisation: per block of columns,
 * one tiled update with the solved columns, then substitution inside the block.
 */
export function forwardSolveRows(l: Float64Array, n: number, b: Float64Array, count: number): void {
  for (let p0 = 0; p0 < n; p0 += BLOCK) {
    const p1 = Math.min(n, p0 + BLOCK);
    if (p0 > 0) addRowDots(b, 0, n, count, l, p0 * n, n, p1 - p0, p0, b, p0, n, -1);
    for (let g = 0; g < count; g++) {
      const row = g * n;
      for (let p = p0; p < p1; p++) {
        let s = b[row + p]!;
        for (let c = p0; c < p; c++) s -= l[p * n + c]! * b[row + c]!;
        b[row + p] = s / l[p * n + p]!;
      }
    }
  }
}
