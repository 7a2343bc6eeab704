// Summary statistics of an imputed SNP from its imputed z (DESIGN §5.2): se from the implied
// phenotypic variance V_p at the panel frequency and the median N, b = ẑ·se, p from χ²₁(ẑ²).
import { chiSquareUpperP } from '../numeric/stats/distributions.js';
import type { ImputationScale } from '../../contracts/impute.js';

export interface ImputedStats {
  b: number;
  se: number;
  p: number;
}

/**
 * b, se and p for imputed z `z` at panel A1 frequency `freq`. Null when the panel SNP is
 * monomorphic (2f(1−f) = 0): no per-allele effect can be stated, the SNP is not imputable.
 */
export function imputedStats(z: number, freq: number, scale: ImputationScale): ImputedStats | null {
  const het = 2 * freq * (1 - freq);
  if (!(het > 0)) return null;
  const se = Math.sqrt(scale.vP / (het * (scale.nMed + z * z)));
  return { b: z * se, se, p: chiSquareUpperP(z * z, 1) };
}
