// Top SNPs for the snps+covariates models: the fold GWAS's best SNPs, greedily LD-pruned within
// the fold's training samples (as PLINK's clumping: in p-value order, a SNP is dropped when its
// r² with an already kept SNP on the same chromosome within the window reaches the threshold).
// Held-out samples never enter r².

export interface PruneCandidate {
  /** Row of the candidate in the genotype matrix given to `pruneByLd`. */
  row: number;
  chrom: string;
  pos: number;
}

export interface PruneOptions {
  keep: number;
  r2: number;
  windowBp: number;
}

/**
 * Indices into `candidates` (already in p-value order) that survive pruning, at most `keep`.
 * `standardised(row)` gives the candidate's training-sample genotypes centred and scaled to unit
 * variance (all zero for a monomorphic SNP, which is dropped: it predicts nothing).
 */
export function pruneByLd(candidates: readonly PruneCandidate[], standardised: (row: number) => Float64Array, opts: PruneOptions): number[] {
  const kept: number[] = [];
  const keptVectors: Float64Array[] = [];
  for (let c = 0; c < candidates.length && kept.length < opts.keep; c++) {
    const cand = candidates[c]!;
    const x = standardised(cand.row);
    const n = x.length;
    let ss = 0;
    for (let i = 0; i < n; i++) ss += x[i]! * x[i]!;
    if (ss === 0) continue;
    let tagged = false;
    for (let k = 0; k < kept.length && !tagged; k++) {
      const other = candidates[kept[k]!]!;
      if (other.chrom !== cand.chrom || Math.abs(other.pos - cand.pos) > opts.windowBp) continue;
      const y = keptVectors[k]!;
      let dot = 0;
      for (let i = 0; i < n; i++) dot += x[i]! * y[i]!;
      const r = dot / n;
      if (r * r >= opts.r2) tagged = true;
    }
    if (tagged) continue;
    kept.push(c);
    keptVectors.push(x);
  }
  return kept;
}

/** Centre and scale `values` (NaN = missing, set to the mean) to mean 0, variance 1 (population). */
export function standardise(values: ArrayLike<number>): Float64Array {
  const n = values.length;
  let sum = 0;
  let count = 0;
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    if (!Number.isNaN(v)) {
      sum += v;
      count++;
    }
  }
  const mean = count > 0 ? sum / count : 0;
  const out = new Float64Array(n);
  let ss = 0;
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    const d = Number.isNaN(v) ? 0 : v - mean;
    out[i] = d;
    ss += d * d;
  }
  const sd = Math.sqrt(ss / n);
  if (sd > 0) for (let i = 0; i < n; i++) out[i]! /= sd;
  else out.fill(0);
  return out;
}
