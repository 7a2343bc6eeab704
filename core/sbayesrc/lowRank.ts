// The low-rank likelihood of one LD block: with R ≈ U Λ Uᵀ (k kept eigenpairs),
// w = Λ^{-1/2} Uᵀ b̂ and Q = Λ^{1/2} Uᵀ give w ~ N(Q β, σ²e/n · I_k) — k equations instead of m.
import type { EigenBlock } from '../formats/types.js';

export interface LowRankBlock {
  m: number;
  k: number;
  /** Block sample size n_b. */
  n: number;
  /** Q stored SNP-major (column j of Q contiguous: q[j·k + i] = sqrt(λ_i) U_ji), float32 like the reference. */
  q: Float32Array;
  /** w = Λ^{-1/2} Uᵀ b̂ (length k). */
  w: Float64Array;
}

/**
 * `bhat` holds the block's m standardised effects in panel order; eigenvectors are column-major m × k.
 * Q is written into `into` when given (m·k floats: shared memory, or a buffer reused while spilling).
 */
export function lowRankBlock(eigen: EigenBlock, bhat: ArrayLike<number>, n: number, into?: Float32Array): LowRankBlock {
  const { m, k, values, vectors } = eigen;
  if (into && into.length !== m * k) throw new RangeError(`Q buffer holds ${into.length} floats, the block needs ${m * k}`);
  const q = into ?? new Float32Array(m * k);
  const w = new Float64Array(k);
  for (let i = 0; i < k; i++) {
    const lam = values[i]!;
    const sq = Math.sqrt(lam);
    const col = i * m;
    let dot = 0;
    for (let j = 0; j < m; j++) {
      const u = vectors[col + j]!;
      dot += u * bhat[j]!;
      q[j * k + i] = sq * u;
    }
    w[i] = dot / sq;
  }
  return { m, k, n, q, w };
}

/** ‖Q β‖² = βᵀ R̃ β: the block's genetic variance. */
export function quadraticForm(q: Float32Array, k: number, beta: Float64Array, first: number, m: number, scratch: Float64Array): number {
  scratch.fill(0, 0, k);
  for (let j = 0; j < m; j++) {
    const b = beta[first + j]!;
    if (b === 0) continue;
    const off = j * k;
    for (let i = 0; i < k; i++) scratch[i] = scratch[i]! + q[off + i]! * b;
  }
  let s = 0;
  for (let i = 0; i < k; i++) s += scratch[i]! * scratch[i]!;
  return s;
}
