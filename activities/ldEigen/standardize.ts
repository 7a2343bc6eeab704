// Packed genotypes of a block → standardised dosage rows: A1 dosage centred on its mean among
// the kept samples with a call, missing calls set to that mean (0 after centring), each row
// scaled to unit norm so that Z Zᵀ is the Pearson correlation of the mean-imputed dosages.
import { CODE_TO_DOSAGE } from '../genotypes/bedCodec.js';

const MISSING_CODE = 1;

/**
 * Row-major m × kept.length matrix for the m packed variants in `packed` (bytesPerVariant
 * each). A row without variation is left all 0; callers drop such variants beforehand.
 */
export function standardizeRows(packed: Uint8Array, m: number, bytesPerVariant: number, kept: Int32Array): Float64Array {
  const n = kept.length;
  const z = new Float64Array(m * n);
  for (let v = 0; v < m; v++) {
    const base = v * bytesPerVariant;
    const row = v * n;
    let sum = 0;
    let obs = 0;
    for (let t = 0; t < n; t++) {
      const s = kept[t]!;
      const code = (packed[base + (s >>> 2)]! >>> ((s & 3) << 1)) & 3;
      if (code === MISSING_CODE) z[row + t] = NaN;
      else {
        const d = CODE_TO_DOSAGE[code]!;
        z[row + t] = d;
        sum += d;
        obs++;
      }
    }
    const mean = obs > 0 ? sum / obs : 0;
    let ss = 0;
    for (let t = 0; t < n; t++) {
      const x = z[row + t]!;
      const c = Number.isNaN(x) ? 0 : x - mean;
      z[row + t] = c;
      ss += c * c;
    }
    if (ss > 0) {
      const scale = 1 / Math.sqrt(ss);
      for (let t = 0; t < n; t++) z[row + t] = z[row + t]! * scale;
    }
  }
  return z;
}
