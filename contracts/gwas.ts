// Fold GWAS in the store and the export of a GWAS set to a file, as the workflows ask for them.
export type GwasModel = 'linear' | 'logistic';

export interface FoldGwasRequest {
  runId: string;
  cohort: string;
  phenoDataset: string;
  phenoName: string;
  covarDataset?: string;
  covarNames?: string[];
  /** Absent: one GWAS on all analysis samples, set `allSamplesGwasSetName(runId, cohort)`. */
  folds?: { k: number; seed: number };
  model: GwasModel;
}

export interface FoldGwasSummary {
  gwasSets: string[];
  samples: number;
  variants: number;
  /** Samples per fold; empty without folds. */
  foldSizes: number[];
  failedVariants: number[];
}

export interface ExportGwasRequest {
  gwasSet: string;
  out: string;
}

export interface ExportGwasSummary {
  out: string;
  rows: number;
  sha256: string;
}
