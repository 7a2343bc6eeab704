// The dosage block correlation (1/16384 units, kept samples only): on hard calls it equals the
// packed .bed correlation bit for bit, row by row (so a block mixing hard-call and fractional
// rows keeps the .bed's numbers for the former); on fractional dosages with missing ones it is
// Pearson's r of the mean-imputed dosages. The spill gives back what it was given.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MISSING_DOSAGE, bytesPerVariant, packVariant } from '../../core/genotypes/bedCodec.js';
import { DOSAGE_MISSING, DOSAGE_SCALE } from '../../core/genotypes/dosageSource.js';
import { SAMPLE_CHUNK, blockCorrelation, dosageBlockCorrelation } from '../../core/ld/correlation.js';
import { DosageSpillWriter, openSpillReader } from '../../core/ld/dosageSpill.js';
import { dosageRowScaling } from '../../core/ld/standardizeDosages.js';
import { rowScaling } from '../../core/ld/standardize.js';
import { Rng } from '../../core/numeric/random/rng.js';
import { pearson } from '../helpers/pearson.js';

const dir = mkdtempSync(join(tmpdir(), 'pgsflow-ld-dosage-unit-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const nSamples = 1203; // > 2 sample slices, not a multiple of 4
const m = 24;
const rng = Rng.stream(5);
/** Hard calls with LD and 3 % missing (0..2, MISSING_DOSAGE). */
const calls: Uint8Array[] = [];
let prev = new Uint8Array(nSamples);
for (let v = 0; v < m; v++) {
  const d = new Uint8Array(nSamples);
  for (let s = 0; s < nSamples; s++) d[s] = v > 0 && rng.uniform() < 0.8 && prev[s] !== MISSING_DOSAGE ? prev[s]! : rng.below(3);
  for (let s = 0; s < nSamples; s++) if (rng.uniform() < 0.03) d[s] = MISSING_DOSAGE;
  calls.push(d);
  prev = d;
}
const kept = Int32Array.from({ length: nSamples }, (_, i) => i).filter((i) => i % 7 !== 3);
const n = kept.length;
const toUnits = (c: number): number => (c === MISSING_DOSAGE ? DOSAGE_MISSING : c * DOSAGE_SCALE);
/** Kept samples' units of the hard calls, row-major m × n. */
const hardUnits = Uint16Array.from({ length: m * n }, (_, k) => toUnits(calls[Math.floor(k / n)]![kept[k % n]!]!));

describe('dosage block correlation', () => {
  it.each(['native', 'typescript'] as const)('equals the packed .bed correlation bit for bit on hard calls (%s)', async (backend) => {
    expect(n).toBeGreaterThan(2 * SAMPLE_CHUNK);
    const bpv = bytesPerVariant(nSamples);
    const packed = new Uint8Array(m * bpv);
    calls.forEach((d, v) => packVariant(d, packed, v * bpv));
    const fromBed = await blockCorrelation(packed, m, bpv, kept, backend);
    const fromDosages = await dosageBlockCorrelation(hardUnits, m, n, backend);
    expect(Buffer.from(fromDosages.buffer).equals(Buffer.from(fromBed.buffer))).toBe(true);
    expect(dosageRowScaling(hardUnits, m, n)).toEqual(rowScaling(packed, m, bpv, kept));
  });

  it('is Pearson r of the mean-imputed dosages with fractional rows among hard-call ones', async () => {
    const units = hardUnits.slice();
    // Every other row fractional: its calls moved by up to ± 0.3, kept in [0, 2].
    for (let v = 0; v < m; v += 2)
      for (let t = 0; t < n; t++) {
        const u = units[v * n + t]!;
        if (u !== DOSAGE_MISSING) units[v * n + t] = Math.min(2 * DOSAGE_SCALE, Math.max(0, u + Math.round((rng.uniform() - 0.5) * 0.6 * DOSAGE_SCALE)));
      }
    const rows = Array.from({ length: m }, (_, v) => {
      const d = Array.from(units.subarray(v * n, (v + 1) * n), (u) => (u === DOSAGE_MISSING ? NaN : u / DOSAGE_SCALE));
      const obs = d.filter((x) => !Number.isNaN(x));
      const mean = obs.reduce((a, b) => a + b, 0) / obs.length;
      return d.map((x) => (Number.isNaN(x) ? mean : x));
    });
    for (const backend of ['native', 'typescript'] as const) {
      const r = await dosageBlockCorrelation(units, m, n, backend);
      let worst = 0;
      for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) worst = Math.max(worst, Math.abs(r[i * m + j]! - pearson(rows[i]!, rows[j]!)));
      expect(worst).toBeLessThan(1e-13);
      expect(Math.abs(r[1]!)).toBeGreaterThan(0.3);
    }
  });
});

describe('dosage spill', () => {
  it('gives back hard rows as .bed codes when a block is all hard calls, else every row as units', async () => {
    const w = await DosageSpillWriter.create(join(dir, 'spill'), n);
    const frac = hardUnits.slice(0, n).map((u) => (u === DOSAGE_MISSING ? u : Math.min(2 * DOSAGE_SCALE, u + 3)));
    // Variants: 0..m-1 hard calls, m not stored, m+1 fractional.
    for (let v = 0; v < m; v++) w.add(hardUnits.subarray(v * n, (v + 1) * n), true);
    w.add(null, true);
    w.add(frac, false);
    const spill = await w.finish();
    expect(spill.offset[m]).toBe(-1);
    const reader = await openSpillReader(spill);
    try {
      const hard = await reader.read(Int32Array.of(3, 4, 5, 9));
      expect(hard.kind).toBe('packed');
      if (hard.kind !== 'packed') return;
      const bpv = bytesPerVariant(n);
      expect(hard.bytesPerVariant).toBe(bpv);
      const expected = new Uint8Array(4 * bpv);
      [3, 4, 5, 9].forEach((v, i) => packVariant(Uint8Array.from(kept, (s) => calls[v]![s]!), expected, i * bpv));
      expect(hard.packed).toEqual(expected);

      const mixed = await reader.read(Int32Array.of(m - 1, m + 1, 0));
      expect(mixed.kind).toBe('dosage');
      if (mixed.kind !== 'dosage') return;
      expect(mixed.units.subarray(0, n)).toEqual(hardUnits.subarray((m - 1) * n, m * n));
      expect(mixed.units.subarray(n, 2 * n)).toEqual(frac);
      expect(mixed.units.subarray(2 * n)).toEqual(hardUnits.subarray(0, n));
      await expect(reader.read(Int32Array.of(m))).rejects.toThrow(RangeError);
    } finally {
      await reader.close();
    }
  });
});
