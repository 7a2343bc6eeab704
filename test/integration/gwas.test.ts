// Fold GWAS against PLINK 2: for every fold and variant, b, se and p equal
// `plink2 --glm omit-ref hide-covar --keep <training samples>` to PLINK's printed precision.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BadInputError } from '../../core/errors.js';
import { type GwasFilesRequest, gwasOnFiles } from '../../core/gwas/gwasFiles.js';
import { Rng } from '../../core/numeric/random/rng.js';
import { simulateStudy } from '../../core/simulate/simulateStudy.js';
import { parseSimulateOptions } from '../../config/simulate.js';
import { plink2, readTable } from '../helpers/plink2.js';
import { makeTmpDir } from '../helpers/tmp.js';
import { THOUSAND_GENOMES } from '../helpers/sharedData.js';

const KG = THOUSAND_GENOMES;
let tmp: { dir: string; cleanup: () => void };
beforeAll(() => {
  tmp = makeTmpDir('gwas');
});
afterAll(() => tmp.cleanup());

interface Row {
  b: number;
  se: number;
  p: number;
  n: number;
  freq: number;
}

function readMa(path: string): Map<string, Row & { a1: string }> {
  const t = readTable(path);
  const m = new Map<string, Row & { a1: string }>();
  for (const r of t.rows) m.set(r[0]!, { a1: r[1]!, freq: Number(r[3]), b: Number(r[4]), se: Number(r[5]), p: Number(r[6]), n: Number(r[7]) });
  return m;
}

function readGlm(path: string): Map<string, Row & { a1: string; err: string }> {
  const t = readTable(path);
  const col = (n: string): number => {
    const i = t.header.indexOf(n);
    if (i < 0) throw new Error(`${path}: no column ${n} in ${t.header.join(' ')}`);
    return i;
  };
  const [id, a1, obs, beta, se, p, freq] = ['ID', 'A1', 'OBS_CT', t.header.includes('BETA') ? 'BETA' : 'OR', t.header.includes('SE') ? 'SE' : 'LOG(OR)_SE', 'P', 'A1_FREQ'].map(col) as number[];
  const err = t.header.indexOf('ERRCODE');
  const m = new Map<string, Row & { a1: string; err: string }>();
  for (const r of t.rows) {
    const isOr = t.header[beta!] === 'OR';
    m.set(r[id!]!, {
      a1: r[a1!]!,
      n: Number(r[obs!]),
      b: isOr ? Math.log(Number(r[beta!])) : Number(r[beta!]),
      se: Number(r[se!]),
      p: Number(r[p!]),
      freq: Number(r[freq!]),
      err: err >= 0 ? r[err]! : '.',
    });
  }
  return m;
}

function rel(a: number, b: number): number {
  return Math.abs(a - b) / Math.max(Math.abs(b), 1e-300);
}

/** Compare one of our GWAS with PLINK's on the same training samples; returns the worst errors. */
function compare(ours: Map<string, Row & { a1: string }>, plink: Map<string, Row & { a1: string; err: string }>, orPrecision = false) {
  let maxB = 0;
  let maxSe = 0;
  let maxP = 0;
  let compared = 0;
  for (const [snp, pl] of plink) {
    if (pl.err !== '.' || !Number.isFinite(pl.b)) {
      expect(ours.has(snp), `${snp}: PLINK has no estimate (${pl.err}), we should not either`).toBe(false);
      continue;
    }
    const o = ours.get(snp);
    expect(o, `${snp} missing from our output`).toBeDefined();
    expect(o!.a1).toBe(pl.a1);
    expect(o!.n).toBe(pl.n);
    expect(Math.abs(o!.freq - pl.freq)).toBeLessThan(1e-5 * Math.max(pl.freq, 1e-3));
    // PLINK prints 6 significant digits; OR → log(OR) loses a little more for near-0 effects.
    maxB = Math.max(maxB, orPrecision ? Math.abs(o!.b - pl.b) / Math.max(Math.abs(pl.b), 1e-2) : rel(o!.b, pl.b));
    maxSe = Math.max(maxSe, rel(o!.se, pl.se));
    maxP = Math.max(maxP, pl.p < 1e-300 ? 0 : rel(o!.p, pl.p));
    compared++;
  }
  return { maxB, maxSe, maxP, compared };
}

function keepFile(path: string, foldsTsv: string, k: number): void {
  const rows = readFileSync(foldsTsv, 'utf8').trimEnd().split('\n').slice(1).map((l) => l.split('\t'));
  writeFileSync(path, rows.filter((r) => Number(r[2]) !== k).map((r) => `${r[0]} ${r[1]}\n`).join(''));
}

describe('linear fold GWAS, simulated cohort with covariates and 1.5 % missing calls', () => {
  it('equals plink2 --glm on every training set, for every variant', async () => {
    const sim = join(tmp.dir, 'sim');
    await simulateStudy(parseSimulateOptions({ samples: [1500], refSamples: 10, snps: 400, blockSnps: 50, missingRate: 0.015, h2: 0.5, causalFraction: 0.05, seed: 31 }), sim);
    const out = join(tmp.dir, 'gwas-lin');
    const covarNames = ['sex', 'age', ...Array.from({ length: 10 }, (_, i) => `PC${i + 1}`)];
    const req: GwasFilesRequest = { bfiles: [join(sim, 'geno/EUR')], pheno: join(sim, 'pheno.tsv'), phenoName: 'trait', covar: join(sim, 'covar.tsv'), covarNames, folds: { k: 10, seed: 7 }, model: 'linear', outDir: out };
    const summary = await gwasOnFiles(req);
    expect(summary).toMatchObject({ samples: 1500, variants: 400, gwas: 10 });
    const worst = { maxB: 0, maxSe: 0, maxP: 0, compared: 0 };
    for (let k = 1; k <= 10; k++) {
      keepFile(join(out, `keep${k}.txt`), join(out, 'folds.tsv'), k);
      plink2(['--bfile', join(sim, 'geno/EUR'), '--pheno', join(sim, 'pheno.tsv'), '--pheno-name', 'trait', '--covar', join(sim, 'covar.tsv'), '--covar-name', covarNames.join(','),
        '--glm', 'omit-ref', 'hide-covar', 'cols=+a1freq', '--keep', join(out, `keep${k}.txt`), '--out', join(out, `plink${k}`)]);
      const c = compare(readMa(join(out, `fold${k}.ma`)), readGlm(join(out, `plink${k}.trait.glm.linear`)));
      worst.maxB = Math.max(worst.maxB, c.maxB);
      worst.maxSe = Math.max(worst.maxSe, c.maxSe);
      worst.maxP = Math.max(worst.maxP, c.maxP);
      worst.compared += c.compared;
    }
    console.log(`linear fold GWAS vs plink2: ${worst.compared} (fold, variant) pairs, max rel diff b ${worst.maxB.toExponential(2)}, se ${worst.maxSe.toExponential(2)}, p ${worst.maxP.toExponential(2)}`);
    expect(worst.compared).toBeGreaterThan(3900);
    expect(worst.maxB).toBeLessThan(1e-5);
    expect(worst.maxSe).toBeLessThan(1e-5);
    expect(worst.maxP).toBeLessThan(1e-5);
  }, 180_000);
});

describe('linear fold GWAS, real 1000 Genomes EUR genotypes (two chromosomes) with a simulated phenotype', () => {
  it('equals plink2 --glm per fold', async () => {
    const dir = join(tmp.dir, 'kg');
    const eur = readFileSync(`${KG}EUR_IDs.txt`, 'utf8').trimEnd().split('\n').map((l) => l.trim().split(/\s+/));
    const rng = Rng.stream(99);
    // Phenotype: noise plus a covariate effect; covariates PC-like noise.
    const pheno = ['FID IID y'];
    const covar = ['FID IID c1 c2'];
    for (const [fid, iid] of eur) {
      const c1 = rng.normal();
      const c2 = rng.normal();
      pheno.push(`${fid} ${iid} ${(0.3 * c1 + rng.normal()).toFixed(6)}`);
      covar.push(`${fid} ${iid} ${c1.toFixed(6)} ${c2.toFixed(6)}`);
    }
    const { mkdirSync } = await import('node:fs');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'pheno.txt'), `${pheno.join('\n')}\n`);
    writeFileSync(join(dir, 'covar.txt'), `${covar.join('\n')}\n`);
    const out = join(dir, 'gwas');
    await gwasOnFiles({ bfiles: [`${KG}chr21`, `${KG}chr22`], pheno: join(dir, 'pheno.txt'), phenoName: 'y', covar: join(dir, 'covar.txt'), folds: { k: 5, seed: 3 }, model: 'linear', outDir: out });
    let compared = 0;
    let worst = 0;
    for (let k = 1; k <= 5; k++) {
      keepFile(join(out, `keep${k}.txt`), join(out, 'folds.tsv'), k);
      const plink = new Map<string, Row & { a1: string; err: string }>();
      for (const chr of ['chr21', 'chr22']) {
        plink2(['--bfile', `${KG}${chr}`, '--pheno', join(dir, 'pheno.txt'), '--pheno-name', 'y', '--covar', join(dir, 'covar.txt'), '--glm', 'omit-ref', 'hide-covar', 'cols=+a1freq', '--keep', join(out, `keep${k}.txt`), '--out', join(out, `p${k}${chr}`)]);
        for (const [snp, r] of readGlm(join(out, `p${k}${chr}.y.glm.linear`))) plink.set(snp, r);
      }
      const c = compare(readMa(join(out, `fold${k}.ma`)), plink);
      compared += c.compared;
      worst = Math.max(worst, c.maxB, c.maxSe, c.maxP);
    }
    console.log(`1000G EUR fold GWAS vs plink2: ${compared} pairs, worst rel diff ${worst.toExponential(2)}`);
    expect(compared).toBeGreaterThan(5 * 700);
    expect(worst).toBeLessThan(1e-5);
  }, 180_000);
});

describe('logistic fold GWAS', () => {
  // PLINK 2.00a3.5 fits logistic models in single precision (its --glm has no double-precision
  // mode for case/control traits in this version), so agreement is bounded by float32 rounding,
  // not by its printed digits: we hold b to 1e-4 standard errors, se to 1e-4 relative and
  // ln p to 1e-4 relative. Our fit is double precision and converges to 1e-10.
  it('equals plink2 --glm no-firth per fold, to the accuracy of PLINK single precision', async () => {
    const sim = join(tmp.dir, 'simbin');
    await simulateStudy(parseSimulateOptions({ samples: [1500], refSamples: 10, snps: 120, blockSnps: 40, missingRate: 0.01, h2: 0.5, causalFraction: 0.1, binaryPrevalence: 0.3, seed: 41 }), sim);
    const out = join(tmp.dir, 'gwas-log');
    await gwasOnFiles({ bfiles: [join(sim, 'geno/EUR')], pheno: join(sim, 'pheno.tsv'), phenoName: 'trait_binary', covar: join(sim, 'covar.tsv'), covarNames: ['sex', 'age', 'PC1', 'PC2'], folds: { k: 3, seed: 2 }, model: 'logistic', outDir: out });
    const worst = { bInSe: 0, se: 0, lnP: 0 };
    let compared = 0;
    for (let k = 1; k <= 3; k++) {
      keepFile(join(out, `keep${k}.txt`), join(out, 'folds.tsv'), k);
      plink2(['--bfile', join(sim, 'geno/EUR'), '--pheno', join(sim, 'pheno.tsv'), '--pheno-name', 'trait_binary', '--covar', join(sim, 'covar.tsv'), '--covar-name', 'sex,age,PC1,PC2',
        '--glm', 'omit-ref', 'hide-covar', 'no-firth', 'cols=+a1freq,+beta', '--keep', join(out, `keep${k}.txt`), '--out', join(out, `plink${k}`)]);
      const ours = readMa(join(out, `fold${k}.ma`));
      for (const [snp, pl] of readGlm(join(out, `plink${k}.trait_binary.glm.logistic`))) {
        if (pl.err !== '.') {
          expect(ours.has(snp)).toBe(false);
          continue;
        }
        const o = ours.get(snp)!;
        expect(o.a1).toBe(pl.a1);
        expect(o.n).toBe(pl.n);
        worst.bInSe = Math.max(worst.bInSe, Math.abs(o.b - pl.b) / pl.se);
        worst.se = Math.max(worst.se, rel(o.se, pl.se));
        worst.lnP = Math.max(worst.lnP, Math.abs(Math.log(o.p) - Math.log(pl.p)) / Math.max(1, Math.abs(Math.log(pl.p))));
        compared++;
      }
    }
    console.log(`logistic fold GWAS vs plink2: ${compared} pairs, max |Δb|/se ${worst.bInSe.toExponential(2)}, se rel ${worst.se.toExponential(2)}, ln p rel ${worst.lnP.toExponential(2)}`);
    expect(compared).toBeGreaterThan(3 * 110);
    expect(worst.bInSe).toBeLessThan(1e-4);
    expect(worst.se).toBeLessThan(1e-4);
    expect(worst.lnP).toBeLessThan(1e-4);
  }, 180_000);
});

describe('design errors', () => {
  it('names singular covariates', async () => {
    const sim = join(tmp.dir, 'sing');
    await simulateStudy(parseSimulateOptions({ samples: [200], refSamples: 10, snps: 50, seed: 5 }), sim);
    const covar = readFileSync(join(sim, 'covar.tsv'), 'utf8').trimEnd().split('\n');
    // age2 = 2·age: perfectly collinear with age.
    writeFileSync(join(sim, 'covar2.tsv'), covar.map((l, i) => `${l}\t${i === 0 ? 'age2' : (2 * Number(l.split('\t')[3])).toFixed(1)}`).join('\n') + '\n');
    const err = await gwasOnFiles({ bfiles: [join(sim, 'geno/EUR')], pheno: join(sim, 'pheno.tsv'), phenoName: 'trait', covar: join(sim, 'covar2.tsv'), covarNames: ['sex', 'age', 'age2'], model: 'linear', outDir: join(sim, 'o') }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(BadInputError);
    expect((err as Error).message).toMatch(/linearly dependent.*age2/);
  });
});
