// PLINK 1 .bed 2-bit codes, SNP-major. Per sample (low bits first): 00 hom A1, 01 missing,
// 10 het, 11 hom A2. We count A1 (the .bim 5th column, PLINK 2's ALT), so dosage 2,NA,1,0.

export const BED_MAGIC = Uint8Array.of(0x6c, 0x1b, 0x01);
/** Dosage code used in unpacked arrays for a missing call. */
export const MISSING_DOSAGE = 3;

/** 2-bit code → A1 dosage (3 = missing). */
export const CODE_TO_DOSAGE = Uint8Array.of(2, MISSING_DOSAGE, 1, 0);
/** A1 dosage (0, 1, 2, 3 = missing) → 2-bit code. */
export const DOSAGE_TO_CODE = Uint8Array.of(0b11, 0b10, 0b00, 0b01);

export function bytesPerVariant(nSamples: number): number {
  return (nSamples + 3) >>> 2;
}

/** Pack one variant's dosages (0..2, 3 missing) into `out` at `offset`. */
export function packVariant(dosages: Uint8Array, out: Uint8Array, offset = 0): void {
  const n = dosages.length;
  const full = n >>> 2;
  for (let b = 0; b < full; b++) {
    const i = b << 2;
    out[offset + b] =
      DOSAGE_TO_CODE[dosages[i]!]! |
      (DOSAGE_TO_CODE[dosages[i + 1]!]! << 2) |
      (DOSAGE_TO_CODE[dosages[i + 2]!]! << 4) |
      (DOSAGE_TO_CODE[dosages[i + 3]!]! << 6);
  }
  if (n & 3) {
    let byte = 0;
    for (let i = full << 2, s = 0; i < n; i++, s += 2) byte |= DOSAGE_TO_CODE[dosages[i]!]! << s;
    out[offset + full] = byte; // padding bits stay 00, as PLINK writes them
  }
}

/** For each byte value, its four dosages: a 1 KiB table that makes decoding one lookup per byte. */
export const BYTE_TO_DOSAGES: Uint8Array = (() => {
  const t = new Uint8Array(256 * 4);
  for (let b = 0; b < 256; b++) for (let k = 0; k < 4; k++) t[b * 4 + k] = CODE_TO_DOSAGE[(b >>> (2 * k)) & 3]!;
  return t;
})();

/** Unpack one variant's packed bytes into dosages (3 = missing). */
export function unpackVariant(packed: Uint8Array, offset: number, nSamples: number, out: Uint8Array): void {
  const full = nSamples >>> 2;
  for (let b = 0; b < full; b++) {
    const t = packed[offset + b]! << 2;
    const i = b << 2;
    out[i] = BYTE_TO_DOSAGES[t]!;
    out[i + 1] = BYTE_TO_DOSAGES[t + 1]!;
    out[i + 2] = BYTE_TO_DOSAGES[t + 2]!;
    out[i + 3] = BYTE_TO_DOSAGES[t + 3]!;
  }
  const rest = nSamples & 3;
  if (rest) {
    const t = packed[offset + full]! << 2;
    for (let k = 0; k < rest; k++) out[(full << 2) + k] = BYTE_TO_DOSAGES[t + k]!;
  }
}
