// Simulated imputation uncertainty (`pgsflow simulate --dosage-noise S`): each called genotype
// g ∈ {0, 1, 2} (ALT = A1 count) becomes the dosage clamp(g + S·z, 0, 2), z ~ N(0, 1), stored
// to PLINK 2's precision (nearest 1/16384). Missing calls stay missing. Each (cohort, variant)
// has its own PRNG stream, so the dosages do not depend on block sizes or write order.
import { DOSAGE_MAX, DOSAGE_MISSING, DOSAGE_SCALE } from '../genotypes/dosageSource.js';
import { MISSING_DOSAGE } from '../genotypes/bedCodec.js';
import { Rng } from '../numeric/random/rng.js';

export const STREAM_DOSAGE_NOISE = 8;

/** The noise stream of `variant` (0-based in the SNP map) in the cohort `cohortKey`. */
export function dosageNoiseStream(seed: number, cohortKey: number, variant: number): Rng {
  return Rng.stream(seed, STREAM_DOSAGE_NOISE, cohortKey, variant);
}

/** Hard calls (0..2, MISSING_DOSAGE) as ALT dosages in 1/16384 units, exactly. */
export function callsToUnits(calls: Uint8Array, out: Uint16Array): void {
  for (let i = 0; i < calls.length; i++) {
    const g = calls[i]!;
    out[i] = g === MISSING_DOSAGE ? DOSAGE_MISSING : g * DOSAGE_SCALE;
  }
}

/** Hard calls blurred by S·N(0, 1), clamped to [0, 2], in 1/16384 units (one normal draw per called sample). */
export function blurCalls(calls: Uint8Array, noise: number, rng: Rng, out: Uint16Array): void {
  for (let i = 0; i < calls.length; i++) {
    const g = calls[i]!;
    if (g === MISSING_DOSAGE) {
      out[i] = DOSAGE_MISSING;
      continue;
    }
    const d = Math.round((g + noise * rng.normal()) * DOSAGE_SCALE);
    out[i] = d < 0 ? 0 : d > DOSAGE_MAX ? DOSAGE_MAX : d;
  }
}
