// Lines of the imputed .ma: COJO columns plus `r2` (DESIGN §4: 1 observed, 0 imputed, −1 not
// imputable) and `info`, the imputation quality R̃_IT R̃_TT⁻¹ R̃_TI (1 observed, 0 not imputable).
import type { ImputedStats } from './imputedStats.js';

export const IMPUTED_HEADER = 'SNP A1 A2 freq b se p N r2 info\n';

export const R2_OBSERVED = 1;
export const R2_IMPUTED = 0;
export const R2_NOT_IMPUTABLE = -1;

export interface PanelSnp {
  id: string;
  a1: string;
  a2: string;
  /** Panel A1 frequency (printed as its shortest round-trip text). */
  freq: number;
}

const num = (x: number, digits: number): string => (x === 0 ? '0' : x.toPrecision(digits));

/** `numbers` = the observed row's `freq b se p N` exactly as the input wrote them. */
export function observedLine(snp: PanelSnp, numbers: string): string {
  return `${snp.id} ${snp.a1} ${snp.a2} ${numbers} ${R2_OBSERVED} 1\n`;
}

export function imputedLine(snp: PanelSnp, s: ImputedStats, n: number, quality: number): string {
  return `${snp.id} ${snp.a1} ${snp.a2} ${snp.freq} ${num(s.b, 10)} ${num(s.se, 10)} ${num(s.p, 8)} ${n} ${R2_IMPUTED} ${num(quality, 6)}\n`;
}

/** b = 0, se = 1, p = 1: no information, so downstream fits give the SNP no weight. */
export function notImputableLine(snp: PanelSnp, n: number): string {
  return `${snp.id} ${snp.a1} ${snp.a2} ${snp.freq} 0 1 1 ${n} ${R2_NOT_IMPUTABLE} 0\n`;
}
