// Fold GWAS against PLINK 2 on the same simulated cohort: ten fold GWAS in one pass vs ten
// `plink2 --glm` runs (one per training set), and one GWAS vs one `plink2 --glm`.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { availableParallelism } from 'node:os';
import { gwasOnFiles } from '../core/gwas/gwasFiles.js';
import { describeGwasKernel } from '../core/gwas/nativeGwas.js';
import { simulateStudy } from '../core/simulate/simulateStudy.js';
import { parseSimulateOptions } from '../config/simulate.js';
import { type BenchRow, bestOf, runCommand } from './timing.js';

/** Both rows: complete data (where PLINK 2 is fastest) and 1 % missing calls. */
export async function gwasBench(dir: string, quick: boolean): Promise<BenchRow[]> {
  return [...(await gwasBenchOn(dir, quick, 0)), ...(await gwasBenchOn(dir, quick, 0.01))];
}

async function gwasBenchOn(root: string, quick: boolean, missingRate: number): Promise<BenchRow[]> {
  const size = quick ? { samples: 2000, snps: 10_000 } : { samples: 10_000, snps: 50_000 };
  const dir = join(root, `gwas-missing${missingRate}`);
  const sim = join(dir, 'gwas-sim');
  await simulateStudy(parseSimulateOptions({ samples: [size.samples], refSamples: 10, snps: size.snps, missingRate, seed: 3 }), sim);
  const covarNames = ['sex', 'age', ...Array.from({ length: 8 }, (_, i) => `PC${i + 1}`)]; // 10 covariates
  const base = { bfiles: [join(sim, 'geno/EUR')], pheno: join(sim, 'pheno.tsv'), phenoName: 'trait', covar: join(sim, 'covar.tsv'), covarNames, model: 'linear' as const };
  const reps = quick ? 2 : 1;
  const tenOurs = await bestOf(reps, async () => {
    await gwasOnFiles({ ...base, folds: { k: 10, seed: 1 }, outDir: join(dir, 'gwas-ours10') });
  });
  // PLINK: one run per training set, as a user would without pgsflow.
  const folds = readFileSync(join(dir, 'gwas-ours10', 'folds.tsv'), 'utf8').trimEnd().split('\n').slice(1).map((l) => l.split('\t'));
  for (let k = 1; k <= 10; k++) writeFileSync(join(dir, `keep${k}`), folds.filter((r) => Number(r[2]) !== k).map((r) => `${r[0]} ${r[1]}\n`).join(''));
  const plinkArgs = (extra: string[]): string[] => [
    '--bfile', join(sim, 'geno/EUR'), '--pheno', join(sim, 'pheno.tsv'), '--pheno-name', 'trait', '--covar', join(sim, 'covar.tsv'),
    '--covar-name', covarNames.join(','), '--glm', 'omit-ref', 'hide-covar', '--threads', String(availableParallelism()), ...extra,
  ];
  const tenPlink = await bestOf(reps, () => {
    for (let k = 1; k <= 10; k++) runCommand('plink2', plinkArgs(['--keep', join(dir, `keep${k}`), '--out', join(dir, `plink-fold${k}`)]));
  });
  const oneOurs = await bestOf(reps, async () => {
    await gwasOnFiles({ ...base, outDir: join(dir, 'gwas-ours1') });
  });
  const onePlink = await bestOf(reps, () => runCommand('plink2', plinkArgs(['--out', join(dir, 'plink-all')])));
  const label = `${size.samples} × ${size.snps}, 10 covariates, ${missingRate === 0 ? 'complete data' : `${missingRate * 100} % missing calls`}`;
  console.log(`GWAS (${label}; gwas kernel: ${describeGwasKernel()}): ten fold ${tenOurs.toFixed(2)} s vs ten plink2 ${tenPlink.toFixed(2)} s; one ${oneOurs.toFixed(2)} s vs plink2 ${onePlink.toFixed(2)} s`);
  return [
    { name: `ten linear fold GWAS, ${label}`, ours: tenOurs, peer: tenPlink, peerName: 'ten plink2 --glm runs', goal: '≤ 0.3' },
    { name: `one linear GWAS, ${label}`, ours: oneOurs, peer: onePlink, peerName: 'plink2 --glm', goal: '≤ 2' },
  ];
}
