// Summary statistics on the standardised scale SBayesRC samples on (phenotype variance 1):
// s_j = sqrt(N_j se_j² + b_j²) is the per-SNP phenotype-SD / genotype-SD ratio implied by the
// GWAS, so b̂_j = b_j / s_j is a marginal correlation and β̂·s_j maps back to per-allele units.

export interface Standardised {
  /** s_j, to map standardised effects back to the phenotype scale per copy of A1. */
  scale: Float64Array;
  /** b̂_j = b_j / s_j. */
  bhat: Float64Array;
}

export function standardise(b: ArrayLike<number>, se: ArrayLike<number>, n: ArrayLike<number>): Standardised {
  const m = b.length;
  const scale = new Float64Array(m);
  const bhat = new Float64Array(m);
  for (let j = 0; j < m; j++) {
    const bj = b[j]!;
    const sj = Math.sqrt(n[j]! * se[j]! * se[j]! + bj * bj);
    scale[j] = sj;
    bhat[j] = bj / sj;
  }
  return { scale, bhat };
}

/** n_b: the block's mean N (the low-rank likelihood has one sample size per block). */
export function blockSampleSize(n: ArrayLike<number>, first: number, end: number): number {
  let s = 0;
  for (let j = first; j < end; j++) s += n[j]!;
  return s / (end - first);
}
