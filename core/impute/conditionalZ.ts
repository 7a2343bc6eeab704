// Imputed z of one LD block's missing SNPs (DESIGN §5.2): ẑ_I = R̃_IT R̃_TT⁻¹ z_T, and the
// imputation quality r2_j = R̃_jT R̃_TT⁻¹ R̃_Tj. With R̃_TT = L Lᵀ both come from one forward
// solve per missing SNP: y_j = L⁻¹ R̃_Tj gives ẑ_j = y_j · (L⁻¹ z_T) and r2_j = ‖y_j‖².
// Memory: the t × t factor, the rows of U Λ^{1/2} in float32 (the eigen data's own size) and a
// batch of R̃_IT rows at a time; never m × m.
import type { EigenBlock } from '../formats/types.js';
import { choleskyBlocked, forwardSolveRows } from './blockedCholesky.js';
import { LD_RIDGE, ldIT, ldTT, scaledRows } from './blockLd.js';
import { dot } from './rowDots.js';

/** Missing SNPs solved together: L is streamed once per batch, the batch is ≤ 256 × t doubles. */
export const SOLVE_BATCH = 256;

export interface BlockImputation {
  /** Imputed z, one per missing SNP (same order as `missing`). */
  z: Float64Array;
  /** Imputation quality R̃_IT R̃_TT⁻¹ R̃_TI (diagonal), clipped to [0, 1]. */
  quality: Float64Array;
}

export interface BlockSets {
  /** Block-local indices of the observed SNPs (T), with their z. Non-empty. */
  observed: Int32Array;
  zObserved: Float64Array;
  /** Block-local indices of the SNPs to impute (I). */
  missing: Int32Array;
}

/** Bytes of float arrays `imputeBlockZ` allocates for t observed and i missing SNPs of rank k. */
export function workspaceBytes(t: number, i: number, k: number): number {
  const batch = Math.min(SOLVE_BATCH, i);
  return 8 * t * t + 4 * (t + i) * k + 8 * (batch * t + t + 2 * i);
}

/**
 * ẑ and quality for the missing SNPs of one block. Null when R̃_TT is not numerically
 * positive definite, which the ridge rules out for a valid eigen file.
 */
export function imputeBlockZ(e: EigenBlock, sets: BlockSets, ridge = LD_RIDGE): BlockImputation | null {
  const { observed, zObserved, missing } = sets;
  const t = observed.length;
  const nI = missing.length;
  const k = e.k;
  const z = new Float64Array(nI);
  const quality = new Float64Array(nI);
  if (nI === 0) return { z, quality };
  if (t === 0) throw new RangeError('imputeBlockZ needs at least one observed SNP');
  if (zObserved.length !== t) throw new RangeError(`${zObserved.length} z values for ${t} observed SNPs`);

  const wT = scaledRows(e, observed);
  const wI = scaledRows(e, missing);
  const l = ldTT(wT, t, k, ridge);
  if (!choleskyBlocked(l, t)) return null;
  const w = Float64Array.from(zObserved);
  forwardSolveRows(l, t, w, 1);

  const batch = new Float64Array(Math.min(SOLVE_BATCH, nI) * t);
  for (let first = 0; first < nI; first += SOLVE_BATCH) {
    const count = Math.min(SOLVE_BATCH, nI - first);
    ldIT(wI, first, count, wT, t, k, batch);
    forwardSolveRows(l, t, batch, count);
    for (let g = 0; g < count; g++) {
      z[first + g] = dot(batch, g * t, w, 0, t);
      const q = dot(batch, g * t, batch, g * t, t);
      quality[first + g] = q > 1 ? 1 : q; // ≥ 0 as a sum of squares
    }
  }
  return { z, quality };
}
