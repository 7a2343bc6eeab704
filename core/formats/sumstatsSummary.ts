// One-line descriptions of how a summary-statistics file was read: the column mapping (printed by
// `ingest`/`qc`, stored with the ingest, shown by `audit`) and the rows set aside per rule.
import { SUMSTATS_ROLES } from '../../contracts/sumstats.js';
import type { SumstatsTable } from './types.js';

/** `plink2: snp=ID chrom=#CHROM …` */
export function describeSumstatsColumns(t: { dialect: string; columns: SumstatsTable['columns'] }): string {
  return `${t.dialect}: ${SUMSTATS_ROLES.filter((r) => t.columns[r] !== undefined).map((r) => `${r}=${t.columns[r]}`).join(' ')}`;
}

/** Rows set aside per QC rule, in rule order of first appearance. */
export function rejectedByRule(t: Pick<SumstatsTable, 'rejected'>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of t.rejected) out[r.rule] = (out[r.rule] ?? 0) + 1;
  return out;
}
