// Genetic and per-block residual variance updates.
import type { Rng } from '../numeric/random/rng.js';

/** Floor on σ²g: with no SNP in the model it would be 0 and every slab variance γ_k σ²g with it. */
export const MIN_SIGMA2G = 1e-6;

/**
 * Phenotype variance on the standardised scale (b̂_j = b_j/sqrt(N_j se_j² + b_j²), DESIGN §5.3),
 * the reference's `vary` = 1: the ceiling on σ²g and so on every h² draw.
 *
 * Which h² the model defines. Ours: h² = σ²g/Var(y) with σ²g = Σ_b ‖Q_b β_b‖² = βᵀR̃β and Var(y)
 * = 1, i.e. h² = σ²g/(σ²g + σ²e) with σ²e = 1 − σ²g the genome-wide residual. The reference
 * (SBayesRC.cpp `mcmc()`: `varg = Vg_block.sum()` with `Vg_block = what·what`, then
 * `hsq = varg / vary`) is the same and unbounded: a draw with βᵀR̃β > 1 reports h² > 1. The
 * per-block σ²_{e,b} are NOT that residual: each block's likelihood carries the other blocks'
 * genetic variance as noise, so σ²_{e,b} ≈ Var(y) = 1 (the allMixVe rule resets it to `vary`
 * unless Σβ² > 1.1·βᵀR̃β, and a redraw ≤ 0.7 goes back to `vary`). Taking h² = σ²g/(σ²g + σ̄²e)
 * with their mean would therefore report ≈ σ²g/(1 + σ²g) — 0.33 for a true 0.5 — and change every
 * well-powered result. The model's own constraint is σ²e = Var(y) − σ²g ≥ 0, i.e. σ²g ∈ [0, 1]:
 * a β with βᵀR̃β > 1 lies outside it (only reachable when noise dominates, e.g. Σ_b k_b > N,
 * dataSize.ts). So σ²g, the slab scale, is bounded to [MIN_SIGMA2G, 1] and each h² draw to [0, 1].
 * Where βᵀR̃β ≤ 1 (every well-powered fit) nothing changes, bit for bit.
 */
export const PHENOTYPE_VARIANCE = 1;

/** σ²g = Σ_b ‖Q_b β_b‖² (= h²_SNP on the standardised scale), bounded to [MIN_SIGMA2G, PHENOTYPE_VARIANCE]. */
export function geneticVariance(blockQuadratic: ArrayLike<number>): number {
  return Math.max(heritabilityDraw(blockQuadratic) * PHENOTYPE_VARIANCE, MIN_SIGMA2G);
}

/** This draw's h² = min(Σ_b ‖Q_b β_b‖², Var(y))/Var(y) ∈ [0, 1] (see PHENOTYPE_VARIANCE). */
export function heritabilityDraw(blockQuadratic: ArrayLike<number>): number {
  let s = 0;
  for (let b = 0; b < blockQuadratic.length; b++) s += blockQuadratic[b]!;
  return Math.min(Math.max(s, 0), PHENOTYPE_VARIANCE) / PHENOTYPE_VARIANCE;
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
