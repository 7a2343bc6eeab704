// Dosage cohorts through the STORE path (ingestInputs → foldGwasInStore / scoreStore) against
// the Debian plink2 (2.00a3.5), on one simulated DS VCF (1,000 samples × 1,500 variants, ~5 %
// missing DS, haploid calls, GT-only and DS-only records, '.' IDs, one multi-allelic record)
// and what plink2 makes of it: a pgen (`--vcf dosage=DS --make-pgen`) and a 16-bit BGEN v1.2
// (`--export bgen-1.2 bits=16 ref-first`: the second allele is ALT, so ingested with refFirst).
// Our ingest reads the bgzipped .vcf.gz and the .bcf with the multi-allelic record (set aside
// and counted). plink2 cannot import a multi-allelic record with dosage=, so it reads copies
// without it (plain .vcf; .bcf written by the same writer). '.' IDs are chr:pos:ref:alt on both
// sides (plink2: --set-missing-var-ids @:#:$r:$a). Then hard calls: a GT-only VCF and the .bed
// plink2 makes of it, as two cohorts of one store, must give bit-identical GWAS and scores.
//
// plink2 runs (after each fileset's load flags):
//   linear:   --pheno pheno.txt --pheno-name y --covar covar.txt --covar-name c1,c2
//             --glm hide-covar omit-ref cols=+a1freq
//   logistic: the same with --pheno-name yb and --glm hide-covar omit-ref no-firth cols=+a1freq,+beta
//             --threads 1 (the thread split decides which variants plink2's SE defect hits; below)
//   score:    --score weights.txt 1 2 header cols=+scoresums --score-col-nums 3-5
//             (no --read-freq: a missing dosage is mean-imputed, 2f over the scored samples)
// plink2 prints 6 significant digits: agreement is checked to that (5e-6 relative, or 1e-5).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IngestInput } from '../../contracts/ingest.js';
import { allSamplesGwasSetName, foldGwasInStore } from '../../core/gwas/gwasStore.js';
import { DOSAGE_MISSING } from '../../core/genotypes/dosageSource.js';
import { cohortLayout, forEachGenotypeChunk } from '../../core/genotypes/storeGenotypes.js';
import { ingestInputs } from '../../core/ingest/ingestInputs.js';
import { Rng } from '../../core/numeric/random/rng.js';
import type { ScoreResult } from '../../core/score/scoreFiles.js';
import { scoreStore } from '../../core/score/scoreStore.js';
import { Store } from '../../core/store/store.js';
import { column, plink2, readTable } from '../helpers/plink2.js';
import { makeTmpDir } from '../helpers/tmp.js';
import { plink2Dosages } from '../helpers/vcfScoreOracle.js';
import { type VcfFile, simulateVcf, writeBcf, writeVcf, writeVcfBgzf } from '../helpers/vcfWriter.js';

const N = 1000;
const M = 1500;
const RUN = 'r1';
const COVARS = ['c1', 'c2'];
const SET_IDS = ['--set-missing-var-ids', '@:#:$r:$a'];

let tmp: { dir: string; cleanup: () => void };
const at = (name: string): string => join(tmp.dir, name);

// A type (not an interface) so that it satisfies Store.all's Record<string, unknown> row type.
type GwasRow = {
  a1: string;
  a2: string;
  freq: number;
  b: number;
  se: number;
  p: number;
  n: number;
};

/** Variant truth from a simulated VCF (biallelic records, IDs as plink2 and our readers name them). */
interface Truth {
  id: string[];
  ref: string[];
  alt: string[];
}

const biallelicOnly = (f: VcfFile): VcfFile => ({ ...f, records: f.records.filter((r) => !r.alt.includes(',')) });

function truthOf(f: VcfFile): Truth {
  const b = biallelicOnly(f).records;
  return { id: b.map((r) => (r.id === '.' ? `${r.chrom}:${r.pos}:${r.ref}:${r.alt}` : r.id)), ref: b.map((r) => r.ref), alt: b.map((r) => r.alt) };
}

function rel(a: number, b: number): number {
  return a === b ? 0 : Math.abs(a - b) / Math.max(Math.abs(b), 1e-300);
}

// ---------------------------------------------------------------------------------------------
// Our side: one genotype input (+ phenotypes, covariates) ingested, GWAS'd and scored in a store

interface CohortRun {
  gwas: Map<string, GwasRow>;
  logistic?: Map<string, GwasRow>;
  score: ScoreResult;
  kind: string;
  sourceFormat: string;
  hardCallsOnly: boolean;
  variants: number;
  /** The stored genotype bytes, all chunks (dosage cohorts: uint16 units, little-endian). */
  genotypes: Uint8Array;
  notes: string[];
}

async function readGwas(store: Store, set: string): Promise<Map<string, GwasRow>> {
  const rows = await store.all<{ snp: string } & GwasRow>(`SELECT snp, a1, a2, freq, b, se, p, n FROM gwas WHERE gwas_set = $s ORDER BY idx`, { s: set });
  return new Map(rows.map((r) => [r.snp, { a1: r.a1, a2: r.a2, freq: r.freq, b: r.b, se: r.se, p: r.p, n: r.n }]));
}

async function analyse(store: Store, cohort: string, weights: string, logistic: boolean): Promise<Omit<CohortRun, 'notes'>> {
  const layout = await cohortLayout(store, cohort);
  const base = { cohort, phenoDataset: 'ph', covarDataset: 'cv', covarNames: COVARS };
  await foldGwasInStore(store, { ...base, runId: RUN, phenoName: 'y', model: 'linear' });
  const gwas = await readGwas(store, allSamplesGwasSetName(RUN, cohort));
  let log: Map<string, GwasRow> | undefined;
  if (logistic) {
    await foldGwasInStore(store, { ...base, runId: 'log', phenoName: 'yb', model: 'logistic' });
    log = await readGwas(store, allSamplesGwasSetName('log', cohort));
  }
  const score = await scoreStore(store, { cohort, weights: [weights], allowSampleFreq: true });
  const parts: Uint8Array[] = [];
  await forEachGenotypeChunk(store, cohort, (c) => void parts.push(c.packed.slice()));
  return { gwas, ...(log ? { logistic: log } : {}), score, kind: layout.kind, sourceFormat: layout.sourceFormat, hardCallsOnly: layout.hardCallsOnly, variants: layout.nVariants, genotypes: Buffer.concat(parts) };
}

const sampleInputs = (): IngestInput[] => [
  { kind: 'pheno', paths: [at('pheno.txt')], name: 'ph' },
  { kind: 'covar', paths: [at('covar.txt')], name: 'cv' },
];

/** A fresh store with one genotype input, the phenotypes and the covariates. */
async function runCohort(storeName: string, genotype: IngestInput, weights: string, logistic = false): Promise<CohortRun> {
  const store = await Store.open(at(storeName));
  try {
    const reports = await ingestInputs(store, [genotype, ...sampleInputs()]);
    return { ...(await analyse(store, genotype.name!, weights, logistic)), notes: reports[0]!.notes };
  } finally {
    store.close();
  }
}

// ---------------------------------------------------------------------------------------------
// plink2's side

type GlmRow = GwasRow & {
  ref: string;
  alt: string;
  err: string;
};

/** A .glm.linear / .glm.logistic table by ID, in file order. */
function readGlm(path: string): Map<string, GlmRow> {
  const t = readTable(path);
  const col = (n: string): number => {
    const i = t.header.indexOf(n);
    if (i < 0) throw new Error(`${path}: no column ${n} in ${t.header.join(' ')}`);
    return i;
  };
  const [id, ref, alt, a1, obs, beta, se, p, freq] = ['ID', 'REF', 'ALT', 'A1', 'OBS_CT', 'BETA', t.header.includes('SE') ? 'SE' : 'LOG(OR)_SE', 'P', 'A1_FREQ'].map(col) as number[];
  const err = t.header.indexOf('ERRCODE');
  const m = new Map<string, GlmRow>();
  for (const r of t.rows) {
    m.set(r[id!]!, {
      ref: r[ref!]!,
      alt: r[alt!]!,
      a1: r[a1!]!,
      a2: r[ref!]!,
      n: Number(r[obs!]),
      b: Number(r[beta!]),
      se: Number(r[se!]),
      p: Number(r[p!]),
      freq: Number(r[freq!]),
      err: err >= 0 ? r[err]! : '.',
    });
  }
  return m;
}

/** plink2 --glm (linear; logistic if asked) and --score on one fileset; returns the output prefix. */
function plinkRuns(name: string, load: string[], weights: string, logistic = false): string {
  const out = at(`pl_${name}`);
  const pheno = ['--pheno', at('pheno.txt'), '--covar', at('covar.txt'), '--covar-name', COVARS.join(',')];
  plink2([...load, ...pheno, '--pheno-name', 'y', '--glm', 'hide-covar', 'omit-ref', 'cols=+a1freq', '--out', out]);
  if (logistic) plink2([...load, ...pheno, '--pheno-name', 'yb', '--glm', 'hide-covar', 'omit-ref', 'no-firth', 'cols=+a1freq,+beta', '--threads', '1', '--out', out]);
  plink2([...load, '--score', weights, '1', '2', 'header', 'cols=+scoresums', '--score-col-nums', '3-5', '--out', out]);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Comparisons

interface LinearErrors {
  compared: number;
  b: number;
  se: number;
  p: number;
  freq: number;
}

/** The same variants in file order, A1 = ALT (A2 = REF), OBS_CT equal; the worst relative errors. */
function checkVariants(ours: Map<string, GwasRow>, plink: Map<string, GlmRow>, truth: Truth): void {
  expect([...plink.keys()]).toEqual(truth.id);
  expect([...ours.keys()]).toEqual(truth.id);
  truth.id.forEach((snp, j) => {
    const pl = plink.get(snp)!;
    const o = ours.get(snp)!;
    expect(pl.err, `${snp}: plink2 ERRCODE`).toBe('.');
    expect([pl.ref, pl.alt, pl.a1], snp).toEqual([truth.ref[j], truth.alt[j], truth.alt[j]]);
    expect([o.a1, o.a2, o.n], snp).toEqual([truth.alt[j], truth.ref[j], pl.n]);
  });
}

function compareLinear(ours: Map<string, GwasRow>, plink: Map<string, GlmRow>, truth: Truth): LinearErrors {
  checkVariants(ours, plink, truth);
  const e: LinearErrors = { compared: 0, b: 0, se: 0, p: 0, freq: 0 };
  for (const [snp, pl] of plink) {
    const o = ours.get(snp)!;
    e.b = Math.max(e.b, rel(o.b, pl.b));
    e.se = Math.max(e.se, rel(o.se, pl.se));
    e.p = Math.max(e.p, rel(o.p, pl.p));
    e.freq = Math.max(e.freq, rel(o.freq, pl.freq));
    e.compared++;
  }
  return e;
}

/** plink2 --score against scoreStore: ALLELE_CT exactly; sums and named dosage to 6 significant digits. */
function compareScores(ours: ScoreResult, out: string): { sum: number; named: number } {
  const t = readTable(`${out}.sscore`);
  const iid = column(t, 'IID');
  // From a VCF/pgen/BGEN without FIDs plink2 prints no FID column; we give them FID 0.
  const fid = t.header.includes('FID') ? column(t, 'FID') : iid.map(() => '0');
  expect(fid.map((f, r) => `${f} ${iid[r]}`)).toEqual(ours.fid.map((f, i) => `${f} ${ours.iid[i]}`));
  expect(ours.names.length).toBe(3);
  expect(column(t, 'ALLELE_CT').map(Number)).toEqual(Array.from(ours.sums.alleleCount));
  const worst = { sum: 0, named: 0 };
  const printed = (p: number, o: number): number => {
    // 6 significant digits: |printed − exact| ≤ 5e-6 · |printed| (plus a hair for the binary value).
    expect(Math.abs(p - o)).toBeLessThanOrEqual(5.0001e-6 * Math.abs(p) + 1e-12);
    return rel(o, p);
  };
  column(t, 'NAMED_ALLELE_DOSAGE_SUM').forEach((v, i) => (worst.named = Math.max(worst.named, printed(Number(v), ours.sums.namedDosage[i]!))));
  for (let c = 0; c < 3; c++) {
    const sums = column(t, `SCORE${c + 1}_SUM`).map(Number);
    expect(sums.some((s) => s !== 0)).toBe(true);
    sums.forEach((v, i) => (worst.sum = Math.max(worst.sum, printed(v, ours.sums.scores[i * 3 + c]!))));
  }
  return worst;
}

const asUnits = (b: Uint8Array): Uint16Array => new Uint16Array(b.buffer, b.byteOffset, b.length / 2);

// ---------------------------------------------------------------------------------------------
// An independent double-precision logistic fit (Newton from 0; SE from the inverse information at
// the MLE) on plink2's own dosages, for the logistic SEs plink2 2.00a3.5 gets wrong.

/** Gauss-Jordan inverse of a small symmetric positive-definite matrix. */
function inverse(a: number[][]): number[][] {
  const n = a.length;
  const m = a.map((row, i) => [...row, ...Array.from({ length: n }, (_, j) => (i === j ? 1 : 0))]);
  for (let c = 0; c < n; c++) {
    let piv = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r]![c]!) > Math.abs(m[piv]![c]!)) piv = r;
    [m[c], m[piv]] = [m[piv]!, m[c]!];
    const d = m[c]![c]!;
    for (let k = 0; k < 2 * n; k++) m[c]![k]! /= d;
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = m[r]![c]!;
      for (let k = 0; k < 2 * n; k++) m[r]![k]! -= f * m[c]![k]!;
    }
  }
  return m.map((row) => row.slice(n));
}

/** Logistic regression of y (0/1) on rows x (with the intercept): the last coefficient and its SE. */
function logisticFit(x: number[][], y: number[]): { b: number; se: number } {
  const q = x[0]!.length;
  let beta = new Array<number>(q).fill(0);
  const information = (): { h: number[][]; g: number[] } => {
    const h = Array.from({ length: q }, () => new Array<number>(q).fill(0));
    const g = new Array<number>(q).fill(0);
    x.forEach((xi, i) => {
      let eta = 0;
      for (let k = 0; k < q; k++) eta += xi[k]! * beta[k]!;
      const mu = 1 / (1 + Math.exp(-eta));
      const w = mu * (1 - mu);
      for (let a = 0; a < q; a++) {
        g[a]! += xi[a]! * (y[i]! - mu);
        for (let c = 0; c < q; c++) h[a]![c]! += w * xi[a]! * xi[c]!;
      }
    });
    return { h, g };
  };
  for (let it = 0; it < 30; it++) {
    const { h, g } = information();
    const inv = inverse(h);
    const step = inv.map((row) => row.reduce((s, v, k) => s + v * g[k]!, 0));
    beta = beta.map((b, k) => b + step[k]!);
    if (step.reduce((s, v) => s + Math.abs(v), 0) < 1e-13) break;
  }
  const inv = inverse(information().h);
  return { b: beta[q - 1]!, se: Math.sqrt(inv[q - 1]![q - 1]!) };
}

// ---------------------------------------------------------------------------------------------
// Simulated files

let ds: VcfFile;
let dsTruth: Truth;
let gt: VcfFile;
let gtTruth: Truth;
/** Per sample (VCF order): phenotypes and covariates as written (NaN = NA). */
const samples = { iid: [] as string[], y: [] as number[], yb: [] as number[], c1: [] as number[], c2: [] as number[] };
const plinkOut: Record<string, string> = {};

/** Phenotypes (#IID y yb; ~2 % NA) and covariates (FID 0, ~1 % NA c1), from a few DS values. */
function writeSampleFiles(f: VcfFile): void {
  const rng = Rng.stream(2024);
  const causal = biallelicOnly(f).records.filter((r) => r.format === 'GT:DS').slice(0, 400).filter((_, k) => k % 40 === 7);
  expect(causal.length).toBe(10);
  const pheno = ['#IID y yb'];
  const covar = ['FID IID c1 c2'];
  const y = f.samples.map((_, i) => {
    const g = causal.reduce((s, r, k) => {
      const d = r.samples[i]!.split(':')[1];
      return s + (d === undefined || d === '.' ? 0 : Number(d)) * (k % 2 === 0 ? 0.4 : -0.3);
    }, 0);
    samples.c1.push(rng.normal());
    samples.c2.push(rng.normal());
    return g + 0.3 * samples.c1[i]! - 0.2 * samples.c2[i]! + rng.normal();
  });
  const cut = [...y].sort((a, b) => a - b)[Math.floor(0.65 * N)]!;
  f.samples.forEach((iid, i) => {
    const na = rng.uniform() < 0.02;
    samples.iid.push(iid);
    samples.y.push(na ? NaN : Number(y[i]!.toFixed(6)));
    samples.yb.push(na ? NaN : y[i]! + 0.5 * rng.normal() > cut ? 2 : 1);
    if (rng.uniform() < 0.01) samples.c1[i] = NaN;
    samples.c1[i] = Number(samples.c1[i]!.toFixed(6));
    samples.c2[i] = Number(samples.c2[i]!.toFixed(6));
    const text = (v: number): string => (Number.isNaN(v) ? 'NA' : String(v));
    pheno.push(`${iid} ${text(samples.y[i]!)} ${text(samples.yb[i]!)}`);
    covar.push(`0 ${iid} ${text(samples.c1[i]!)} ${text(samples.c2[i]!)}`);
  });
  writeFileSync(at('pheno.txt'), `${pheno.join('\n')}\n`);
  writeFileSync(at('covar.txt'), `${covar.join('\n')}\n`);
}

/** Three weight columns on ~60 % of the variants; ~30 % name REF; column 3 is 0 on a fifth of its rows. */
function writeWeights(path: string, truth: Truth, seed: number): void {
  const rng = Rng.stream(seed);
  const lines = ['ID A1 w1 w2 w3'];
  let onRef = 0;
  truth.id.forEach((id, j) => {
    if (rng.uniform() >= 0.6) return;
    const ref = rng.uniform() < 0.3;
    if (ref) onRef++;
    const w = [rng.normal() * 0.1, rng.normal() * 0.01, rng.uniform() < 0.2 ? 0 : rng.normal()];
    lines.push(`${id} ${ref ? truth.ref[j] : truth.alt[j]} ${w.map((v) => v.toPrecision(8)).join(' ')}`);
  });
  expect(lines.length - 1).toBeGreaterThan(0.55 * M);
  expect(onRef).toBeGreaterThan(0.25 * (lines.length - 1));
  writeFileSync(path, `${lines.join('\n')}\n`);
}

beforeAll(() => {
  tmp = makeTmpDir('dosage-cohorts');
  ds = simulateVcf('DS', N, M, 5);
  dsTruth = truthOf(ds);
  expect(dsTruth.id.length).toBe(M);
  writeVcfBgzf(at('ds.vcf.gz'), ds);
  writeBcf(at('ds.bcf'), ds);
  writeVcf(at('ds_plink.vcf'), biallelicOnly(ds));
  writeBcf(at('ds_plink.bcf'), biallelicOnly(ds));
  writeSampleFiles(ds);
  writeWeights(at('weights.txt'), dsTruth, 77);
  const vcfLoad = ['--vcf', at('ds_plink.vcf'), 'dosage=DS', ...SET_IDS];
  plink2([...vcfLoad, '--make-pgen', '--out', at('ds')]);
  plink2(['--pfile', at('ds'), '--export', 'bgen-1.2', 'bits=16', 'ref-first', '--out', at('ds')]);
  plinkOut.vcf = plinkRuns('vcf', vcfLoad, at('weights.txt'));
  plinkOut.bcf = plinkRuns('bcf', ['--bcf', at('ds_plink.bcf'), 'dosage=DS', ...SET_IDS], at('weights.txt'));
  plinkOut.pgen = plinkRuns('pgen', ['--pfile', at('ds')], at('weights.txt'), true);
  plinkOut.bgen = plinkRuns('bgen', ['--bgen', at('ds.bgen'), 'ref-first', '--sample', at('ds.sample')], at('weights.txt'));

  // Hard calls: the GT VCF as is for us, and plink2's .bed of it (multi-allelic record dropped).
  gt = simulateVcf('GT', N, M, 6);
  gtTruth = truthOf(gt);
  writeVcfBgzf(at('gt.vcf.gz'), gt);
  writeWeights(at('weights_gt.txt'), gtTruth, 78);
  plink2(['--vcf', at('gt.vcf.gz'), '--max-alleles', '2', ...SET_IDS, '--make-bed', '--out', at('gt')]);
  plinkOut.bed = plinkRuns('bed', ['--bfile', at('gt')], at('weights_gt.txt'));
}, 120_000);

afterAll(() => tmp?.cleanup());

const FORMATS = [
  { name: 'pgen', plink: 'pgen', input: (): IngestInput => ({ kind: 'pfile', paths: [at('ds')], name: 'pg' }) },
  { name: 'vcf.gz', plink: 'vcf', input: (): IngestInput => ({ kind: 'vcf', paths: [at('ds.vcf.gz')], name: 'vcfgz', dosageField: 'DS' }) },
  { name: 'bcf', plink: 'bcf', input: (): IngestInput => ({ kind: 'vcf', paths: [at('ds.bcf')], name: 'bcf', dosageField: 'DS' }) },
  { name: 'bgen', plink: 'bgen', input: (): IngestInput => ({ kind: 'bgen', paths: [at('ds.bgen')], name: 'bgen', sample: at('ds.sample'), refFirst: true }) },
] as const;

const runs: Record<string, CohortRun> = {};

describe('dosage cohorts in the store equal plink2 on the same file', () => {
  for (const f of FORMATS) {
    it(`${f.name}: every variant's linear GWAS (two covariates) and the three-column score`, async () => {
      const run = await runCohort(`store_${f.name}`, f.input(), at('weights.txt'), f.name === 'pgen');
      runs[f.name] = run;
      expect([run.kind, run.hardCallsOnly, run.variants]).toEqual(['dosage', false, M]);
      if (f.name === 'vcf.gz' || f.name === 'bcf') expect(run.notes).toEqual([expect.stringMatching(/^1 record\(s\) set aside: .*multi-allelic.*\(e\.g\. multi1 /)]);
      else expect(run.notes).toEqual([]);
      // Missing dosages (DS and GT both missing: ~0.9 %) are there to be imputed / dropped.
      expect(asUnits(run.genotypes).filter((d) => d === DOSAGE_MISSING).length).toBeGreaterThan(0.005 * N * M);
      const g = compareLinear(run.gwas, readGlm(`${plinkOut[f.plink]}.y.glm.linear`), dsTruth);
      expect(g.compared).toBe(M);
      expect(g.b).toBeLessThan(1e-5);
      expect(g.se).toBeLessThan(1e-5);
      expect(g.p).toBeLessThan(1e-5);
      expect(g.freq).toBeLessThan(1e-5);
      const s = compareScores(run.score, plinkOut[f.plink]!);
      console.log(`${f.name} vs plink2 (max rel): linear b ${g.b.toExponential(2)}, se ${g.se.toExponential(2)}, p ${g.p.toExponential(2)}, A1 freq ${g.freq.toExponential(2)}; score sums ${s.sum.toExponential(2)}, named dosage ${s.named.toExponential(2)}`);
    });
  }

  // plink2 2.00a3.5 fits logistic models in single precision from a zero start and stops at
  // Σ|Δβ| < 1e-4, so its betas are good to a few 1e-6 standard errors, not 1e-4 relative near
  // β = 0: beta is held to 1e-4 · max(|β|, SE). Its SE has a defect: the intercept column of its
  // non-missing-sample predictor matrix is refilled only when the previous variant had missing
  // genotypes (`if (!prev_nm) FillFVec(...)`, plink2_glm_logistic.cc), so on a variant with
  // missing genotypes right after one with none, the 4-float vector padding past the observed
  // samples keeps 1s in the intercept row; they inflate XᵀVX but evidently not the gradient (β
  // agrees), so the genotype's SE comes out too small (here up to 0.3 %). This rule (previous
  // OBS_CT = all analysis samples, this OBS_CT smaller and not a multiple of 4; --threads 1 keeps
  // "previous" the previous line) picks out exactly the variants whose SE is off. There SE is
  // held instead to an independent double-precision fit on plink2's own dosages, as are all
  // variants' β and SE.
  it('pgen: logistic GWAS equals plink2 --glm no-firth, and a double-precision fit exactly', () => {
    const ours = runs.pgen!.logistic!;
    const plink = readGlm(`${plinkOut.pgen}.yb.glm.logistic`);
    checkVariants(ours, plink, dsTruth);
    const nAll = samples.iid.filter((_, i) => [samples.yb[i], samples.c1[i], samples.c2[i]].every((v) => !Number.isNaN(v))).length;
    const obs = [...plink.values()].map((r) => r.n);
    expect(Math.max(...obs)).toBe(nAll);
    const defect = obs.map((n, j) => j > 0 && obs[j - 1] === nAll && n < nAll && n % 4 !== 0);
    let worstB = 0;
    let worstSe = 0;
    let worstLnP = 0;
    let defectSe = 0;
    dsTruth.id.forEach((snp, j) => {
      const o = ours.get(snp)!;
      const pl = plink.get(snp)!;
      worstB = Math.max(worstB, Math.abs(o.b - pl.b) / Math.max(Math.abs(pl.b), pl.se));
      if (defect[j]) {
        // Beyond print precision, and plink2's the smaller: the padding adds to the information.
        expect(rel(o.se, pl.se), `${snp}: SE off in plink2`).toBeGreaterThan(1e-5);
        expect(pl.se, snp).toBeLessThan(o.se);
        defectSe = Math.max(defectSe, rel(o.se, pl.se));
        return;
      }
      worstSe = Math.max(worstSe, rel(o.se, pl.se));
      worstLnP = Math.max(worstLnP, Math.abs(Math.log(o.p) - Math.log(pl.p)) / Math.max(1, Math.abs(Math.log(pl.p))));
    });
    expect(worstB).toBeLessThan(1e-4);
    expect(worstSe).toBeLessThan(1e-4);
    expect(worstLnP).toBeLessThan(1e-4);

    // The reference: plink2's dosages (exact 1/16384 units), samples with yb, c1, c2 and a dosage.
    const oracle = plink2Dosages(tmp.dir, 'logit', { path: at('ds_plink.vcf'), kind: 'vcf', field: 'DS', ids: dsTruth.id, alts: dsTruth.alt });
    expect(oracle.iid).toEqual(samples.iid);
    let refB = 0;
    let refSe = 0;
    dsTruth.id.forEach((snp, j) => {
      const x: number[][] = [];
      const y: number[] = [];
      samples.iid.forEach((_, i) => {
        const d = oracle.dosage[j * N + i]!;
        if (d === DOSAGE_MISSING || Number.isNaN(samples.yb[i]! + samples.c1[i]! + samples.c2[i]!)) return;
        x.push([1, samples.c1[i]!, samples.c2[i]!, d / 16384]);
        y.push(samples.yb[i] === 2 ? 1 : 0);
      });
      const ref = logisticFit(x, y);
      const o = ours.get(snp)!;
      expect(o.n).toBe(x.length);
      refB = Math.max(refB, Math.abs(o.b - ref.b) / ref.se);
      refSe = Math.max(refSe, rel(o.se, ref.se));
    });
    expect(refB).toBeLessThan(1e-9);
    expect(refSe).toBeLessThan(1e-9);
    console.log(
      `pgen logistic: vs plink2 max |Δb|/max(|b|,se) ${worstB.toExponential(2)}, se rel ${worstSe.toExponential(2)}, ln p rel ${worstLnP.toExponential(2)} ` +
        `(${defect.filter(Boolean).length} variants hit by plink2's SE defect, up to ${defectSe.toExponential(2)}); ` +
        `vs double-precision fit |Δb|/se ${refB.toExponential(2)}, se rel ${refSe.toExponential(2)}`,
    );
    expect(defect.filter(Boolean).length).toBeGreaterThan(10);
  });

  // pgen is plink2's import of the VCF text and the BGEN plink2's 16-bit export of the pgen;
  // both round-trip to the same 1/16384 units, so pgen, .vcf.gz and BGEN hold the same dosages
  // and give bit-identical GWAS and scores. The BCF stores DS as float32, which sits on the other
  // side of a 1/32768 rounding boundary from the text for some values: those differ by 1 unit
  // (plink2 reads the BCF the same way, as the BCF comparison above shows).
  it('pgen, .vcf.gz and BGEN cohorts are identical; the BCF differs by float32 DS rounding only', () => {
    for (const f of FORMATS) expect(runs[f.name], `${f.name} ran`).toBeDefined();
    const pg = runs.pgen!;
    for (const name of ['vcf.gz', 'bgen']) {
      const r = runs[name]!;
      expect(Buffer.compare(Buffer.from(r.genotypes), Buffer.from(pg.genotypes)), `${name} stored dosages`).toBe(0);
      expect([...r.gwas]).toEqual([...pg.gwas]);
      expect(Array.from(r.score.sums.scores)).toEqual(Array.from(pg.score.sums.scores));
      expect(Array.from(r.score.sums.alleleCount)).toEqual(Array.from(pg.score.sums.alleleCount));
      expect(Array.from(r.score.sums.namedDosage)).toEqual(Array.from(pg.score.sums.namedDosage));
    }
    const a = asUnits(pg.genotypes);
    const b = asUnits(runs.bcf!.genotypes);
    expect(b.length).toBe(a.length);
    let differ = 0;
    for (let i = 0; i < a.length; i++) {
      if (a[i] === b[i]) continue;
      differ++;
      expect([a[i], b[i]].includes(DOSAGE_MISSING), `BCF vs pgen at ${i}: missingness`).toBe(false);
      expect(Math.abs(a[i]! - b[i]!), `BCF vs pgen at ${i}`).toBe(1);
    }
    expect(differ).toBeGreaterThan(0);
    expect(differ).toBeLessThan(0.01 * N * M);
    let worst = 0;
    for (const [snp, x] of pg.gwas) {
      const y = runs.bcf!.gwas.get(snp)!;
      expect([y.a1, y.a2, y.n]).toEqual([x.a1, x.a2, x.n]);
      worst = Math.max(worst, Math.abs(x.b - y.b) / x.se);
    }
    expect(worst).toBeLessThan(1e-3);
    console.log(`BCF vs pgen: ${differ} of ${N * M} dosages differ by 1/16384; GWAS max |Δb|/se ${worst.toExponential(2)}`);
  });
});

describe('hard calls: a GT-only VCF cohort and plink2\'s .bed of it', () => {
  it('give bit-identical GWAS and scores in one store, equal to plink2', async () => {
    const store = await Store.open(at('store_gt'));
    let vcf: Omit<CohortRun, 'notes'>;
    let bed: Omit<CohortRun, 'notes'>;
    try {
      const reports = await ingestInputs(store, [
        { kind: 'vcf', paths: [at('gt.vcf.gz')], name: 'gtvcf' },
        { kind: 'bfile', paths: [at('gt')], name: 'gtbed' },
        ...sampleInputs(),
      ]);
      expect(reports[0]!.notes).toEqual([expect.stringMatching(/^1 record\(s\) set aside: .*multi-allelic.*\(e\.g\. multi1 /)]);
      vcf = await analyse(store, 'gtvcf', at('weights_gt.txt'), true);
      bed = await analyse(store, 'gtbed', at('weights_gt.txt'), true);
    } finally {
      store.close();
    }
    // The VCF cohort is stored as dosages, recognised at ingest as hard calls only (scoring packs
    // them back into .bed codes for the .bed kernel; the GWAS reads the dosages).
    expect([vcf.kind, vcf.sourceFormat, vcf.hardCallsOnly, vcf.variants]).toEqual(['dosage', 'vcf', true, M]);
    expect([bed.kind, bed.sourceFormat, bed.hardCallsOnly, bed.variants]).toEqual(['hardcall', 'bed', true, M]);
    // Every stored VCF dosage is a whole genotype (0, 1, 2 · 16384) or missing.
    expect(new Set(asUnits(vcf.genotypes))).toEqual(new Set([0, 16384, 32768, DOSAGE_MISSING]));
    expect([...vcf.gwas]).toEqual([...bed.gwas]);
    expect([...vcf.logistic!]).toEqual([...bed.logistic!]);
    expect([vcf.score.fid, vcf.score.iid]).toEqual([bed.score.fid, bed.score.iid]);
    expect(Array.from(vcf.score.sums.scores)).toEqual(Array.from(bed.score.sums.scores));
    expect(Array.from(vcf.score.sums.alleleCount)).toEqual(Array.from(bed.score.sums.alleleCount));
    expect(Array.from(vcf.score.sums.namedDosage)).toEqual(Array.from(bed.score.sums.namedDosage));
    const g = compareLinear(bed.gwas, readGlm(`${plinkOut.bed}.y.glm.linear`), gtTruth);
    expect(g.compared).toBe(M);
    expect(Math.max(g.b, g.se, g.p, g.freq)).toBeLessThan(1e-5);
    const s = compareScores(bed.score, plinkOut.bed!);
    console.log(`GT cohorts: VCF ≡ .bed; .bed vs plink2 linear b ${g.b.toExponential(2)}, se ${g.se.toExponential(2)}, p ${g.p.toExponential(2)}; score sums ${s.sum.toExponential(2)}`);
  });
});
