// Pieces of one block's regularised LD matrix R̃ = U Λ Uᵀ + ridge·I built from the eigen data,
// never the whole m × m matrix: entry (a, c) is the dot product of rows a and c of U Λ^{1/2},
// so any T×T or I×T part is formed from the rows it involves (tiled products, rowDots.ts).
import type { EigenBlock } from '../formats/types.js';
import { addRowDots } from './rowDots.js';

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

/** Rows of R̃_TT computed per tile of this many rows (only tiles on or below the diagonal). */
const ROW_TILE = 64;

/**
 * Lower triangle of R̃_TT = W_T W_Tᵀ + ridge·I (t × t row-major), the layout the Cholesky reads
 * (what lands above the diagonal is not used). `wT` holds the t rows of U Λ^{1/2}, each of
 * length k.
 */
export function ldTT(wT: Float32Array, t: number, k: number, ridge = LD_RIDGE): Float64Array {
  const a = new Float64Array(t * t);
  for (let p0 = 0; p0 < t; p0 += ROW_TILE) {
    const p1 = Math.min(t, p0 + ROW_TILE);
    addRowDots(wT, p0 * k, k, p1 - p0, wT, 0, k, p1, k, a, p0 * t, t, 1);
  }
  for (let p = 0; p < t; p++) a[p * t + p]! += ridge;
  return a;
}

/**
 * Rows `first … first+count−1` of R̃_IT = W_I W_Tᵀ into `out` (count × t row-major): I and T
 * are disjoint, so the ridge does not appear.
 */
export function ldIT(wI: Float32Array, first: number, count: number, wT: Float32Array, t: number, k: number, out: Float64Array): void {
  out.fill(0, 0, count * t);
  addRowDots(wI, first * k, k, count, wT, 0, k, t, k, out, 0, t, 1);
}
