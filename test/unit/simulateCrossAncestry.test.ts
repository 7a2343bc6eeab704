// `pgsflow simulate --rg R --private-causal F` (issue 21): causal effects correlated, not equal,
// across ancestries, and a fraction of each ancestry's causal variants causal there only. Checked
// from the written files (truth/effects.tsv, the .bed genotypes), not from the simulator's summary:
// the realised correlation of the effects near R, the private fraction exact by construction,
// nothing changed without the options, bad values rejected, and EUR/EAS/AFR founders giving each
// cohort its own frequencies.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCommandArgs } from '../../client/command.js';
import { simulateCommand } from '../../client/commands/simulate.js';
import { ConfigError } from '../../config/errors.js';
import { type SimulateOptionsInput, parseSimulateOptions } from '../../config/simulate.js';
import { parseStudy } from '../../config/study.js';
import { MISSING_DOSAGE, bytesPerVariant, unpackVariant } from '../../core/genotypes/bedCodec.js';
import { equicorrelationFactor } from '../../core/simulate/crossAncestry.js';
import { simulateStudy, simulatedStudyFiles } from '../../core/simulate/simulateStudy.js';
import { column, readTable } from '../helpers/plink2.js';
import { pearson } from '../helpers/pearson.js';
import { THOUSAND_GENOMES } from '../helpers/sharedData.js';
import { makeTmpDir } from '../helpers/tmp.js';

let tmp: { dir: string; cleanup: () => void };
beforeAll(() => {
  tmp = makeTmpDir('simcross');
});
afterAll(() => tmp.cleanup());

async function simulate(name: string, o: SimulateOptionsInput): Promise<string> {
  const dir = join(tmp.dir, name);
  await simulateStudy(parseSimulateOptions(o), dir);
  return dir;
}

const read = (dir: string, f: string): string => readFileSync(join(dir, f), 'utf8');

interface CrossTruth {
  rg: number;
  privateCausal: number;
  causalPerAncestry: number;
  sharedCausal: number;
  privateCausalPerAncestry: number;
  realisedPrivateFraction: number;
  realisedRg: { ancestries: [string, string]; sharedCausal: number; standardised: number; perAllele: number; causalUnion: number }[];
  ancestries: { ancestry: string; pi: number[]; privateCausalSnps: string[] }[];
}

function crossTruth(dir: string): CrossTruth {
  return (JSON.parse(read(dir, 'truth/params.json')) as { crossAncestry: CrossTruth }).crossAncestry;
}

/** truth/effects.tsv with per-ancestry columns, as numbers. */
function effectsOf(dir: string, ancestries: string[]) {
  const t = readTable(join(dir, 'truth/effects.tsv'));
  return {
    snp: column(t, 'SNP'),
    beta: ancestries.map((a) => Float64Array.from(column(t, `beta_${a}`).map(Number))),
    component: ancestries.map((a) => column(t, `component_${a}`).map(Number)),
    causalIn: column(t, 'causal_in'),
  };
}

/** A1 frequencies of a written .bed cohort. */
function bedFrequencies(prefix: string): Float64Array {
  const nSnps = readFileSync(`${prefix}.bim`, 'utf8').trimEnd().split('\n').length;
  const n = readFileSync(`${prefix}.fam`, 'utf8').trimEnd().split('\n').length;
  const bed = readFileSync(`${prefix}.bed`);
  const bpv = bytesPerVariant(n);
  const d = new Uint8Array(n);
  const freq = new Float64Array(nSnps);
  for (let j = 0; j < nSnps; j++) {
    unpackVariant(bed, 3 + j * bpv, n, d);
    let s = 0;
    let c = 0;
    for (const x of d) {
      if (x === MISSING_DOSAGE) continue;
      s += x;
      c += 2;
    }
    freq[j] = s / c;
  }
  return freq;
}

const ANC = ['EUR', 'EAS', 'AFR'];

describe('simulate --rg', () => {
  const R = 0.8;
  // 20,000 SNPs, 10 % causal: ~2,000 causal variants, ~280 of the largest component, enough for
  // the realised correlation (dominated by the large effects) to sit within a few SE of R.
  const opts: SimulateOptionsInput = { ancestries: ANC, samples: [60, 40, 40], refSamples: 10, snps: 20_000, blockSnps: 200, causalFraction: 0.1, rg: R, seed: 3 };
  let dir: string;
  beforeAll(async () => {
    dir = await simulate('rg', opts);
  }, 120_000);

  it('realises effect correlations near R between every two ancestries (from truth/effects.tsv)', () => {
    const e = effectsOf(dir, ANC);
    const shared = e.causalIn.map((w) => w === 'all');
    const nShared = shared.filter(Boolean).length;
    expect(nShared).toBeGreaterThan(1500);
    // No private variants without --private-causal: the causal sets are equal.
    expect(e.causalIn.filter((w) => w !== 'all' && w !== 'none')).toEqual([]);
    const truth = crossTruth(dir);
    for (let a = 0; a < 3; a++) {
      for (let b = a + 1; b < 3; b++) {
        const x = Float64Array.from(e.beta[a]!.filter((_, j) => shared[j]));
        const y = Float64Array.from(e.beta[b]!.filter((_, j) => shared[j]));
        const r = pearson(x, y);
        console.log(`realised rg ${ANC[a]}–${ANC[b]}: per allele ${r.toFixed(3)} (R = ${R}, ${nShared} shared causal variants)`);
        expect(Math.abs(r - R)).toBeLessThan(0.08);
        const rec = truth.realisedRg.find((p) => p.ancestries.join() === `${ANC[a]},${ANC[b]}`)!;
        expect(rec.perAllele).toBeCloseTo(r, 8);
        expect(rec.sharedCausal).toBe(nShared);
        expect(Math.abs(rec.standardised - R)).toBeLessThan(0.08);
        // Not equal effects: no ancestry pair has the same effect at a shared variant.
        expect(x.some((v, j) => v === y[j])).toBe(false);
      }
    }
    expect(truth.rg).toBe(R);
    expect(truth.privateCausal).toBe(0);
  });

  it('keeps the first ancestry exactly as without --rg (effects, causal set, phenotypes)', async () => {
    const plain = await simulate('rg-plain', { ...opts, rg: undefined });
    const base = readTable(join(plain, 'truth/effects.tsv'));
    const e = readTable(join(dir, 'truth/effects.tsv'));
    expect(column(e, 'beta_EUR')).toEqual(column(base, 'beta'));
    expect(column(e, 'component_EUR')).toEqual(column(base, 'component'));
    const eurRows = (d: string): string[] => read(d, 'pheno.tsv').split('\n').filter((l) => l.startsWith('EUR_'));
    expect(eurRows(dir)).toEqual(eurRows(plain));
    expect(readFileSync(join(dir, 'geno/AFR.bed')).equals(readFileSync(join(plain, 'geno/AFR.bed')))).toBe(true);
  }, 60_000);

  it('rg 0 gives uncorrelated and rg 1 equal effects', async () => {
    const zero = effectsOf(await simulate('rg0', { ...opts, rg: 0 }), ANC);
    const shared = zero.causalIn.map((w) => w === 'all');
    const pick = (b: Float64Array): Float64Array => Float64Array.from(b.filter((_, j) => shared[j]));
    expect(Math.abs(pearson(pick(zero.beta[0]!), pick(zero.beta[2]!)))).toBeLessThan(0.1);
    const one = await simulate('rg1', { ...opts, rg: 1 });
    const e = effectsOf(one, ANC);
    expect(Array.from(e.beta[1]!)).toEqual(Array.from(e.beta[0]!));
    expect(Array.from(e.beta[2]!)).toEqual(Array.from(e.beta[0]!));
    // Explicit rg 1 is the default architecture: the same genotypes and phenotypes as without it.
    const plain = join(tmp.dir, 'rg-plain');
    expect(read(one, 'pheno.tsv')).toBe(read(plain, 'pheno.tsv'));
  }, 60_000);

  it('factors the equicorrelation matrix, semidefinite ends included', () => {
    for (const [A, r] of [[2, -1], [3, -0.5], [3, 0.8], [4, 1], [3, 0]] as const) {
      const L = equicorrelationFactor(A, r);
      for (let i = 0; i < A; i++) {
        for (let j = 0; j < A; j++) {
          let s = 0;
          for (let k = 0; k < A; k++) s += L[i]![k]! * L[j]![k]!;
          expect(s, `${A} ${r} ${i} ${j}`).toBeCloseTo(i === j ? 1 : r, 12);
        }
      }
    }
  });
});

describe('simulate --private-causal', () => {
  const F = 0.2;
  const opts: SimulateOptionsInput = { ancestries: ANC, samples: [60, 40, 40], refSamples: 10, snps: 5000, blockSnps: 100, causalFraction: 0.05, rg: 0.8, privateCausal: F, seed: 8 };
  let dir: string;
  beforeAll(async () => {
    dir = await simulate('private', opts);
  }, 60_000);

  it('makes exactly round(F·m) of each ancestry\'s m causal variants private to it', () => {
    const e = effectsOf(dir, ANC);
    const truth = crossTruth(dir);
    const m = e.component[0]!.filter((k) => k > 0).length;
    const q = Math.round(F * m);
    expect(m).toBeGreaterThan(150);
    expect(truth).toMatchObject({ causalPerAncestry: m, privateCausalPerAncestry: q, sharedCausal: m - q, realisedPrivateFraction: q / m });
    ANC.forEach((anc, a) => {
      const causal = e.component[a]!.map((k, j) => (k > 0 ? j : -1)).filter((j) => j >= 0);
      expect(causal, anc).toHaveLength(m);
      const priv = causal.filter((j) => e.causalIn[j] === anc);
      expect(priv, anc).toHaveLength(q);
      expect(causal.filter((j) => e.causalIn[j] === 'all')).toHaveLength(m - q);
      // Private: zero effect and component 0 in every other ancestry; non-zero effect in its own.
      for (const j of priv) {
        ANC.forEach((_, b) => {
          if (b === a) expect(e.beta[b]![j]).not.toBe(0);
          else expect([e.beta[b]![j], e.component[b]![j]]).toEqual([0, 0]);
        });
      }
      expect(truth.ancestries[a]!.privateCausalSnps).toEqual(priv.map((j) => e.snp[j]));
      const pi = truth.ancestries[a]!.pi;
      expect(pi[0]).toBeCloseTo(1 - m / 5000, 12);
    });
    // A SNP is causal somewhere at most in one 'causal_in' category; the union is m − q + 3q.
    expect(e.causalIn.filter((w) => w !== 'none')).toHaveLength(m - q + 3 * q);
  });

  it('writes a cross-ancestry study per further ancestry, every ancestry training', () => {
    expect(simulatedStudyFiles(ANC)).toEqual(['study.json', 'study-cross-ancestry.json', 'study-cross-ancestry-AFR.json']);
    const files = readdirSync(dir).filter((f) => f.startsWith('study')).sort();
    expect(files).toEqual(['study-cross-ancestry-AFR.json', 'study-cross-ancestry.json', 'study.json']);
    const eas = parseStudy(JSON.parse(read(dir, 'study-cross-ancestry.json')));
    const afr = parseStudy(JSON.parse(read(dir, 'study-cross-ancestry-AFR.json')));
    expect(eas.name).toBe('sim_EAS_multi');
    expect(eas.design).toMatchObject({ type: 'cross-ancestry', train: ANC, target: 'EAS' });
    expect(afr.name).toBe('sim_AFR_multi');
    expect(afr.design).toMatchObject({ type: 'cross-ancestry', train: ANC, target: 'AFR' });
  });

  it('fails plainly when too few SNPs are left for the private variants', async () => {
    await expect(simulate('too-few', { ...opts, snps: 200, causalFraction: 0.9, privateCausal: 0.5 })).rejects.toMatchObject({
      name: 'ConfigError',
      issues: [{ field: 'privateCausal' }],
    });
  });
});

describe('simulate without --rg/--private-causal', () => {
  it('writes shared effects in the single beta column, and three-ancestry studies', async () => {
    const dir = await simulate('plain3', { ancestries: ANC, samples: [60, 40, 40], refSamples: 10, snps: 500, blockSnps: 50, seed: 2 });
    expect(read(dir, 'truth/effects.tsv').split('\n')[0]).toBe('SNP\tA1\tbeta\tcomponent');
    const params = JSON.parse(read(dir, 'truth/params.json')) as Record<string, unknown> & { options: Record<string, unknown> };
    expect(params).not.toHaveProperty('crossAncestry');
    expect(Object.keys(params.options)).not.toContain('rg');
    expect(Object.keys(params.options)).not.toContain('privateCausal');
    // Byte-identity of a two-ancestry folder is pinned in simulateInteractions.test.ts.
  }, 60_000);
});

describe('simulate --rg/--private-causal bad values', () => {
  function issueOf(o: SimulateOptionsInput) {
    try {
      parseSimulateOptions({ ancestries: ['EUR', 'EAS'], ...o });
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      return (e as ConfigError).issues[0]!;
    }
    throw new Error('accepted');
  }

  it('are ConfigErrors naming the option', () => {
    for (const R of [1.01, -1.5, 2, Number.NaN]) expect(issueOf({ rg: R }), String(R)).toMatchObject({ field: 'rg', message: expect.stringContaining('--rg') });
    for (const F of [1, 1.2, -0.1, Number.NaN]) expect(issueOf({ privateCausal: F }), String(F)).toMatchObject({ field: 'privateCausal', message: expect.stringContaining('--private-causal') });
    // A single ancestry, and an equal correlation no 3×3 correlation matrix has.
    expect(issueOf({ ancestries: ['EUR'], rg: 0.5 })).toMatchObject({ field: 'rg', message: expect.stringContaining('two ancestries') });
    expect(issueOf({ ancestries: ['EUR'], privateCausal: 0.1 }).field).toBe('privateCausal');
    expect(issueOf({ ancestries: ANC, rg: -0.6 })).toMatchObject({ field: 'rg', message: expect.stringContaining('−1/(A − 1)') });
    expect(issueOf({ ancestries: ANC, ldRho: [0.9, 0.8] }).field).toBe('ldRho');
    // The ends are valid.
    for (const o of [{ rg: -1 }, { rg: 1 }, { privateCausal: 0 }, { ancestries: ANC, rg: -0.5 }]) expect(() => parseSimulateOptions({ ancestries: ['EUR', 'EAS'], ...o })).not.toThrow();
  });

  it('reach the command line as ConfigErrors', async () => {
    const run = (args: string[]) =>
      simulateCommand.run(parseCommandArgs(simulateCommand, ['--out', join(tmp.dir, 'cli-bad'), '--ancestries', 'EUR,EAS', ...args]), { stdout: () => {}, stderr: () => {}, onInterrupt: () => () => {} });
    await expect(run(['--rg', '1.2'])).rejects.toMatchObject({ name: 'ConfigError', issues: [{ field: 'rg' }] });
    await expect(run(['--private-causal', '1'])).rejects.toMatchObject({ name: 'ConfigError', issues: [{ field: 'privateCausal' }] });
  });

  it('the command reports the realised correlations and records the options', async () => {
    const out: string[] = [];
    const dir = join(tmp.dir, 'cli');
    const args = ['--out', dir, '--ancestries', 'EUR,EAS', '--samples', '50', '--ref-samples', '10', '--snps', '2000', '--causal-fraction', '0.1', '--rg=-0.5', '--private-causal', '0.1', '--ld-rho', '0.95,0.8'];
    expect(await simulateCommand.run(parseCommandArgs(simulateCommand, args), { stdout: (t) => out.push(t), stderr: () => {}, onInterrupt: () => () => {} })).toBe(0);
    expect(out.join('')).toMatch(/causal variants per ancestry \d+, \d+ of them private\n.*realised effect correlation EUR–EAS: -?\d\.\d{3} over \d+ shared causal variants \(-?\d\.\d{3} over all causal\)/);
    const params = JSON.parse(read(dir, 'truth/params.json')) as { options: Record<string, unknown> };
    expect(params.options).toMatchObject({ rg: -0.5, privateCausal: 0.1, ldRho: [0.95, 0.8] });
  }, 60_000);
});

describe('simulate --ld-rho per ancestry (synthetic genotypes)', () => {
  it('gives each ancestry its own LD and its own (Balding–Nichols) frequencies', async () => {
    const dir = await simulate('ldrho', { ancestries: ['EUR', 'AFR'], samples: [2000, 2000], refSamples: 10, snps: 400, blockSnps: 100, ldRho: [0.95, 0.6], seed: 4 });
    const adjacentR = (anc: string): number => {
      const prefix = join(dir, 'geno', anc);
      const n = 2000;
      const bed = readFileSync(`${prefix}.bed`);
      const bpv = bytesPerVariant(n);
      const dos = (j: number): Float64Array => {
        const d = new Uint8Array(n);
        unpackVariant(bed, 3 + j * bpv, n, d);
        return Float64Array.from(d);
      };
      let s = 0;
      for (let j = 0; j < 99; j++) s += Math.abs(pearson(dos(j), dos(j + 1)));
      return s / 99;
    };
    const eur = adjacentR('EUR');
    const afr = adjacentR('AFR');
    expect(eur).toBeGreaterThan(afr + 0.1);
    const pe = bedFrequencies(join(dir, 'geno/EUR'));
    const pa = bedFrequencies(join(dir, 'geno/AFR'));
    let d = 0;
    for (let j = 0; j < pe.length; j++) d += Math.abs(pe[j]! - pa[j]!);
    expect(d / pe.length).toBeGreaterThan(0.05);
  }, 60_000);
});

describe('simulate --founders with EUR, EAS and AFR (1000 Genomes)', () => {
  const G = THOUSAND_GENOMES;
  let dir: string;
  beforeAll(async () => {
    dir = await simulate('founders3', {
      ancestries: ANC,
      samples: [600, 600, 600],
      founders: [`${G}chr{21..22}`],
      founderPops: ANC.map((a) => `${G}${a}_IDs.txt`),
      blockSnps: 50,
      causalFraction: 0.1,
      rg: 0.8,
      privateCausal: 0.2,
      seed: 6,
    });
  }, 120_000);

  it('gives each ancestry its own allele frequencies, the founders\'', () => {
    const p = Object.fromEntries(ANC.map((a) => [a, bedFrequencies(join(dir, 'geno', a))]));
    const meanAbs = (x: Float64Array, y: Float64Array): number => x.reduce((s, v, j) => s + Math.abs(v - y[j]!), 0) / x.length;
    const eurAfr = meanAbs(p.EUR!, p.AFR!);
    const eurEas = meanAbs(p.EUR!, p.EAS!);
    console.log(`founders: mean |Δp| EUR–AFR ${eurAfr.toFixed(3)}, EUR–EAS ${eurEas.toFixed(3)}`);
    expect(eurAfr).toBeGreaterThan(0.05);
    expect(eurEas).toBeGreaterThan(0.05);
    // Each cohort's frequencies track its own founders' (the reference panel is the founders).
    for (const a of ANC) {
      const ref = bedFrequencies(join(dir, 'ref', a));
      expect(meanAbs(p[a]!, ref), a).toBeLessThan(0.03);
      expect(meanAbs(p[a]!, ref)).toBeLessThan(meanAbs(p.EUR!, p.AFR!) / 2);
    }
    expect(read(dir, 'ref/AFR.fam').trimEnd().split('\n')).toHaveLength(661);
  });

  it('draws private causal variants that vary in their own ancestry\'s founders', () => {
    const e = effectsOf(dir, ANC);
    const truth = crossTruth(dir);
    expect(truth.privateCausalPerAncestry).toBeGreaterThan(5);
    for (const a of ['EAS', 'AFR']) {
      const ref = bedFrequencies(join(dir, 'ref', a));
      const priv = e.causalIn.map((w, j) => (w === a ? j : -1)).filter((j) => j >= 0);
      expect(priv).toHaveLength(truth.privateCausalPerAncestry);
      for (const j of priv) expect(ref[j]! > 0 && ref[j]! < 1, `${a} ${e.snp[j]}`).toBe(true);
    }
  });
});
