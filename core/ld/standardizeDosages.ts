// Dosage rows of a block (1/16384 units of ALT = A1, kept samples only) → standardised rows, as
// standardize.ts does for packed calls: centred on the mean over the samples with a dosage, a
// missing dosage set to that mean (0 after centring), each row scaled to unit norm. A row of
// hard calls gets the .bed path's mean and norm by the same arithmetic in the same order, so a
// hard-call reference gives the .bed's panel bit for bit whichever path its rows take.
import { DOSAGE_MISSING, DOSAGE_SCALE } from '../genotypes/dosageSource.js';
import type { RowScaling } from './standardize.js';

/** Exact: a power of two. */
const PER_UNIT = 1 / DOSAGE_SCALE;

export interface DosageRowSummary {
  /** Samples with a dosage. */
  obs: number;
  /** Σ ALT copies over them: exact (an integer number of units divided by a power of two). */
  copies: number;
  /** Samples with 0, 1 and 2 copies exactly. */
  hom0: number;
  het: number;
  hom2: number;
  /** Every dosage is 0, 1 or 2 copies (or missing). */
  hard: boolean;
  /** At least two different dosages occur. */
  polymorphic: boolean;
}

/** Summary of the n dosages at units[base, base + n). */
export function summarizeDosageRow(units: Uint16Array, base: number, n: number): DosageRowSummary {
  let obs = 0;
  let sum = 0; // units: ≤ 32768 · n, exact in a double
  let het = 0;
  let hom2 = 0;
  // Branch-free (dosages come in no predictable order): all values are equal iff their OR equals
  // their AND, and a fraction of a copy shows in the OR's low 14 bits; u >>> 14 is whole copies.
  let or = 0;
  let and = 0xffff;
  for (let t = 0; t < n; t++) {
    const u = units[base + t]!;
    if (u === DOSAGE_MISSING) continue;
    obs++;
    sum += u;
    or |= u;
    and &= u;
    const k = u >>> 14;
    het += k & 1;
    hom2 += k >>> 1;
  }
  // Counts by class are exact only without fractions; unused otherwise.
  return { obs, copies: sum * PER_UNIT, hom0: obs - het - hom2, het, hom2, hard: (or & (DOSAGE_SCALE - 1)) === 0, polymorphic: obs > 0 && or !== and };
}

/** Centre and scale of each of the m rows of n dosages. */
export function dosageRowScaling(units: Uint16Array, m: number, n: number): RowScaling {
  const mean = new Float64Array(m);
  const scale = new Float64Array(m);
  for (let v = 0; v < m; v++) {
    const base = v * n;
    const s = summarizeDosageRow(units, base, n);
    const mu = s.obs > 0 ? s.copies / s.obs : 0;
    let ss = 0;
    if (s.hard) {
      // standardize.ts's sum by genotype class (hom A1, het, hom A2), term for term.
      ss = s.hom2 * (2 - mu) ** 2 + s.het * (1 - mu) ** 2 + s.hom0 * mu * mu;
    } else {
      for (let t = 0; t < n; t++) {
        const u = units[base + t]!;
        if (u !== DOSAGE_MISSING) ss += (u * PER_UNIT - mu) ** 2;
      }
    }
    mean[v] = mu;
    scale[v] = ss > 0 ? 1 / Math.sqrt(ss) : 0;
  }
  return { mean, scale };
}

/** Standardised values of samples [from, to) into `out`, row-major m × (to − from). */
export function standardizeDosagesInto(units: Uint16Array, m: number, n: number, scaling: RowScaling, from: number, to: number, out: Float64Array): void {
  const width = to - from;
  for (let v = 0; v < m; v++) {
    const base = v * n;
    const mu = scaling.mean[v]!;
    const sc = scaling.scale[v]!;
    const row = v * width - from;
    for (let t = from; t < to; t++) {
      const u = units[base + t]!;
      out[row + t] = u === DOSAGE_MISSING ? 0 : (u * PER_UNIT - mu) * sc;
    }
  }
}
