// What an imputation run did, per block and in total: the `F.impute.json` next to the output.
import type { AlignmentCounts, ImputationScale, ImputeSummary } from '../../contracts/impute.js';

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
