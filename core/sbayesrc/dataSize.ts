// Is the GWAS big enough for the LD panel it is fitted with? (Issue 17, tiny cohorts.)
//
// The low-rank likelihood (DESIGN §5.3) sees each block through k_b coordinates of
// w_b = Q_b β_b + e_b, e_b ~ N(0, σ²_{e,b}/n_b · I). Sampling noise adds Σ_b k_b/N on average to
// the apparent variance explained b̂ᵀR̃⁺b̂ (phenotype variance 1) — the model accounts for that
// mean through σ²e — but also a spread: Σ_b ‖e_b‖² is χ² with Σ_b k_b degrees of freedom scaled
// by 1/N, SD √(2 Σ_b k_b)/N. That spread is what h² cannot be told from: with N = 4,000 and 9,683
// eigen-pairs it is ±0.035 (h² is estimated well), with 378 people and ~10,000 eigen-pairs ±0.37
// (the chain then collapses to σ²g → 0 or fits noise up to the bound 1). Above ±0.1 we say so
// rather than let the numbers pass as an estimate. N < Σ_b k_b alone is not the criterion: a
// GWAS of 4,000 against a 10,000-SNP panel is the usual, well-identified case.
import { median } from '../numeric/stats/median.js';
import type { ProblemBlock } from './problem.js';

export interface DataSize {
  /** Median per-SNP GWAS N. */
  medianN: number;
  /** Σ_b k_b: eigen-pairs kept over all blocks. */
  eigenPairs: number;
  /** Σ_b ‖w_b‖² = b̂ᵀR̃⁺b̂ over the kept eigen-pairs (apparent variance explained). */
  explained: number;
}

export function dataSize(blocks: readonly Pick<ProblemBlock, 'k' | 'w'>[], n: ArrayLike<number>): DataSize {
  let eigenPairs = 0;
  let explained = 0;
  for (const b of blocks) {
    eigenPairs += b.k;
    for (let i = 0; i < b.k; i++) explained += b.w[i]! * b.w[i]!;
  }
  return { medianN: median(Float64Array.from(n)), eigenPairs, explained };
}

const f = (x: number, d = 3): string => (Number.isInteger(x) ? String(x) : x.toPrecision(d));

/** Largest noise SD of b̂ᵀR̃⁺b̂ (√(2 Σ k_b)/N) at which h² is still reported without a warning. */
export const MAX_NOISE_SD = 0.1;

/** Warnings about the data size and about h² draws that reached the bound 1 (empty when none). */
export function dataSizeWarnings(d: DataSize, h2Max: number | null): string[] {
  const out: string[] = [];
  const noiseSd = Math.sqrt(2 * d.eigenPairs) / d.medianN;
  if (noiseSd > MAX_NOISE_SD) {
    out.push(
      `GWAS N (median ${f(d.medianN)}) is small for the ${d.eigenPairs} LD eigen-pairs kept: sampling noise moves the variance the summary statistics ` +
        `appear to explain (b̂ᵀR⁻¹b̂ = ${f(d.explained)}) by about ±${f(noiseSd, 2)} (√(2·${d.eigenPairs})/${f(d.medianN)}, above ${MAX_NOISE_SD}), ` +
        `so h² and the effects are not identified to better than that; use a larger GWAS or a lower eigen cut-off`,
    );
  }
  if (h2Max !== null && h2Max >= 1) {
    out.push('some h² draws reached the bound 1 (βᵀRβ ≥ the phenotype variance): the data do not constrain h²');
  }
  return out;
}
