// Dosages that are all hard calls (0, 1 or 2 copies of ALT, or missing), as in a GT-only VCF or a
// pgen made from a .bed: recognised at ingest, and packed back into .bed codes so that such a
// cohort goes through the .bed kernels and gives the .bed's numbers bit for bit.
import { MISSING_DOSAGE, bytesPerVariant, packVariant } from './bedCodec.js';
import { DOSAGE_MISSING, DOSAGE_SCALE } from './dosageSource.js';

/** Whether every one of the first `length` dosages (1/16384 units) is 0, 1, 2 copies or missing. */
export function allHardCalls(units: Uint16Array, length = units.length): boolean {
  for (let k = 0; k < length; k++) {
    const u = units[k]!;
    if ((u & (DOSAGE_SCALE - 1)) !== 0 && u !== DOSAGE_MISSING) return false;
  }
  return true;
}

/** nVariants × nSamples hard-call dosages as .bed bytes (variant-major, A1 = ALT counted). */
export function packHardCallDosages(units: Uint16Array, nVariants: number, nSamples: number): Uint8Array {
  const bpv = bytesPerVariant(nSamples);
  const out = new Uint8Array(nVariants * bpv);
  const copies = new Uint8Array(nSamples);
  for (let v = 0; v < nVariants; v++) {
    const at = v * nSamples;
    for (let i = 0; i < nSamples; i++) {
      const u = units[at + i]!;
      if (u === DOSAGE_MISSING) copies[i] = MISSING_DOSAGE;
      else if ((u & (DOSAGE_SCALE - 1)) === 0) copies[i] = u / DOSAGE_SCALE;
      else throw new Error(`dosage ${u / DOSAGE_SCALE} of sample ${i + 1} at chunk variant ${v + 1} is not a hard call`);
    }
    packVariant(copies, out, v * bpv);
  }
  return out;
}
