// The block correlation (standardised dosages, Z Zᵀ) against a direct Pearson correlation of
// the mean-imputed A1 dosages, with missing calls, for both backends.
import { describe, expect, it } from 'vitest';
import { bytesPerVariant, MISSING_DOSAGE, packVariant } from '../../core/genotypes/bedCodec.js';
import { SAMPLE_CHUNK, blockCorrelation, correlationMatrix, gramTs } from '../../core/ld/correlation.js';
import { loadNativeAddon } from '../../core/ld/nativeAddon.js';
import { standardizeRows } from '../../core/ld/standardize.js';
import { Rng } from '../../core/numeric/random/rng.js';
import { pearson } from '../helpers/pearson.js';


/** Missing dosages replaced by the mean of the observed ones among `kept`. */
function meanImputed(d: Uint8Array, kept: Int32Array): number[] {
  const obs = Array.from(kept, (s) => d[s]!).filter((v) => v !== MISSING_DOSAGE);
  const mean = obs.reduce((a, b) => a + b, 0) / obs.length;
  return Array.from(kept, (s) => (d[s] === MISSING_DOSAGE ? mean : d[s]!));
}

describe('block correlation of A1 dosages', () => {
  const nSamples = 1203; // not a multiple of 4 (the last byte is partial); > 2 sample slices
  const m = 30;
  const rng = Rng.stream(42);
  const dosages: Uint8Array[] = [];
  let prev = new Uint8Array(nSamples);
  for (let v = 0; v < m; v++) {
    // Each SNP copies its neighbour with probability 0.8: strong, varied LD; 3 % missing.
    const d = prev.map(() => 0);
    for (let s = 0; s < nSamples; s++) d[s] = v > 0 && rng.uniform() < 0.8 && prev[s] !== MISSING_DOSAGE ? prev[s]! : rng.below(3);
    for (let s = 0; s < nSamples; s++) if (rng.uniform() < 0.03) d[s] = MISSING_DOSAGE;
    dosages.push(d);
    prev = d;
  }
  const bpv = bytesPerVariant(nSamples);
  const packed = new Uint8Array(m * bpv);
  dosages.forEach((d, v) => packVariant(d, packed, v * bpv));
  const kept = Int32Array.from({ length: nSamples }, (_, i) => i).filter((i) => i % 7 !== 3);

  it.each(['native', 'typescript'] as const)('equals Pearson r of mean-imputed dosages over kept samples (%s)', async (backend) => {
    expect(kept.length).toBeGreaterThan(2 * SAMPLE_CHUNK);
    const r = await blockCorrelation(packed, m, bpv, kept, backend);
    const whole = await correlationMatrix(standardizeRows(packed, m, bpv, kept), m, kept.length, backend);
    for (let i = 0; i < r.length; i++) expect(Math.abs(r[i]! - whole[i]!)).toBeLessThan(1e-14);
    let worst = 0;
    for (let i = 0; i < m; i++)
      for (let j = 0; j < m; j++) worst = Math.max(worst, Math.abs(r[i * m + j]! - pearson(meanImputed(dosages[i]!, kept), meanImputed(dosages[j]!, kept))));
    expect(worst).toBeLessThan(1e-13);
    for (let i = 0; i < m; i++) expect(r[i * m + i]).toBe(1);
    expect(Math.abs(r[1]!)).toBeGreaterThan(0.5); // the data do have LD
  });

  it('dsyrk and the TypeScript product agree, overwriting and accumulating', () => {
    const rows = 37;
    const cols = 1001;
    const g = Rng.stream(9);
    const z = Float64Array.from({ length: rows * cols }, () => g.normal());
    const a = new Float64Array(rows * rows).fill(7);
    const b = new Float64Array(rows * rows).fill(7);
    gramTs(z, rows, cols, a);
    loadNativeAddon().addon!.gram(z, rows, cols, b, false, false);
    for (let i = 0; i < a.length; i++) expect(Math.abs(a[i]! - b[i]!)).toBeLessThan(1e-10);
    const twiceA = Float64Array.from(a);
    gramTs(z, rows, cols, twiceA, true);
    loadNativeAddon().addon!.gram(z, rows, cols, b, true, false);
    for (let i = 0; i < a.length; i++) {
      expect(Math.abs(twiceA[i]! - 2 * a[i]!)).toBeLessThan(1e-10);
      expect(Math.abs(b[i]! - 2 * a[i]!)).toBeLessThan(1e-10);
    }
    // An empty slice adds nothing (and reads nothing).
    loadNativeAddon().addon!.gram(new Float64Array(0), rows, 0, b, true, false);
    for (let i = 0; i < a.length; i++) expect(Math.abs(b[i]! - 2 * a[i]!)).toBeLessThan(1e-10);
  });
});
