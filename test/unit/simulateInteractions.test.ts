// `pgsflow simulate --epistasis F` and `--gxe C:S` (issue 20): the truth is checked from the
// written files (genotypes read back from the .bed, effects.tsv, pheno/covar tables), not from the
// simulator's own summary: the variance split F·h² / (1 − F)·h², S recovered by regressing y on g,
// C and g·C, pairs that are causal SNPs with LD inside cis pairs; absent, every byte as before.
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCommandArgs } from '../../client/command.js';
import { simulateCommand } from '../../client/commands/simulate.js';
import { ConfigError } from '../../config/errors.js';
import { type SimulateOptionsInput, parseSimulateOptions } from '../../config/simulate.js';
import { MISSING_DOSAGE, bytesPerVariant, unpackVariant } from '../../core/genotypes/bedCodec.js';
import { choleskyInPlace, choleskySolveInPlace } from '../../core/numeric/linalg/dense.js';
import { Rng } from '../../core/numeric/random/rng.js';
import { chooseEpistaticPairs, combineGenetics, variance } from '../../core/simulate/interactions.js';
import { simulateStudy } from '../../core/simulate/simulateStudy.js';
import type { SimBlock } from '../../core/simulate/variantMap.js';
import { column, readTable } from '../helpers/plink2.js';
import { pearson } from '../helpers/pearson.js';
import { makeTmpDir } from '../helpers/tmp.js';

let tmp: { dir: string; cleanup: () => void };
beforeAll(() => {
  tmp = makeTmpDir('siminteract');
});
afterAll(() => tmp.cleanup());

async function simulate(name: string, o: SimulateOptionsInput): Promise<string> {
  const dir = join(tmp.dir, name);
  await simulateStudy(parseSimulateOptions(o), dir);
  return dir;
}

/** sha256 over every file of a folder (names and contents). */
function folderDigest(dir: string): string {
  const files = readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => statSync(join(dir, f)).isFile())
    .sort();
  const h = createHash('sha256');
  for (const f of files) h.update(`${f}\0${createHash('sha256').update(readFileSync(join(dir, f))).digest('hex')}\n`);
  return h.digest('hex');
}

/** The study folder read back: SNP-major dosages of the first cohort, and the tables. */
function readStudy(dir: string, ancestry = 'EUR') {
  const bim = readFileSync(join(dir, 'geno', `${ancestry}.bim`), 'utf8').trimEnd().split('\n');
  const ids = bim.map((l) => l.split('\t')[1]!);
  const n = readFileSync(join(dir, 'geno', `${ancestry}.fam`), 'utf8').trimEnd().split('\n').length;
  const bed = readFileSync(join(dir, 'geno', `${ancestry}.bed`));
  const bpv = bytesPerVariant(n);
  const index = new Map(ids.map((id, j) => [id, j]));
  const dosage = (id: string): Uint8Array => {
    const d = new Uint8Array(n);
    unpackVariant(bed, 3 + index.get(id)! * bpv, n, d);
    return d;
  };
  const effects = readTable(join(dir, 'truth/effects.tsv'));
  const additive = new Float64Array(n);
  effects.rows.forEach(([snp, , beta]) => {
    const b = Number(beta);
    if (b === 0) return;
    const d = dosage(snp!);
    for (let i = 0; i < n; i++) if (d[i] !== MISSING_DOSAGE) additive[i]! += b * d[i]!;
  });
  const pheno = readTable(join(dir, 'pheno.tsv'));
  const covar = readTable(join(dir, 'covar.tsv'));
  const y = Float64Array.from(column(pheno, 'trait').slice(0, n).map(Number));
  const cov = (name: string): Float64Array => Float64Array.from(column(covar, name).slice(0, n).map(Number));
  const params = JSON.parse(readFileSync(join(dir, 'truth/params.json'), 'utf8')) as {
    covariateEffects: { sexFemale: number; agePerYear: number; pcs: number[] };
  };
  // The covariates' own (additive) contribution, from the recorded effects.
  const covEffect = new Float64Array(n);
  const sex = cov('sex');
  const age = cov('age');
  const pcs = params.covariateEffects.pcs.map((_, k) => cov(`PC${k + 1}`));
  for (let i = 0; i < n; i++) {
    let c = (sex[i] === 2 ? params.covariateEffects.sexFemale : 0) + params.covariateEffects.agePerYear * (age[i]! - 55);
    pcs.forEach((pc, k) => (c += params.covariateEffects.pcs[k]! * pc[i]!));
    covEffect[i] = c;
  }
  const componentOf = new Map(effects.rows.map((r) => [r[0]!, Number(r[3])]));
  return { n, ids, dosage, additive, y, cov, covEffect, componentOf };
}

interface PairRecord {
  snpA: string;
  snpB: string;
  freqA: number;
  freqB: number;
  gamma: number;
  kind: 'cis' | 'trans';
  blockA: number;
  blockB: number;
}

function readInteraction(dir: string) {
  return JSON.parse(readFileSync(join(dir, 'truth/interaction.json'), 'utf8')) as {
    epistasis: { fraction: number; pairs: number; cisPairs: number; transPairs: number } | null;
    gxe: { covariate: string; slope: number } | null;
    cohorts: { variance: { additive: number; epistatic: number; gxe: number; genetic: number } }[];
    pairs: PairRecord[];
  };
}

/** Σ γ z_a z_b recomputed from the .bed and the recorded pairs. */
function epistaticFromFiles(s: ReturnType<typeof readStudy>, pairs: PairRecord[]): Float64Array {
  const e = new Float64Array(s.n);
  const z = (d: Uint8Array, p: number): Float64Array => Float64Array.from(d, (x) => (x === MISSING_DOSAGE ? 0 : (x - 2 * p) / Math.sqrt(2 * p * (1 - p))));
  for (const p of pairs) {
    const za = z(s.dosage(p.snpA), p.freqA);
    const zb = z(s.dosage(p.snpB), p.freqB);
    for (let i = 0; i < s.n; i++) e[i]! += p.gamma * za[i]! * zb[i]!;
  }
  return e;
}

/** Ordinary least squares coefficients of y on the columns (an intercept is added first). */
function ols(y: Float64Array, columns: Float64Array[]): Float64Array {
  const cols = [new Float64Array(y.length).fill(1), ...columns];
  const k = cols.length;
  const xtx = new Float64Array(k * k);
  const xty = new Float64Array(k);
  for (let a = 0; a < k; a++) {
    for (let b = 0; b <= a; b++) {
      let s = 0;
      for (let i = 0; i < y.length; i++) s += cols[a]![i]! * cols[b]![i]!;
      xtx[a * k + b] = s;
      xtx[b * k + a] = s;
    }
    let s = 0;
    for (let i = 0; i < y.length; i++) s += cols[a]![i]! * y[i]!;
    xty[a] = s;
  }
  if (!choleskyInPlace(xtx, k)) throw new Error('singular design');
  return choleskySolveInPlace(xtx, k, xty);
}

function standardise(x: Float64Array): Float64Array {
  let m = 0;
  for (const v of x) m += v;
  m /= x.length;
  const sd = Math.sqrt(variance(x));
  return Float64Array.from(x, (v) => (v - m) / sd);
}

describe('simulate without --gxe/--epistasis', () => {
  // Pinned digest of this folder from the simulator before the options existed (commit 83ea85a):
  // absent, they must not change a byte of any file. Update only for a deliberate change of output.
  const BEFORE = '1c555b3c9b0d7dc849fc1638d00a4218bf893e437167102e239ab4e1b723cf07';
  const small: SimulateOptionsInput = { ancestries: ['EUR', 'EAS'], samples: [300, 200], refSamples: 50, snps: 400, blockSnps: 50, binaryPrevalence: 0.3, missingRate: 0.01, seed: 7 };

  it('writes every file byte-identical to the simulator before the options', async () => {
    const dir = await simulate('plain', small);
    expect(folderDigest(dir)).toBe(BEFORE);
    const params = JSON.parse(readFileSync(join(dir, 'truth/params.json'), 'utf8')) as { options: Record<string, unknown> };
    expect(Object.keys(params.options)).not.toContain('gxe');
    expect(Object.keys(params.options)).not.toContain('epistasis');
    const explicit = await simulate('plain-undefined', { ...small, gxe: undefined, epistasis: undefined });
    expect(folderDigest(explicit)).toBe(BEFORE);
  }, 60_000);
});

describe('simulate --epistasis', () => {
  const F = 0.4;
  const h2 = 0.5;
  const opts: SimulateOptionsInput = { samples: [4000], refSamples: 20, snps: 1000, blockSnps: 50, causalFraction: 0.04, h2, epistasis: F, seed: 21 };
  let dir: string;
  let s: ReturnType<typeof readStudy>;
  let truth: ReturnType<typeof readInteraction>;
  beforeAll(async () => {
    dir = await simulate('epi', opts);
    s = readStudy(dir);
    truth = readInteraction(dir);
  }, 60_000);

  it('splits h² into (1 − F)·h² additive and F·h² epistatic, recomputed from the genotypes', () => {
    const A = s.additive;
    const E = epistaticFromFiles(s, truth.pairs);
    const g = Float64Array.from(A, (a, i) => a + E[i]!);
    const e = Float64Array.from(s.y, (y, i) => y - s.covEffect[i]! - g[i]!);
    const total = variance(g) + variance(e);
    // By construction var(A) : var(E) = (1 − F) : F exactly, var(g) = h² exactly.
    expect(variance(E) / (variance(A) + variance(E))).toBeCloseTo(F, 6);
    expect(variance(g)).toBeCloseTo(h2, 5);
    // Shares of the phenotype variance (without covariates) within tolerance.
    expect(Math.abs(variance(A) / total - (1 - F) * h2)).toBeLessThan(0.03);
    expect(Math.abs(variance(E) / total - F * h2)).toBeLessThan(0.03);
    expect(Math.abs(variance(g) / total - h2)).toBeLessThan(0.03);
    expect(Math.abs(pearson(g, e))).toBeLessThan(0.05);
    // The recorded split agrees.
    expect(truth.cohorts[0]!.variance.epistatic).toBeCloseTo(variance(E), 5);
    // And truth/genetic.tsv holds the same per-sample values.
    const gt = readTable(join(dir, 'truth/genetic.tsv'));
    const epi = column(gt, 'epistatic').map(Number);
    for (let i = 0; i < s.n; i += 97) expect(epi[i]!).toBeCloseTo(E[i]!, 6);
  });

  it('pairs causal SNPs, each once, half within an LD block (in LD) and half across blocks', () => {
    const { pairs } = truth;
    const causal = [...s.componentOf.values()].filter((k) => k > 0).length;
    expect(pairs.length).toBe(Math.floor(causal / 2));
    const used = pairs.flatMap((p) => [p.snpA, p.snpB]);
    expect(new Set(used).size).toBe(used.length);
    for (const snp of used) expect(s.componentOf.get(snp)).toBeGreaterThan(0);
    const cis = pairs.filter((p) => p.kind === 'cis');
    const trans = pairs.filter((p) => p.kind === 'trans');
    expect(cis.length).toBe(Math.ceil(pairs.length / 2));
    for (const p of cis) expect(p.blockA).toBe(p.blockB);
    for (const p of trans) expect(p.blockA).not.toBe(p.blockB);
    // LD measured from the .bed: cis partners correlate, trans partners do not.
    const meanAbsR = (ps: PairRecord[]): number => ps.reduce((a, p) => a + Math.abs(pearson(s.dosage(p.snpA), s.dosage(p.snpB))), 0) / ps.length;
    expect(meanAbsR(cis)).toBeGreaterThan(0.15);
    expect(meanAbsR(trans)).toBeLessThan(0.05);
  });

  it('chooses the pairs from the seed', async () => {
    const again = readInteraction(await simulate('epi-again', { ...opts, samples: [500] }));
    expect(again.pairs.map((p) => [p.snpA, p.snpB])).toEqual(truth.pairs.map((p) => [p.snpA, p.snpB]));
    const other = readInteraction(await simulate('epi-other', { ...opts, samples: [500], seed: 22 }));
    expect(other.pairs.map((p) => [p.snpA, p.snpB])).not.toEqual(truth.pairs.map((p) => [p.snpA, p.snpB]));
  }, 60_000);
});

describe('simulate --gxe', () => {
  const S = 0.5;
  const base: SimulateOptionsInput = { samples: [4000], refSamples: 20, snps: 600, blockSnps: 50, causalFraction: 0.05, h2: 0.5, seed: 31 };

  /** Regress y on 1, g, z, g·z and the other covariates; g = Σ β x from the files, z = standardised C. */
  function interactionSlope(dir: string, covariate: string): { g: number; gz: number } {
    const s = readStudy(dir);
    const z = standardise(s.cov(covariate));
    const gz = Float64Array.from(s.additive, (g, i) => g * z[i]!);
    const others = ['sex', 'age', ...Array.from({ length: 10 }, (_, k) => `PC${k + 1}`)].filter((c) => c !== covariate).map((c) => s.cov(c));
    const b = ols(s.y, [s.additive, z, gz, ...others]);
    return { g: b[1]!, gz: b[3]! };
  }

  it('recovers S per SD of the covariate from the simulated cohort, and 0 without --gxe', async () => {
    const withGxe = await simulate('gxe', { ...base, gxe: `age:${S}` });
    const fit = interactionSlope(withGxe, 'age');
    expect(Math.abs(fit.gz - S)).toBeLessThan(0.06);
    expect(Math.abs(fit.g - 1)).toBeLessThan(0.06);
    const truth = readInteraction(withGxe);
    expect(truth.gxe).toEqual({ covariate: 'age', slope: S, centring: expect.any(Array) });
    expect(truth.cohorts[0]!.variance.genetic).toBeCloseTo(0.5, 6);
    // About S²/(1 + S²) of the genetic variance is G×E.
    expect(Math.abs(truth.cohorts[0]!.variance.gxe / 0.5 - (S * S) / (1 + S * S))).toBeLessThan(0.03);

    const without = await simulate('no-gxe', base);
    expect(Math.abs(interactionSlope(without, 'age').gz)).toBeLessThan(0.06);
  }, 60_000);

  it('works on a binary covariate (sex, standardised) with a negative slope', async () => {
    const dir = await simulate('gxe-sex', { ...base, samples: [3000], gxe: 'sex:-0.4' });
    expect(Math.abs(interactionSlope(dir, 'sex').gz + 0.4)).toBeLessThan(0.07);
  }, 60_000);
});

describe('combining the genetic parts (pure)', () => {
  it('scales additive and epistatic parts to (1 − F) : F with var(g) = h² in the first cohort', () => {
    const rng = Rng.stream(5, 1);
    const draw = (n: number, sd: number, shift = 0): Float64Array => Float64Array.from({ length: n }, () => shift + sd * rng.normal());
    const additive = [draw(2000, 3, 10), draw(1000, 2)];
    const epistatic = [draw(2000, 0.2), draw(1000, 0.3)];
    const age = [draw(2000, 8, 55), draw(1000, 8, 50)];
    const c = combineGenetics({ h2: 0.3, additive, epistatic, fraction: 0.25, gxe: { slope: 0.4, covariate: age } });
    const p = c.cohorts[0]!;
    expect(variance(p.genetic)).toBeCloseTo(0.3, 12);
    expect(variance(p.epistatic) / (variance(p.additive) + variance(p.epistatic))).toBeCloseTo(0.25, 12);
    // The G×E part is the centred genetic deviation times slope · standardised covariate.
    const z = standardise(age[0]!);
    const ae = Float64Array.from(p.additive, (a, i) => a + p.epistatic[i]!);
    const m = ae.reduce((s, v) => s + v, 0) / ae.length;
    for (let i = 0; i < 2000; i += 111) expect(p.gxe[i]!).toBeCloseTo(0.4 * z[i]! * (ae[i]! - m), 12);
    // Other cohorts: the same scales (one truth), their own variance.
    expect(c.cohorts[1]!.additive[7]!).toBeCloseTo(additive[1]![7]! * c.additiveScale, 12);
    expect(c.cohorts[1]!.epistatic[7]!).toBeCloseTo(epistatic[1]![7]! * c.epistaticScale, 12);
  });

  it('pairs causal SNPs deterministically and disjointly, half of them within a block', () => {
    const nSnps = 400;
    const blocks: SimBlock[] = Array.from({ length: 8 }, (_, b) => ({ first: b * 50, end: (b + 1) * 50, chrom: '1', startBp: 0, endBp: 1 }));
    const component = new Uint8Array(nSnps);
    const rng = Rng.stream(9, 2);
    for (let j = 0; j < nSnps; j++) if (rng.uniform() < 0.08) component[j] = 1 + rng.below(4);
    const freq = new Float64Array(nSnps).fill(0.3);
    const pairs = chooseEpistaticPairs(component, freq, blocks, 4);
    expect(chooseEpistaticPairs(component, freq, blocks, 4)).toEqual(pairs);
    const causal = component.reduce((n, k) => n + (k > 0 ? 1 : 0), 0);
    expect(pairs.length).toBe(Math.floor(causal / 2));
    const used = pairs.flatMap((p) => [p.a, p.b]);
    expect(new Set(used).size).toBe(used.length);
    const cis = pairs.filter((p) => p.kind === 'cis');
    expect(cis.length).toBe(Math.ceil(pairs.length / 2));
    for (const p of cis) expect(Math.floor(p.a / 50)).toBe(Math.floor(p.b / 50));
    for (const j of used) expect(component[j]).toBeGreaterThan(0);
  });
});

describe('bad --gxe and --epistasis values', () => {
  function issueOf(o: SimulateOptionsInput): { field: string; message: string } {
    try {
      parseSimulateOptions(o);
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      return (e as ConfigError).issues[0]!;
    }
    throw new Error('accepted');
  }

  it('are ConfigErrors naming the option', () => {
    expect(issueOf({ gxe: 'height:0.5' })).toMatchObject({ field: 'gxe.covariate', message: expect.stringContaining("unknown covariate 'height'") });
    expect(issueOf({ gxe: 'PC11:1' }).field).toBe('gxe.covariate');
    for (const bad of ['age', 'age:', ':0.5', 'age:x', 'age:0.5:1', 'age:Infinity']) {
      expect(issueOf({ gxe: bad }), bad).toMatchObject({ field: 'gxe', message: expect.stringContaining('expected C:S') });
    }
    for (const F of [1, 1.5, -0.1]) expect(issueOf({ epistasis: F }).field, String(F)).toBe('epistasis');
  });

  it('accepts C:S text or { covariate, slope } and records the latter', () => {
    expect(parseSimulateOptions({ gxe: 'PC3:-0.2' }).gxe).toEqual({ covariate: 'PC3', slope: -0.2 });
    expect(parseSimulateOptions({ gxe: { covariate: 'sex', slope: 1 } }).gxe).toEqual({ covariate: 'sex', slope: 1 });
    expect(parseSimulateOptions({ epistasis: 0 }).epistasis).toBe(0);
  });

  it('refuses epistasis with fewer than two causal SNPs to pair, naming the option', async () => {
    await expect(simulate('one-causal', { samples: [50], refSamples: 10, snps: 10, causalFraction: 0.001, epistasis: 0.5, seed: 1 })).rejects.toMatchObject({
      name: 'ConfigError',
      issues: [{ field: 'epistasis' }],
    });
  });
});

describe('simulate command', () => {
  it('takes --gxe C:S and --epistasis F, says S is per SD, and prints the realised split', async () => {
    expect(simulateCommand.help).toMatch(/--gxe C:S[\s\S]*per SD of C/);
    expect(simulateCommand.help).toMatch(/--epistasis F/);
    const out: string[] = [];
    const dir = join(tmp.dir, 'cli');
    const parsed = parseCommandArgs(simulateCommand, ['--out', dir, '--samples', '400', '--ref-samples', '10', '--snps', '300', '--causal-fraction', '0.05', '--gxe', 'PC1:0.3', '--epistasis', '0.2']);
    const code = await simulateCommand.run(parsed, { stdout: (t) => out.push(t), stderr: () => {}, onInterrupt: () => () => {} });
    expect(code).toBe(0);
    expect(out.join('')).toMatch(/realised h² [0-9.]+ \(additive [0-9.]+, epistatic [0-9.]+, G×E [0-9.]+\)/);
    const params = JSON.parse(readFileSync(join(dir, 'truth/params.json'), 'utf8')) as { options: Record<string, unknown>; interactionTruth: string };
    expect(params.options).toMatchObject({ gxe: { covariate: 'PC1', slope: 0.3 }, epistasis: 0.2 });
    expect(params.interactionTruth).toBe('truth/interaction.json');
  }, 60_000);
});
