import { describe, expect, it } from 'vitest';
import { MISSING_DOSAGE, bytesPerVariant, packVariant, unpackVariant } from '../../core/genotypes/bedCodec.js';
import { Rng } from '../../core/numeric/random/rng.js';

describe('.bed 2-bit codec', () => {
  it('packs by the PLINK byte layout (hand-checked byte)', () => {
    // samples: hom A1 (00), missing (01), het (10), hom A2 (11) → 0b11_10_01_00 = 0xE4
    const out = new Uint8Array(1);
    packVariant(Uint8Array.of(2, MISSING_DOSAGE, 1, 0), out);
    expect(out[0]).toBe(0xe4);
    // 5 samples → 2 bytes, padding zero bits: second byte holds sample 5 (het = 10) only.
    const out2 = new Uint8Array(2);
    packVariant(Uint8Array.of(0, 0, 0, 0, 1), out2);
    expect(Array.from(out2)).toEqual([0xff, 0b10]);
  });

  it('round-trips any dosages for every remainder of n mod 4', () => {
    const r = Rng.stream(3);
    for (const n of [1, 2, 3, 4, 5, 103, 1000]) {
      const d = Uint8Array.from({ length: n }, () => r.below(4));
      const packed = new Uint8Array(bytesPerVariant(n) + 2);
      packVariant(d, packed, 2);
      const back = new Uint8Array(n);
      unpackVariant(packed, 2, n, back);
      expect(back).toEqual(d);
    }
  });
});
