// `pgsflow simulate` against independent truth: PLINK 2 reads and scores what we write, the
// realised h² matches the request, same seed ⇒ same bytes, founders mode keeps real genotypes.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSimulateOptions } from '../../config/simulate.js';
import { parseStudy } from '../../config/study.js';
import { simulateStudy } from '../../core/simulate/simulateStudy.js';
import { MISSING_DOSAGE, bytesPerVariant, unpackVariant } from '../../core/genotypes/bedCodec.js';
import { column, plink2, readTable } from '../helpers/plink2.js';
import { makeTmpDir, sha256File } from '../helpers/tmp.js';
import { THOUSAND_GENOMES } from '../helpers/sharedData.js';
import { pearson as correlation } from '../helpers/pearson.js';

const THOUSAND_G = THOUSAND_GENOMES;
let tmp: { dir: string; cleanup: () => void };
beforeAll(() => {
  tmp = makeTmpDir('sim');
});
afterAll(() => tmp.cleanup());

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => statSync(join(dir, f)).isFile())
    .sort();
}


function variance(x: Float64Array): number {
  let m = 0;
  for (const v of x) m += v;
  m /= x.length;
  let s = 0;
  for (const v of x) s += (v - m) ** 2;
  return s / (x.length - 1);
}

describe('simulate (synthetic LD)', () => {
  const opts = parseSimulateOptions({ ancestries: ['EUR', 'EAS'], samples: [5000, 1000], refSamples: 500, snps: 2000, blockSnps: 100, h2: 0.4, binaryPrevalence: 0.2, seed: 11 });
  let dir: string;
  beforeAll(async () => {
    dir = join(tmp.dir, 'a');
    await simulateStudy(opts, dir);
  }, 120_000);

  it('writes the whole study folder, and valid study files for both designs', () => {
    expect(filesUnder(dir)).toEqual(
      [
        'annot.tsv', 'blocks.tsv', 'covar.tsv', 'pheno.tsv', 'study-cross-ancestry.json', 'study.json',
        'truth/effects.tsv', 'truth/params.json',
        ...['geno', 'ref'].flatMap((r) => ['EAS', 'EUR'].flatMap((a) => ['bed', 'bim', 'fam'].map((x) => `${r}/${a}.${x}`))),
      ].sort(),
    );
    const cv = parseStudy(JSON.parse(readFileSync(join(dir, 'study.json'), 'utf8')));
    expect(cv.design).toEqual({ type: 'cross-validation', folds: 10, ancestry: 'EUR' });
    const multi = parseStudy(JSON.parse(readFileSync(join(dir, 'study-cross-ancestry.json'), 'utf8')));
    expect(multi.design).toMatchObject({ type: 'cross-ancestry', train: ['EUR', 'EAS'], target: 'EAS' });
    expect(multi.inputs.phenotype).toMatchObject({ column: 'trait_binary', type: 'binary', prevalence: 0.2 });
  });

  it('is byte-identical for the same seed and differs for another', async () => {
    const again = join(tmp.dir, 'a-again');
    await simulateStudy(opts, again);
    for (const f of filesUnder(dir)) expect(sha256File(join(again, f)), f).toBe(sha256File(join(dir, f)));
    const other = join(tmp.dir, 'a-other');
    await simulateStudy({ ...opts, seed: 12 }, other);
    expect(sha256File(join(other, 'geno/EUR.bed'))).not.toBe(sha256File(join(dir, 'geno/EUR.bed')));
  }, 120_000);

  it('writes genotypes PLINK 2 reads, with the requested counts', () => {
    plink2(['--bfile', join(dir, 'geno/EUR'), '--freq', '--out', join(dir, 'plink_eur')]);
    const freq = readTable(join(dir, 'plink_eur.afreq'));
    expect(freq.rows).toHaveLength(2000);
    expect(new Set(column(freq, 'OBS_CT'))).toEqual(new Set(['10000'])); // no missing calls requested
    const alt = column(freq, 'ALT_FREQS').map(Number);
    expect(Math.min(...alt)).toBeGreaterThan(0);
    expect(Math.max(...alt)).toBeLessThan(1);
    // PLINK's ALT is our A1: the .bim 5th column.
    const bim = readFileSync(join(dir, 'geno/EUR.bim'), 'utf8').split('\n')[0]!.split('\t');
    expect(freq.rows[0]![freq.header.indexOf('ALT')]).toBe(bim[4]);
  });

  it('realises the requested h² (genetic values from PLINK 2 scoring the true effects)', () => {
    // g = Σ β_j x_ij by PLINK 2; y − covariate effects − g = e; realised h² = var(g)/(var(g)+var(e)).
    plink2(['--bfile', join(dir, 'geno/EUR'), '--score', join(dir, 'truth/effects.tsv'), '1', '2', '3', 'header', 'cols=+scoresums', '--out', join(dir, 'truth_score')]);
    const score = readTable(join(dir, 'truth_score.sscore'));
    const g = Float64Array.from(column(score, 'SCORE1_SUM').map(Number));
    const params = JSON.parse(readFileSync(join(dir, 'truth/params.json'), 'utf8')) as {
      covariateEffects: { sexFemale: number; agePerYear: number; pcs: number[] };
    };
    const pheno = readTable(join(dir, 'pheno.tsv'));
    const covar = readTable(join(dir, 'covar.tsv'));
    const n = g.length;
    expect(n).toBe(5000);
    const e = new Float64Array(n);
    const y = column(pheno, 'trait').map(Number);
    const sex = column(covar, 'sex').map(Number);
    const age = column(covar, 'age').map(Number);
    const pcs = params.covariateEffects.pcs.map((_, k) => column(covar, `PC${k + 1}`).map(Number));
    for (let i = 0; i < n; i++) {
      let cov = (sex[i] === 2 ? params.covariateEffects.sexFemale : 0) + params.covariateEffects.agePerYear * (age[i]! - 55);
      pcs.forEach((pc, k) => (cov += params.covariateEffects.pcs[k]! * pc[i]!));
      e[i] = y[i]! - cov - g[i]!;
    }
    const h2 = variance(g) / (variance(g) + variance(e));
    expect(Math.abs(h2 - 0.4)).toBeLessThan(0.03);
    expect(Math.abs(correlation(g, e))).toBeLessThan(0.05);
  });

  it('gives the binary trait the requested prevalence', () => {
    const pheno = readTable(join(dir, 'pheno.tsv'));
    const eur = column(pheno, 'trait_binary').slice(0, 5000);
    const cases = eur.filter((v) => v === '2').length / eur.length;
    expect(Math.abs(cases - 0.2)).toBeLessThan(0.02);
    expect(new Set(eur)).toEqual(new Set(['1', '2']));
  });

  it('has dense LD inside blocks and none across them', () => {
    const bed = readFileSync(join(dir, 'geno/EUR.bed'));
    const n = 5000;
    const bpv = bytesPerVariant(n);
    const dosage = (j: number): Float64Array => {
      const d = new Uint8Array(n);
      unpackVariant(bed, 3 + j * bpv, n, d);
      return Float64Array.from(d, (x) => (x === MISSING_DOSAGE ? NaN : x));
    };
    let within = 0;
    for (let j = 0; j < 20; j++) within += Math.abs(correlation(dosage(j), dosage(j + 1)));
    expect(within / 20).toBeGreaterThan(0.3);
    // SNP 99 and 100 are in different blocks (block size 100): independent.
    expect(Math.abs(correlation(dosage(99), dosage(100)))).toBeLessThan(0.06);
  });

  it('applies the missing-call rate', async () => {
    const d = join(tmp.dir, 'missing');
    await simulateStudy(parseSimulateOptions({ samples: [2000], refSamples: 20, snps: 500, missingRate: 0.02, seed: 3 }), d);
    plink2(['--bfile', join(d, 'geno/EUR'), '--missing', '--out', join(d, 'miss')]);
    const v = column(readTable(join(d, 'miss.vmiss')), 'F_MISS').map(Number);
    const mean = v.reduce((a, b) => a + b, 0) / v.length;
    expect(Math.abs(mean - 0.02)).toBeLessThan(0.002);
  });
});

describe('simulate (block mosaic of 1000 Genomes founders)', () => {
  it('copies founder genotypes block-wise and uses the founders as the LD reference', async () => {
    const dir = join(tmp.dir, 'founders');
    const summary = await simulateStudy(
      parseSimulateOptions({
        ancestries: ['EUR', 'EAS'],
        samples: [1000, 500],
        founders: [`${THOUSAND_G}chr{21..22}`],
        founderPops: [`${THOUSAND_G}EUR_IDs.txt`, `${THOUSAND_G}EAS_IDs.txt`],
        blockSnps: 50,
        seed: 5,
      }),
      dir,
    );
    const bimLines = (f: string) => readFileSync(f, 'utf8').trimEnd().split('\n');
    const expected = [...bimLines(`${THOUSAND_G}chr21.bim`), ...bimLines(`${THOUSAND_G}chr22.bim`)];
    expect(summary.nSnps).toBe(expected.length);
    expect(bimLines(join(dir, 'geno/EUR.bim')).map((l) => l.split('\t')[1])).toEqual(expected.map((l) => l.split(/\s+/)[1]));
    // Reference = founders: 503 EUR and 504 EAS people with their own IDs.
    const refFam = bimLines(join(dir, 'ref/EUR.fam'));
    expect(refFam).toHaveLength(503);
    expect(refFam[0]!.split(' ').slice(0, 2)).toEqual(['HG00096', 'HG00096']);
    expect(bimLines(join(dir, 'ref/EAS.fam'))).toHaveLength(504);
    // Frequencies: the mosaic's EUR frequencies track the EUR founders' (PLINK 2 on both).
    plink2(['--bfile', join(dir, 'geno/EUR'), '--freq', '--out', join(dir, 'sim')]);
    plink2(['--bfile', join(dir, 'ref/EUR'), '--freq', '--out', join(dir, 'founders')]);
    const a = Float64Array.from(column(readTable(join(dir, 'sim.afreq')), 'ALT_FREQS').map(Number));
    const b = Float64Array.from(column(readTable(join(dir, 'founders.afreq')), 'ALT_FREQS').map(Number));
    expect(correlation(a, b)).toBeGreaterThan(0.97);
  }, 120_000);
});
