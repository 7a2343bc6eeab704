// The QC removal rules in the order they are applied (DESIGN §5.1). A variant is removed by the
// first rule it fails; each rule's count is over the variants that reached it.
import { QC_RULES, type QcRule } from '../../contracts/qc.js';

/** Rules applied to rows set aside before QC's own rules: by the reader, and by a liftover. */
export const READER_RULES: readonly QcRule[] = ['non_autosomal', 'allele_not_snv', 'same_alleles', 'multi_allelic', 'missing_value', 'duplicate_variant', 'not_lifted'];

/** Rule code stored per variant: 0 = kept, i + 1 = removed by QC_RULES[i]. */
export const KEPT = 0;

export function ruleCode(rule: QcRule): number {
  return QC_RULES.indexOf(rule) + 1;
}

export function ruleOfCode(code: number): QcRule | undefined {
  return QC_RULES[code - 1];
}
