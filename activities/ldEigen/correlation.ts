// LD correlation of a block from its standardised dosage rows: with every row centred and of
// unit norm, R = Z Zᵀ. BLAS dsyrk through the native addon when the eigen backend is native,
// else dot products in TypeScript.
import type { EigenBackend } from './eigenSymmetric.js';
import { loadNativeAddon } from './nativeAddon.js';

/** out = Z Zᵀ (both triangles) for row-major m × n `z`, in TypeScript. */
export function gramTs(z: Float64Array, m: number, n: number, out: Float64Array): void {
  for (let i = 0; i < m; i++) {
    const zi = i * n;
    for (let j = 0; j <= i; j++) {
      const zj = j * n;
      let s0 = 0;
      let s1 = 0;
      let t = 0;
      // Two accumulators: independent chains let the CPU overlap the multiply-adds.
      for (; t + 1 < n; t += 2) {
        s0 += z[zi + t]! * z[zj + t]!;
        s1 += z[zi + t + 1]! * z[zj + t + 1]!;
      }
      if (t < n) s0 += z[zi + t]! * z[zj + t]!;
      out[i * m + j] = out[j * m + i] = s0 + s1;
    }
  }
}

/**
 * The m × m correlation matrix (row-major = column-major, it is symmetric) of the rows of the
 * standardised `z` (m × n). The diagonal is set to exactly 1: it is 1 by construction and
 * rounding would otherwise leave it a few ulps off.
 */
export async function correlationMatrix(z: Float64Array, m: number, n: number, backend: EigenBackend): Promise<Float64Array> {
  const out = new Float64Array(m * m);
  const addon = backend === 'native' ? loadNativeAddon().addon : null;
  if (addon) await addon.gram(z, m, n, out, true);
  else gramTs(z, m, n, out);
  for (let i = 0; i < m; i++) out[i * m + i] = 1;
  return out;
}
