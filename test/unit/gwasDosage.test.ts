// The linear fold GWAS on dosages (pgen / VCF / BGEN cohorts): the native kernel on any thread
// count equals the TypeScript loop bit for bit; hard-call dosages give the .bed path's numbers bit
// for bit; and each fold is the OLS of y ~ C + x over its training samples with a dosage.
import { afterEach, describe, expect, it } from 'vitest';
import { Rng } from '../../core/numeric/random/rng.js';
import { choleskyInPlace, choleskySolveInPlace, invertSpd } from '../../core/numeric/linalg/dense.js';
import { DOSAGE_MISSING, DOSAGE_SCALE } from '../../core/genotypes/dosageSource.js';
import { type GwasResults, type LinearDesign, LinearFoldGwas, allocateResults } from '../../core/gwas/linearFoldGwas.js';
import { loadGwasKernel, setGwasKernelPreference } from '../../core/gwas/nativeGwas.js';

const nSamples = 390;
const nVariants = 120;
const q = 4;
const nGwas = 5;

function design(hardCalls: boolean): { d: LinearDesign; dosage: Uint16Array; packed: Uint8Array; bpv: number } {
  const rng = Rng.stream(31);
  const analysisIndex = new Int32Array(nSamples);
  let n = 0;
  for (let i = 0; i < nSamples; i++) analysisIndex[i] = rng.uniform() < 0.07 ? -1 : n++;
  const covariates = new Float64Array(n * q);
  const y = new Float64Array(n);
  const group = new Int32Array(n);
  for (let a = 0; a < n; a++) {
    covariates[a * q] = 1;
    for (let c = 1; c < q; c++) covariates[a * q + c] = rng.normal();
    y[a] = 0.2 * covariates[a * q + 2]! + rng.normal();
    group[a] = rng.uniform() < 0.1 ? nGwas : Math.floor(rng.uniform() * nGwas);
  }
  const bpv = (nSamples + 3) >>> 2;
  const packed = new Uint8Array(nVariants * bpv);
  const dosage = new Uint16Array(nVariants * nSamples);
  for (let v = 0; v < nVariants; v++) {
    const p = 0.05 + 0.45 * rng.uniform();
    const missingRate = v % 4 === 0 ? 0.05 : 0;
    for (let i = 0; i < nSamples; i++) {
      const calls = v === 5 ? 0 : (rng.uniform() < p ? 1 : 0) + (rng.uniform() < p ? 1 : 0);
      // Imputed-looking dosages: the call blurred by up to ±0.3, kept inside [0, 2].
      const blur = hardCalls || v === 5 ? 0 : Math.round((rng.uniform() - 0.5) * 0.6 * DOSAGE_SCALE);
      const units = Math.min(2 * DOSAGE_SCALE, Math.max(0, calls * DOSAGE_SCALE + blur));
      const missing = rng.uniform() < missingRate;
      dosage[v * nSamples + i] = missing ? DOSAGE_MISSING : units;
      const code = missing ? 1 : calls === 2 ? 0 : calls === 1 ? 2 : 3;
      packed[v * bpv + (i >>> 2)]! |= code << ((i & 3) << 1);
    }
  }
  return { d: { nSamples, analysisIndex, y, covariates, q, group, nGwas }, dosage, packed, bpv };
}

function runDosage(kernel: 'auto' | 'typescript', threads: number, hardCalls: boolean): GwasResults {
  setGwasKernelPreference(kernel);
  process.env.PGSFLOW_GWAS_THREADS = String(threads);
  const { d, dosage } = design(hardCalls);
  const out = allocateResults(nGwas, nVariants);
  const g = new LinearFoldGwas(d);
  g.processDosageChunk(dosage, 50, out, 0);
  g.processDosageChunk(dosage.subarray(50 * nSamples), nVariants - 50, out, 50);
  return out;
}

const bytes = (a: Float64Array | Int32Array | Uint8Array): Buffer => Buffer.from(a.buffer, a.byteOffset, a.byteLength);
const FIELDS = ['b', 'se', 't', 'p', 'freq', 'n', 'err'] as const;

describe('linear fold GWAS on dosages', () => {
  afterEach(() => {
    setGwasKernelPreference('auto');
    delete process.env.PGSFLOW_GWAS_THREADS;
  });

  it('native on 1, 2 and 3 threads equals the TypeScript loop bit for bit', () => {
    expect(loadGwasKernel().error).toBeNull();
    const ts = runDosage('typescript', 1, false);
    for (const threads of [1, 2, 3]) {
      const nat = runDosage('auto', threads, false);
      for (const k of FIELDS) expect(bytes(nat[k]).equals(bytes(ts[k])), `${k} on ${threads} threads`).toBe(true);
    }
    expect(ts.err[5]).toBe(1); // the constant variant: CONST_ALLELE
  });

  it('hard-call dosages give the .bed path numbers bit for bit', () => {
    const fromDosage = runDosage('auto', 2, true);
    const { d, packed, bpv } = design(true);
    const out = allocateResults(nGwas, nVariants);
    new LinearFoldGwas(d).processChunk(packed, nVariants, bpv, out, 0);
    for (const k of FIELDS) expect(bytes(fromDosage[k]).equals(bytes(out[k])), k).toBe(true);
  });

  it('each fold is the OLS of y ~ C + x over its training samples with a dosage', () => {
    const r = runDosage('auto', 2, false);
    const { d, dosage } = design(false);
    for (const [k, v] of [[0, 4], [2, 11], [4, 119], [1, 1]] as const) {
      const p = q + 1;
      const xtx = new Float64Array(p * p);
      const xty = new Float64Array(p);
      const used: { a: number; x: number }[] = [];
      for (let i = 0; i < nSamples; i++) {
        const a = d.analysisIndex[i]!;
        const units = dosage[v * nSamples + i]!;
        if (a < 0 || d.group[a] === k || units === DOSAGE_MISSING) continue;
        const x = units / DOSAGE_SCALE;
        const row = [...Array.from(d.covariates.subarray(a * q, a * q + q)), x];
        for (let s = 0; s < p; s++) {
          xty[s]! += row[s]! * d.y[a]!;
          for (let t = 0; t < p; t++) xtx[s * p + t]! += row[s]! * row[t]!;
        }
        used.push({ a, x });
      }
      const inv = invertSpd(Float64Array.from(xtx), p)!;
      const chol = Float64Array.from(xtx);
      expect(choleskyInPlace(chol, p)).toBe(true);
      const beta = choleskySolveInPlace(chol, p, Float64Array.from(xty));
      let rss = 0;
      let sx = 0;
      for (const { a, x } of used) {
        let fit = beta[q]! * x;
        for (let c = 0; c < q; c++) fit += beta[c]! * d.covariates[a * q + c]!;
        rss += (d.y[a]! - fit) ** 2;
        sx += x;
      }
      const se = Math.sqrt((rss / (used.length - p)) * inv[q * p + q]!);
      const idx = k * nVariants + v;
      expect(r.n[idx]).toBe(used.length);
      expect(r.b[idx]).toBeCloseTo(beta[q]!, 10);
      expect(r.se[idx]! / se).toBeCloseTo(1, 9);
      expect(r.freq[idx]).toBeCloseTo(sx / (2 * used.length), 12);
    }
  });
});
