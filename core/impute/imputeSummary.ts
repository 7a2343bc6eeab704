// What an imputation run did, per block and in total: the `F.impute.json` next to the output.
import type { AlignmentCounts } from '../alleles/alignToPanel.js';
import type { ImputationScale } from './median.js';

export interface ImputeRequest {
  /** Summary statistics (COJO .ma or GWAS-SSF). */
  sumstats: string;
  /** SBayesRC LD folder. */
  ld: string;
  /** Output .ma; the report goes to `<out>.impute.json`. */
  out: string;
  /** Eigen cut-off for R̃ (default 0.995); at most the panel's stored one. */
  cutoff?: number;
}

export interface BlockReport {
  block: number;
  chrom: string;
  snps: number;
  observed: number;
  imputed: number;
  notImputable: number;
  /** Eigenpairs used at the cut-off (0 when the block needed no solve). */
  k: number;
  /** Float arrays allocated for the solve (T×T factor, scaled eigen rows, a batch of I×T rows). */
  workspaceBytes: number;
  seconds: number;
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
  input: AlignmentCounts & { duplicatesMerged: number };
  scale: ImputationScale;
  totals: ImputeTotals;
  /** Largest per-block workspace, bytes. */
  maxWorkspaceBytes: number;
  seconds: { read: number; impute: number; total: number };
}

export interface ImputeReport extends ImputeSummary {
  sumstats: string;
  ld: string;
  blocks: BlockReport[];
}

/** The summary part of a report (drops the per-block table and the input paths). */
export function summaryOf(r: ImputeReport): ImputeSummary {
  const { sumstats: _s, ld: _l, blocks: _b, ...summary } = r;
  return summary;
}
