// Genetic and per-block residual variance updates.
import type { Rng } from '../numeric/random/rng.js';

/** Floor on σ²g: with no SNP in the model it would be 0 and every slab variance γ_k σ²g with it. */
export const MIN_SIGMA2G = 1e-6;

/** σ²g = Σ_b ‖Q_b β_b‖² (= h²_SNP on the standardised scale), floored at MIN_SIGMA2G. */
export function geneticVariance(blockQuadratic: ArrayLike<number>): number {
  let s = 0;
  for (let b = 0; b < blockQuadratic.length; b++) s += blockQuadratic[b]!;
  return Math.max(s, MIN_SIGMA2G);
}

/** Redraw only when the block's effects are not inflated by LD: Σβ² > 1.1·βᵀR̃β. */
export const REDRAW_RATIO = 1.1;
/** A draw at or below this means the block blew up; reset to 1 rather than trust it. */
export const BLOWUP_FLOOR = 0.7;

/** Below this, a block's Σβ² or βᵀR̃β counts as empty (nothing to learn σ²e from). */
export const EMPTY_BLOCK = 1e-8;

/**
 * Block residual variance: s = (n_b‖r_b‖² + 2)/χ²(k_b + 4) where the block passes the
 * redraw test; a draw ≤ 0.7 is replaced by 1 (the blow-up guard). Other blocks (empty ones
 * included) get the phenotype variance 1, as in the reference's `allMixVe` rule. Consumes one
 * χ² draw only when it redraws.
 */
export function residualVariance(
  n: number,
  residualSS: number,
  k: number,
  sumBeta2: number,
  betaRBeta: number,
  rng: Rng,
): number {
  if (!(sumBeta2 >= EMPTY_BLOCK && betaRBeta >= EMPTY_BLOCK && sumBeta2 > REDRAW_RATIO * betaRBeta)) return 1;
  const s = (n * residualSS + 2) / rng.chiSquared(k + 4);
  return s > BLOWUP_FLOOR ? s : 1;
}
