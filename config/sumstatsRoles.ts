// The roles a column of a summary-statistics file can play (`--columns role=NAME`, the study
// file's `columns`); detection by header name is core/formats/sumstatsColumns.ts.
export const SUMSTATS_ROLES = [
  'snp',
  'chrom',
  'pos',
  'a1',
  'a2',
  'ref',
  'alt',
  'freq',
  'b',
  'or',
  'orLower',
  'orUpper',
  'se',
  'z',
  'p',
  'log10p',
  'n',
  'nCase',
  'nControl',
  'info',
  /** PLINK 2 / REGENIE TEST: only ADD rows are variant tests (covariate rows are skipped). */
  'test',
] as const;
export type SumstatsRole = (typeof SUMSTATS_ROLES)[number];
