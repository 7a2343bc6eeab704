// A1 frequencies of the scored samples themselves, for `--allow-sample-freq` only: imputing a
// missing call from the very samples being scored leaks their genotypes into the score (and is
// what PLINK does when no --read-freq is given).
import { alleleFrequencies } from '../genotypes/alleleFrequencies.js';
import { BYTE_TO_DOSAGES, MISSING_DOSAGE } from '../genotypes/bedCodec.js';
import { DOSAGE_MISSING, DOSAGE_SCALE } from '../genotypes/dosageSource.js';
import { SKIP_SAMPLE } from './scoreKernel.js';

export class SampleFrequencies {
  private readonly a1: Float64Array;
  private readonly obs: Float64Array;
  private readonly one = new Float64Array(1);
  private readonly oneObs = new Int32Array(1);
  private next = 0;

  /** `sampleScore`: samples marked SKIP_SAMPLE do not count (null = all count). */
  constructor(
    private readonly variants: Int32Array,
    private readonly nSamples: number,
    private readonly sampleScore: Int32Array | null,
  ) {
    this.a1 = new Float64Array(variants.length);
    this.obs = new Float64Array(variants.length);
  }

  addChunk(packed: Uint8Array, firstVariant: number, nVariants: number, offset = 0): void {
    const bpv = (this.nSamples + 3) >>> 2;
    const end = firstVariant + nVariants;
    for (; this.next < this.variants.length && this.variants[this.next]! < end; this.next++) {
      const r = this.next;
      const at = offset + (this.variants[r]! - firstVariant) * bpv;
      if (this.sampleScore === null) {
        alleleFrequencies(packed, at, 1, this.nSamples, this.one, this.oneObs, 0);
        const alleles = this.oneObs[0]!;
        this.obs[r] = alleles / 2;
        this.a1[r] = alleles > 0 ? Math.round(this.one[0]! * alleles) : 0; // an exact count
        continue;
      }
      let a1 = 0;
      let obs = 0;
      for (let i = 0; i < this.nSamples; i++) {
        if (this.sampleScore[i] === SKIP_SAMPLE) continue;
        const d = BYTE_TO_DOSAGES[(packed[at + (i >>> 2)]! << 2) + (i & 3)]!;
        if (d === MISSING_DOSAGE) continue;
        a1 += d;
        obs++;
      }
      this.a1[r] = a1;
      this.obs[r] = obs;
    }
  }

  /** A1 frequency per variant; NaN where no scored sample has a call. */
  finish(): Float64Array {
    return this.a1.map((a, r) => (this.obs[r]! > 0 ? a / (2 * this.obs[r]!) : NaN));
  }
}

/** The same for dosages (1/16384 units of ALT = A1): the mean dosage / 2 over non-missing samples, as PLINK 2 computes it. */
export class DosageSampleFrequencies {
  private readonly freq: Float64Array;
  private next = 0;

  constructor(
    private readonly variants: Int32Array,
    private readonly nSamples: number,
    private readonly sampleScore: Int32Array | null,
  ) {
    this.freq = new Float64Array(variants.length).fill(NaN);
  }

  addChunk(dosage: Uint16Array, firstVariant: number, nVariants: number): void {
    const n = this.nSamples;
    const end = firstVariant + nVariants;
    for (; this.next < this.variants.length && this.variants[this.next]! < end; this.next++) {
      const at = (this.variants[this.next]! - firstVariant) * n;
      let units = 0; // an exact integer sum (≤ 32768 per sample)
      let obs = 0;
      for (let i = 0; i < n; i++) {
        if (this.sampleScore?.[i] === SKIP_SAMPLE) continue;
        const d = dosage[at + i]!;
        if (d === DOSAGE_MISSING) continue;
        units += d;
        obs++;
      }
      if (obs > 0) this.freq[this.next] = units / (2 * DOSAGE_SCALE * obs);
    }
  }

  /** A1 (ALT) frequency per variant; NaN where no scored sample has a dosage. */
  finish(): Float64Array {
    return this.freq;
  }
}
