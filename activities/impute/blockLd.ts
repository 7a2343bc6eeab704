// Pieces of one block's regularised LD matrix R̃ = U Λ Uᵀ + ridge·I built from the eigen data,
// never the whole m × m matrix: entry (a, c) is the dot product of rows a and c of U Λ^{1/2},
// so any T×T or I×T part is formed from the rows it involves.
import type { EigenBlock } from '../ingest/formats/types.js';

/** SBayesRC's regularisation of the truncated LD for imputation (DESIGN §5.2). */
export const LD_RIDGE = 0.1;

/**
 * Rows `rows` (block-local SNP indices) of U Λ^{1/2}, row-major rows.length × k. Float32 like
 * the eigen data itself (U is stored as float32, so float64 would only double the memory);
 * products are accumulated in float64.
 */
export function scaledRows(e: EigenBlock, rows: Int32Array): Float32Array {
  const { m, k, values, vectors } = e;
  const out = new Float32Array(rows.length * k);
  for (let c = 0; c < k; c++) {
    const s = Math.sqrt(values[c]!);
    const col = c * m;
    for (let i = 0; i < rows.length; i++) out[i * k + c] = vectors[col + rows[i]!]! * s;
  }
  return out;
}

/** Σ_{i<n} x[xOff+i]·y[yOff+i], four accumulators (the inner loop of every kernel here). */
export function dot(x: ArrayLike<number>, xOff: number, y: ArrayLike<number>, yOff: number, n: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let i = 0;
  for (; i + 3 < n; i += 4) {
    s0 += x[xOff + i]! * y[yOff + i]!;
    s1 += x[xOff + i + 1]! * y[yOff + i + 1]!;
    s2 += x[xOff + i + 2]! * y[yOff + i + 2]!;
    s3 += x[xOff + i + 3]! * y[yOff + i + 3]!;
  }
  for (; i < n; i++) s0 += x[xOff + i]! * y[yOff + i]!;
  return s0 + s1 + (s2 + s3);
}

/**
 * Lower triangle of R̃_TT = W_T W_Tᵀ + ridge·I (t × t row-major, upper triangle left 0), the
 * layout `choleskyInPlace` reads. `wT` holds the t rows of U Λ^{1/2}, each of length k.
 */
export function ldTT(wT: Float32Array, t: number, k: number, ridge = LD_RIDGE): Float64Array {
  const a = new Float64Array(t * t);
  for (let p = 0; p < t; p++) {
    const row = p * t;
    for (let q = 0; q <= p; q++) a[row + q] = dot(wT, p * k, wT, q * k, k);
    a[row + p]! += ridge;
  }
  return a;
}

/**
 * Rows `first … first+count−1` of R̃_IT = W_I W_Tᵀ into `out` (count × t row-major): I and T
 * are disjoint, so the ridge does not appear.
 */
export function ldIT(wI: Float32Array, first: number, count: number, wT: Float32Array, t: number, k: number, out: Float64Array): void {
  for (let g = 0; g < count; g++) {
    const iOff = (first + g) * k;
    const row = g * t;
    for (let p = 0; p < t; p++) out[row + p] = dot(wI, iOff, wT, p * k, k);
  }
}
