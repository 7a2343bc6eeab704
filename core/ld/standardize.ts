// Packed genotypes of a block → standardised dosage rows: A1 dosage centred on its mean among
// the kept samples with a call, missing calls set to that mean (0 after centring), each row
// scaled to unit norm so that Z Zᵀ is the Pearson correlation of the mean-imputed dosages.
// Rows can be produced for a range of samples at a time, so a block's correlation never needs
// the whole m × samples matrix (it would outgrow R itself with a large reference sample).
import { CODE_TO_DOSAGE } from '../genotypes/bedCodec.js';

const MISSING_CODE = 1;

export interface RowScaling {
  /** Mean A1 dosage over the kept samples with a call. */
  mean: Float64Array;
  /** 1 / ‖dosage − mean‖ over those samples; 0 for a row without variation. */
  scale: Float64Array;
}

const codeAt = (packed: Uint8Array, base: number, s: number): number => (packed[base + (s >>> 2)]! >>> ((s & 3) << 1)) & 3;

/** Centre and scale of each of the m packed variants (bytesPerVariant each). */
export function rowScaling(packed: Uint8Array, m: number, bytesPerVariant: number, kept: Int32Array): RowScaling {
  const mean = new Float64Array(m);
  const scale = new Float64Array(m);
  const counts = new Float64Array(4);
  for (let v = 0; v < m; v++) {
    const base = v * bytesPerVariant;
    counts.fill(0);
    for (let t = 0; t < kept.length; t++) counts[codeAt(packed, base, kept[t]!)]!++;
    const obs = counts[0]! + counts[2]! + counts[3]!;
    const mu = obs > 0 ? (2 * counts[0]! + counts[2]!) / obs : 0;
    // Σ (d − μ)² by genotype class: exact, no second pass.
    const ss = counts[0]! * (2 - mu) ** 2 + counts[2]! * (1 - mu) ** 2 + counts[3]! * mu * mu;
    mean[v] = mu;
    scale[v] = ss > 0 ? 1 / Math.sqrt(ss) : 0;
  }
  return { mean, scale };
}

/**
 * Standardised values of kept samples [from, to) into `out`, row-major m × (to − from).
 */
export function standardizeInto(
  packed: Uint8Array,
  m: number,
  bytesPerVariant: number,
  kept: Int32Array,
  scaling: RowScaling,
  from: number,
  to: number,
  out: Float64Array,
): void {
  const width = to - from;
  // Per variant, the standardised value of each 2-bit code: one lookup per sample.
  const byCode = new Float64Array(4);
  for (let v = 0; v < m; v++) {
    const base = v * bytesPerVariant;
    const mu = scaling.mean[v]!;
    const sc = scaling.scale[v]!;
    for (let code = 0; code < 4; code++) byCode[code] = code === MISSING_CODE ? 0 : (CODE_TO_DOSAGE[code]! - mu) * sc;
    const row = v * width;
    for (let t = from; t < to; t++) out[row + t - from] = byCode[codeAt(packed, base, kept[t]!)]!;
  }
}

/** All kept samples at once: row-major m × kept.length. */
export function standardizeRows(packed: Uint8Array, m: number, bytesPerVariant: number, kept: Int32Array): Float64Array {
  const z = new Float64Array(m * kept.length);
  standardizeInto(packed, m, bytesPerVariant, kept, rowScaling(packed, m, bytesPerVariant, kept), 0, kept.length, z);
  return z;
}
