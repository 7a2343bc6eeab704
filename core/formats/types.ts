// Parsed, validated contents of the input formats pgsflow reads (DESIGN §4). Readers are pure
// modules: path in, typed arrays out, BadInputError (file, line, column) on malformed input.
import type { QcRule } from '../../contracts/qc.js';
import type { SumstatsRole } from '../../contracts/sumstats.js';
import type { SumstatsDialect } from './sumstatsColumns.js';
import type { Split } from './text.js';

/** One sample of a PLINK .fam (sex 1 male, 2 female, 0 unknown; phenotype kept as text). */
export interface FamTable {
  fid: string[];
  iid: string[];
  father: string[];
  mother: string[];
  sex: Int8Array;
  phenotype: string[];
}

/** Variants of a PLINK .bim. A1 is the counted (ALT) allele of the .bed dosages. */
export interface BimTable {
  chrom: string[];
  id: string[];
  cm: Float64Array;
  pos: Int32Array;
  a1: string[];
  a2: string[];
}

/** A validated .bed: SNP-major, `bytesPerVariant = ceil(nSamples / 4)`. */
export interface BedLayout {
  path: string;
  nSamples: number;
  nVariants: number;
  bytesPerVariant: number;
}

/** A summary-statistics row set aside by the reader, with the QC rule that removes it and why. */
export interface SumstatsRejection {
  line: number;
  /** The row's SNP ID as written (or chrom:pos when it has none). */
  snp: string;
  rule: QcRule;
  detail: string;
}

/**
 * GWAS summary statistics harmonised from any dialect, one row per variant: a1 the effect
 * allele, b and se per copy of a1, freq of a1 (NaN when the file has no frequency column).
 */
export interface SumstatsTable {
  dialect: SumstatsDialect;
  /** Role → header name as written (the mapping used, recorded with the ingest). */
  columns: Partial<Record<SumstatsRole, string>>;
  split: Split;
  /** Derivations applied (b = ln OR, effective N, …), for the record. */
  derived: string[];
  snp: string[];
  a1: string[];
  a2: string[];
  freq: Float64Array;
  b: Float64Array;
  se: Float64Array;
  p: Float64Array;
  n: Float64Array;
  /** A Z-only file without frequencies: b holds Z and se is NaN until the panel's frequency is known. */
  zOnly: boolean;
  /** Imputation INFO (NaN where NA); null when the file has no INFO column. */
  info: Float64Array | null;
  chrom: string[] | null;
  pos: Int32Array | null;
  /** Input line (1-based) of each row. */
  line: Int32Array;
  /** No frequency column: QC, impute and fit take the LD panel's frequency of a1. */
  freqFromPanel: boolean;
  /** Consistent duplicates folded (first kept; QC counts the others as duplicate_id). */
  duplicates: { snp: string; lines: number[] }[];
  /** Rows set aside (indels, NA values, X rows, …), in line order. */
  rejected: SumstatsRejection[];
  /** Data rows read (variant tests; covariate rows of PLINK 2/REGENIE not included). */
  dataRows: number;
}

/** Phenotype or covariate table keyed by FID/IID; NA and -9 (where allowed) become NaN. */
export interface SampleTable {
  fid: string[];
  iid: string[];
  numeric: { name: string; values: Float64Array }[];
  text: { name: string; values: string[] }[];
}

/** SBayesRC annotation matrix: column 0 is the intercept (all 1). */
export interface AnnotationTable {
  snp: string[];
  names: string[];
  /** Column-major values, one Float64Array per annotation column (names.length of them). */
  columns: Float64Array[];
  binary: boolean[];
}

/** LD blocks, half-open [start, end) on GRCh positions. chrom without a `chr` prefix. */
export interface BlockTable {
  block: string[];
  chrom: string[];
  start: Int32Array;
  end: Int32Array;
}

/** ldm.info rows: 0-based inclusive contiguous SNP index ranges per block. */
export interface LdmInfoTable {
  block: Int32Array;
  chrom: string[];
  startIdx: Int32Array;
  startId: string[];
  endIdx: Int32Array;
  endId: string[];
  numSnps: Int32Array;
}

/** snp.info rows; `block` is the 1-based ldm.info row number. */
export interface LdSnpTable {
  chrom: string[];
  id: string[];
  index: Int32Array;
  genPos: Float64Array;
  physPos: Int32Array;
  a1: string[];
  a2: string[];
  a1Freq: Float64Array;
  n: Float64Array;
  block: Int32Array;
}

/** One `block<B>.eigen.bin`. Eigenvectors column-major m × k. */
export interface EigenBlock {
  m: number;
  k: number;
  sumLambda: number;
  cutoff: number;
  values: Float32Array;
  vectors: Float32Array;
}

export interface LdFolder {
  dir: string;
  info: LdmInfoTable;
  snps: LdSnpTable;
  /** Paths of the eigen files, index b-1 for block b. */
  eigenFiles: string[];
}
