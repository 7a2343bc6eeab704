// The linear fold GWAS's accumulation: the native kernel (native/gwas.c, any thread count) gives
// the TypeScript loop's numbers bit for bit, and both give the OLS of y ~ C + x on each training
// set's samples that carry the variant (normal equations solved directly here).
import { afterEach, describe, expect, it } from 'vitest';
import { Rng } from '../../core/numeric/random/rng.js';
import { choleskyInPlace, choleskySolveInPlace, invertSpd } from '../../core/numeric/linalg/dense.js';
import { type GwasResults, type LinearDesign, LinearFoldGwas, allocateResults } from '../../core/gwas/linearFoldGwas.js';
import { loadGwasKernel, setGwasKernelPreference } from '../../core/gwas/nativeGwas.js';

const nSamples = 420;
const nVariants = 150;
const q = 4;
const nGwas = 5;

function design(): { d: LinearDesign; packed: Uint8Array; bpv: number } {
  const rng = Rng.stream(23);
  const analysisIndex = new Int32Array(nSamples);
  let n = 0;
  for (let i = 0; i < nSamples; i++) analysisIndex[i] = rng.uniform() < 0.08 ? -1 : n++;
  const covariates = new Float64Array(n * q);
  const y = new Float64Array(n);
  const group = new Int32Array(n);
  for (let a = 0; a < n; a++) {
    covariates[a * q] = 1;
    for (let c = 1; c < q; c++) covariates[a * q + c] = rng.normal();
    y[a] = 0.3 * covariates[a * q + 1]! + rng.normal();
    // A few samples in every training set (group nGwas), the rest held out once.
    group[a] = rng.uniform() < 0.1 ? nGwas : Math.floor(rng.uniform() * nGwas);
  }
  const bpv = (nSamples + 3) >>> 2;
  const packed = new Uint8Array(nVariants * bpv);
  for (let v = 0; v < nVariants; v++) {
    const p = 0.05 + 0.45 * rng.uniform();
    const missingRate = v % 3 === 0 ? 0.03 : 0;
    for (let i = 0; i < nSamples; i++) {
      // .bed codes: 0 hom A1 (2), 2 het (1), 3 hom A2 (0), 1 missing; variant 7 constant.
      const dosage = v === 7 ? 0 : (rng.uniform() < p ? 1 : 0) + (rng.uniform() < p ? 1 : 0);
      const code = rng.uniform() < missingRate ? 1 : dosage === 2 ? 0 : dosage === 1 ? 2 : 3;
      packed[v * bpv + (i >>> 2)]! |= code << ((i & 3) << 1);
    }
  }
  return { d: { nSamples, analysisIndex, y, covariates, q, group, nGwas }, packed, bpv };
}

function run(kernel: 'auto' | 'typescript', threads: number): GwasResults {
  setGwasKernelPreference(kernel);
  process.env.PGSFLOW_GWAS_THREADS = String(threads);
  const { d, packed, bpv } = design();
  const out = allocateResults(nGwas, nVariants);
  const g = new LinearFoldGwas(d);
  // Two chunks of uneven size, as the genotype reader hands them over.
  g.processChunk(packed, 64, bpv, out, 0);
  g.processChunk(packed.subarray(64 * bpv), nVariants - 64, bpv, out, 64);
  return out;
}

const bytes = (a: Float64Array | Int32Array | Uint8Array): Buffer => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

describe('linear fold GWAS accumulation', () => {
  afterEach(() => {
    setGwasKernelPreference('auto');
    delete process.env.PGSFLOW_GWAS_THREADS;
  });

  it('the native kernel is built here', () => {
    expect(loadGwasKernel().error).toBeNull();
  });

  it('native on 1, 2 and 3 threads equals the TypeScript loop bit for bit', () => {
    const ts = run('typescript', 1);
    for (const threads of [1, 2, 3]) {
      const nat = run('auto', threads);
      for (const k of ['b', 'se', 't', 'p', 'freq', 'n', 'err'] as const) expect(bytes(nat[k]).equals(bytes(ts[k])), `${k} on ${threads} threads`).toBe(true);
    }
    expect(ts.err[0 * nVariants + 7]).toBe(1); // the constant variant: CONST_ALLELE
  });

  it('each fold is the OLS of y ~ C + x over its training samples that carry the variant', () => {
    const r = run('auto', 2);
    const { d, packed, bpv } = design();
    for (const [k, v] of [[0, 3], [2, 10], [4, 149], [1, 0]] as const) {
      // Normal equations of [C | x] over training samples of fold k with a call at v.
      const p = q + 1;
      const xtx = new Float64Array(p * p);
      const xty = new Float64Array(p);
      let n = 0;
      const rowsUsed: number[] = [];
      for (let i = 0; i < nSamples; i++) {
        const a = d.analysisIndex[i]!;
        if (a < 0 || d.group[a] === k) continue;
        const code = (packed[v * bpv + (i >>> 2)]! >>> ((i & 3) << 1)) & 3;
        if (code === 1) continue;
        const x = code === 0 ? 2 : code === 2 ? 1 : 0;
        const row = [...Array.from(d.covariates.subarray(a * q, a * q + q)), x];
        for (let s = 0; s < p; s++) {
          xty[s]! += row[s]! * d.y[a]!;
          for (let t = 0; t < p; t++) xtx[s * p + t]! += row[s]! * row[t]!;
        }
        n++;
        rowsUsed.push(a);
      }
      const inv = invertSpd(Float64Array.from(xtx), p)!;
      const chol = Float64Array.from(xtx);
      expect(choleskyInPlace(chol, p)).toBe(true);
      const beta = choleskySolveInPlace(chol, p, Float64Array.from(xty));
      let rss = 0;
      for (const a of rowsUsed) {
        const i = d.analysisIndex.indexOf(a);
        const code = (packed[v * bpv + (i >>> 2)]! >>> ((i & 3) << 1)) & 3;
        const x = code === 0 ? 2 : code === 2 ? 1 : 0;
        let fit = beta[q]! * x;
        for (let c = 0; c < q; c++) fit += beta[c]! * d.covariates[a * q + c]!;
        rss += (d.y[a]! - fit) ** 2;
      }
      const se = Math.sqrt((rss / (n - p)) * inv[q * p + q]!);
      const idx = k * nVariants + v;
      expect(r.n[idx]).toBe(n);
      expect(r.b[idx]).toBeCloseTo(beta[q]!, 10);
      expect(r.se[idx]! / se).toBeCloseTo(1, 9);
    }
  });
});
