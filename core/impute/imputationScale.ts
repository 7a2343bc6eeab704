// The two scale figures that give imputed SNPs their sample size and standard
// errors (DESIGN §5.2): N_med = median N and V_p = median of v_j = 2f(1−f)(N·se² + b²), i.e.
// the phenotypic variance each observed SNP implies, which is robust to a few odd rows.
import type { ImputationScale } from '../../contracts/impute.js';
import { median } from '../numeric/stats/median.js';

/** One observed SNP's implied phenotypic variance v_j (f = its A1 frequency in the GWAS). */
export function impliedVariance(freq: number, n: number, b: number, se: number): number {
  return 2 * freq * (1 - freq) * (n * se * se + b * b);
}

/** N_med and V_p over the rows listed in `rows` (indices into the column arrays). */
export function imputationScale(
  rows: Int32Array,
  cols: { freq: Float64Array; n: Float64Array; b: Float64Array; se: Float64Array },
): ImputationScale {
  const ns = new Float64Array(rows.length);
  const vs = new Float64Array(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i]!;
    ns[i] = cols.n[r]!;
    vs[i] = impliedVariance(cols.freq[r]!, cols.n[r]!, cols.b[r]!, cols.se[r]!);
  }
  return { nMed: median(ns), vP: median(vs) };
}
