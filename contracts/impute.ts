// Imputation of summary statistics from LD eigen blocks: request and summary (the per-block
// table stays in `F.impute.json`).
import type { SumstatsReadOptions } from './sumstats.js';
export interface ImputeRequest {
  /** Summary statistics (COJO .ma or GWAS-SSF). */
  sumstats: string;
  /** SBayesRC LD folder. */
  ld: string;
  /** Output .ma; the report goes to `<out>.impute.json`. */
  out: string;
  /** Eigen cut-off for R̃ (default 0.995); at most the panel's stored one. */
  cutoff?: number;
  /** How to read the summary statistics (column overrides, --n, --max-bad-rows). */
  read?: SumstatsReadOptions;
}

export interface ImputeTotals {
  panelSnps: number;
  observed: number;
  imputed: number;
  /** In blocks without an observed SNP, or monomorphic in the panel. */
  notImputable: number;
  blocksWithoutObserved: number;
  monomorphic: number;
}

/** Returned by the activity and printed by the CLI; the per-block table is only in the file. */
export interface ImputeSummary {
  out: string;
  report: string;
  cutoff: number;
  /** `setAside`: rows the reader set aside (indels, NA values, X rows, …; see the QC rules). */
  input: AlignmentCounts & { duplicatesMerged: number; setAside: number };
  scale: ImputationScale;
  totals: ImputeTotals;
  /** Largest per-block workspace, bytes. */
  maxWorkspaceBytes: number;
  seconds: { read: number; impute: number; total: number };
}

export interface ImputationScale {
  /** Median N of the observed SNPs: the N given to every imputed SNP. */
  nMed: number;
  /** Median of 2f(1−f)(N·se² + b²) over the observed SNPs: phenotypic variance implied. */
  vP: number;
}

export interface AlignmentCounts {
  /** Rows read (consistent duplicates already merged by the reader). */
  rows: number;
  /** Same A1/A2 as the panel. */
  matched: number;
  /** A1/A2 exchanged: re-oriented to the panel. */
  swapped: number;
  notInPanel: number;
  /** Alleles that are not the panel's pair in either order (other strand, other variant). */
  alleleMismatch: number;
  /** Non-finite freq or N. */
  missingValues: number;
}
