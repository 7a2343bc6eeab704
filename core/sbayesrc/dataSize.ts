// Is the GWAS big enough for the LD panel it is fitted with? (Issue 17, tiny cohorts.)
//
// The low-rank likelihood (DESIGN §5.3) treats the k_b coordinates of each w_b = Q_b β_b + e_b,
// e_b ~ N(0, σ²_{e,b}/n_b · I), as independent observations: Σ_b k_b of them. A GWAS of N people
// has at most N: b̂ = Xᵀy/N lies in the row space of X (rank ≤ N). Noise alone then puts
// E Σ_b ‖w_b‖² = Σ_b k_b/N into the "variance explained" b̂ᵀR̃⁺b̂ (phenotype variance 1), so
// once Σ_b k_b ≥ N pure noise can explain the whole phenotype: h² and the effects are not
// identified, and the chain either collapses (σ²g → 0) or fits noise (βᵀR̃β at the bound 1).
// We say so rather than let the numbers pass as an estimate.
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
  return { medianN: median(n), eigenPairs, explained };
}

function median(x: ArrayLike<number>): number {
  const v = Float64Array.from(x).sort();
  if (v.length === 0) return NaN;
  const h = v.length >> 1;
  return v.length % 2 === 1 ? v[h]! : (v[h - 1]! + v[h]!) / 2;
}

const f = (x: number, d = 3): string => (Number.isInteger(x) ? String(x) : x.toPrecision(d));

/** Warnings about the data size and about h² draws that reached the bound 1 (empty when none). */
export function dataSizeWarnings(d: DataSize, h2Max: number | null): string[] {
  const out: string[] = [];
  if (d.medianN < d.eigenPairs) {
    out.push(
      `GWAS N (median ${f(d.medianN)}) is below the ${d.eigenPairs} LD eigen-pairs kept: the summary statistics hold fewer independent observations than the model fits, ` +
        `noise alone explains about ${f(d.eigenPairs / d.medianN)} of the phenotype variance (b̂ᵀR⁻¹b̂ = ${f(d.explained)}), so h² and the effects are not identified; ` +
        `use a larger GWAS (N well above ${d.eigenPairs}) or a lower eigen cut-off`,
    );
  }
  if (h2Max !== null && h2Max >= 1) {
    out.push('some h² draws reached the bound 1 (βᵀRβ ≥ the phenotype variance): the data do not constrain h²');
  }
  return out;
}
