// Parsed, validated contents of the input formats pgsflow reads (DESIGN §4). Readers are pure
// modules: path in, typed arrays out, BadInputError (file, line, column) on malformed input.

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

/** GWAS summary statistics, one row per variant, from COJO .ma or GWAS-SSF. */
export interface SumstatsTable {
  format: 'cojo' | 'gwas-ssf';
  snp: string[];
  a1: string[];
  a2: string[];
  freq: Float64Array; // NaN when the file has no frequency
  b: Float64Array;
  se: Float64Array;
  p: Float64Array;
  n: Float64Array; // NaN when absent
  chrom: string[] | null;
  pos: Int32Array | null;
  /** Consistent duplicates dropped (first kept); conflicting duplicates are an error. */
  duplicates: { snp: string; lines: number[] }[];
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
