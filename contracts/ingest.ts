// What can be ingested into the store, and what each ingest reports.
import type { SumstatsReadOptions } from './sumstats.js';

export const INGEST_KINDS = ['bfile', 'sumstats', 'pheno', 'covar', 'annot', 'blocks', 'ld'] as const;

export type IngestKind = (typeof INGEST_KINDS)[number];

export interface IngestInput {
  kind: IngestKind;
  /** bfile: one or more PLINK prefixes (e.g. one per chromosome); ld: a folder; else one file. */
  paths: string[];
  /** Dataset name in the store (cohort, GWAS set, table); derived from the file name if absent. */
  name?: string;
  /** bfile only: the cohort's ancestry (defaults to the dataset name). */
  ancestry?: string;
  /**
   * pheno/covar only: columns that must be present and numeric (a study's phenotype column, the
   * covariates it names); a value in one that is neither a number nor missing is refused with
   * its line and column. Absent (not empty) when there are none.
   */
  numericColumns?: string[];
  /**
   * pheno/covar only: whether -9 means missing (PLINK's missing phenotype). Absent: yes for
   * pheno, no for covar (where -9 can be a real value, e.g. a PC score).
   */
  missingMinus9?: boolean;
  /** sumstats only: how to read the file (column overrides, N, bad-row allowance). Absent when default. */
  read?: SumstatsReadOptions;
}

export interface IngestReport {
  kind: IngestKind;
  dataset: string;
  status: 'ingested' | 'replaced' | 'unchanged';
  rows: number;
  sha256: string;
  notes: string[];
}
