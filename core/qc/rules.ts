// The QC removal rules in the order they are applied (DESIGN §5.1). A variant is removed by the
// first rule it fails; each rule's count is over the variants that reached it.

export const QC_RULES = [
  'invalid_value', // non-finite N/b/se/freq, N ≤ 0, freq or p outside [0, 1]
  'se_not_positive',
  'duplicate_id', // every copy after the first
  'not_in_panel',
  'allele_mismatch', // matches the panel's pair neither as is, swapped, nor on the other strand
  'ambiguous_strand', // A/T or C/G, per the --ambiguous policy
  'freq_diff', // the allele-frequency filter: |freq − panel A1Freq| > freqDiff
  'maf',
  'info', // only when the input has an INFO column
  'n_outlier', // N outside mean ± nSd·SD
  'variance_outlier', // |sqrt(v_j / median v) − 1| ≥ rate2pq, v_j = 2f(1−f)(N·se² + b²)
] as const;

export type QcRule = (typeof QC_RULES)[number];

/** Rule code stored per variant: 0 = kept, i + 1 = removed by QC_RULES[i]. */
export const KEPT = 0;

export function ruleCode(rule: QcRule): number {
  return QC_RULES.indexOf(rule) + 1;
}

export function ruleOfCode(code: number): QcRule | undefined {
  return QC_RULES[code - 1];
}
