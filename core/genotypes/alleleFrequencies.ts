// A1 allele frequencies and observed allele counts straight from packed .bed bytes, one table
// lookup per byte (four samples) — what `plink2 --freq` reports as ALT_FREQS and OBS_CT.
const BYTE_A1 = new Uint8Array(256); // Σ A1 dosage over the byte's non-missing samples
const BYTE_OBS = new Uint8Array(256); // number of non-missing samples in the byte
for (let b = 0; b < 256; b++) {
  for (let k = 0; k < 4; k++) {
    const code = (b >>> (2 * k)) & 3;
    if (code === 1) continue; // missing
    BYTE_OBS[b]! += 1;
    BYTE_A1[b]! += code === 0 ? 2 : code === 2 ? 1 : 0;
  }
}

/**
 * Frequencies of `nVariants` variants packed at `packed[offset…]`; writes freq (NaN when no
 * call) and observed allele counts (2 × non-missing samples) at `outIndex…`.
 */
export function alleleFrequencies(
  packed: Uint8Array,
  offset: number,
  nVariants: number,
  nSamples: number,
  freq: Float64Array,
  obs: Int32Array,
  outIndex: number,
): void {
  const bpv = (nSamples + 3) >>> 2;
  const full = nSamples >>> 2;
  const rest = nSamples & 3;
  for (let v = 0; v < nVariants; v++) {
    const base = offset + v * bpv;
    let a1 = 0;
    let n = 0;
    for (let b = 0; b < full; b++) {
      const byte = packed[base + b]!;
      a1 += BYTE_A1[byte]!;
      n += BYTE_OBS[byte]!;
    }
    if (rest) {
      // Only the first `rest` samples of the last byte are real; PLINK pads with 00 (hom A1).
      const byte = packed[base + full]!;
      for (let k = 0; k < rest; k++) {
        const code = (byte >>> (2 * k)) & 3;
        if (code === 1) continue;
        n++;
        a1 += code === 0 ? 2 : code === 2 ? 1 : 0;
      }
    }
    freq[outIndex + v] = n > 0 ? a1 / (2 * n) : NaN;
    obs[outIndex + v] = 2 * n;
  }
}
