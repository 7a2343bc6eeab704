// What can be ingested into the store, and what each ingest reports.
import type { SumstatsReadOptions } from './sumstats.js';

export const INGEST_KINDS = ['bfile', 'pfile', 'vcf', 'bgen', 'sumstats', 'pheno', 'covar', 'annot', 'blocks', 'ld'] as const;

export type IngestKind = (typeof INGEST_KINDS)[number];

/** Genotype inputs: a cohort's samples × variants (PLINK 1 hard calls, or dosages from the others). */
export const GENOTYPE_KINDS = ['bfile', 'pfile', 'vcf', 'bgen'] as const;
export type GenotypeInputKind = (typeof GENOTYPE_KINDS)[number];
export const isGenotypeKind = (k: IngestKind): k is GenotypeInputKind => (GENOTYPE_KINDS as readonly string[]).includes(k);

/** VCF/BCF: which FORMAT field gives the dosage (absent: DS when the header has it, else GT). */
export type DosageField = 'DS' | 'GP' | 'HDS';

/** Dosage genotype files of one cohort or reference, and how to read them. */
export interface DosageGenotypes {
  kind: 'pfile' | 'vcf' | 'bgen';
  /** pfile: prefixes; vcf/bgen: files (one, or one per chromosome with the same samples). */
  paths: string[];
  /** vcf only: the FORMAT field read (absent: DS when the header declares it, else GT). */
  dosageField?: DosageField;
  /** bgen only: an Oxford .sample file (absent: the BGEN's own sample IDs). */
  sample?: string;
  /** bgen only: whether the first allele is REF (absent: true, PLINK 2's ref-first). */
  refFirst?: boolean;
}

export interface IngestInput {
  kind: IngestKind;
  /**
   * bfile/pfile: one or more PLINK prefixes; vcf/bgen: one or more files (e.g. one per chromosome,
   * the same samples in each); ld: a folder; else one file.
   */
  paths: string[];
  /** Dataset name in the store (cohort, GWAS set, table); derived from the file name if absent. */
  name?: string;
  /** Genotype inputs only: the cohort's ancestry (defaults to the dataset name). */
  ancestry?: string;
  /** vcf only: the dosage field (absent: DS when present, else GT). */
  dosageField?: DosageField;
  /** bgen only: an Oxford .sample file (absent: the BGEN's own sample identifiers). */
  sample?: string;
  /** bgen only: whether the first allele is REF (PLINK 2's ref-first); the counted ALT is the other. */
  refFirst?: boolean;
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
