// Dosage cohorts (issue 19), side by side with PLINK 2 on the same files: a simulated cohort with
// dosages blurred around the hard calls (`pgsflow simulate --format pgen --dosage-noise`), the
// same data exported by plink2 as .vcf.gz (DS) and BGEN v1.2 (16-bit); then
//  - ingest per format into DuckDB vs plink2 importing the file into a .pgen;
//  - store size per format, beside the .bed of the same cohort's hard calls;
//  - ten fold GWAS from the stored pgen cohort vs ten `plink2 --glm --keep` runs on the pgen;
//  - ten-column scoring from the store vs `plink2 --score` with ten columns on the pgen, both
//    imputing missing dosages from the same .afreq.
import { execFileSync } from 'node:child_process';
import { statSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { foldGwasInStore } from '../core/gwas/gwasStore.js';
import { ingestInputs } from '../core/ingest/ingestInputs.js';
import { Rng } from '../core/numeric/random/rng.js';
import { readFrequencyFile } from '../core/score/frequencyFile.js';
import { scoreStore } from '../core/score/scoreStore.js';
import { Store } from '../core/store/store.js';
import { type BenchRow, bestOf, runCommand } from './timing.js';

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
const COLUMNS = 10;
const COVARIATES = ['sex', 'age', ...Array.from({ length: 8 }, (_, i) => `PC${i + 1}`)];

const gb = (bytes: number): string => `${(bytes / 1e9).toFixed(2)} GB`;

function storeBytes(dir: string): number {
  let total = 0;
  for (const f of ['store.duckdb', 'store.duckdb.wal']) {
    try {
      total += statSync(join(dir, f)).size;
    } catch {
      // no WAL after a checkpoint
    }
  }
  return total;
}

export async function dosageBench(dir: string, quick: boolean): Promise<BenchRow[]> {
  const size = quick ? { samples: 2000, snps: 10_000 } : { samples: 10_000, snps: 100_000 };
  const label = `${size.samples.toLocaleString('en')} × ${size.snps.toLocaleString('en')}`;
  const sim = join(dir, 'dosage-sim');
  const t0 = performance.now();
  execFileSync(process.execPath, [join(ROOT, 'bin', 'pgsflow.js'), 'simulate', '--out', sim, '--samples', String(size.samples), '--snps', String(size.snps)]
    .concat(['--ref-samples', '10', '--annotations', '0', '--format', 'pgen', '--dosage-noise', '0.1', '--seed', '4']), { stdio: ['ignore', 'ignore', 'inherit'] });
  console.log(`dosage cohort ${label}: simulated as pgen with dosage noise 0.1 in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  // The cohort as PLINK 2 itself writes a pgen (variable-width records), which is what users have.
  const pfile = join(dir, 'dosage-EUR-plink2');
  runCommand('plink2', ['--pfile', join(sim, 'geno', 'EUR'), '--make-pgen', '--threads', '1', '--out', pfile]);
  const vcf = join(dir, 'dosage-EUR');
  const bgen = join(dir, 'dosage-EUR');
  runCommand('plink2', ['--pfile', pfile, '--export', 'vcf', 'bgz', 'vcf-dosage=DS', '--out', vcf]);
  runCommand('plink2', ['--pfile', pfile, '--export', 'bgen-1.2', 'ref-first', '--out', bgen]);
  const rows: BenchRow[] = [];

  // Ingest per format: into the store vs plink2 importing the same file as a .pgen.
  const sizes: Record<string, number> = {};
  const imports: [kind: 'pfile' | 'vcf' | 'bgen', paths: string[], peerArgs: string[]][] = [
    ['pfile', [pfile], ['--pfile', pfile]],
    ['vcf', [`${vcf}.vcf.gz`], ['--vcf', `${vcf}.vcf.gz`, 'dosage=DS']],
    ['bgen', [`${bgen}.bgen`], ['--bgen', `${bgen}.bgen`, 'ref-first', '--sample', `${bgen}.sample`]],
  ];
  for (const [kind, paths, peerArgs] of imports) {
    const storeDir = join(dir, `dosage-store-${kind}`);
    const store = await Store.open(storeDir);
    let ours: number;
    try {
      ours = await bestOf(1, async () => {
        await ingestInputs(store, [{ kind, paths, name: 'EUR', ancestry: 'EUR', ...(kind === 'bgen' ? { sample: `${bgen}.sample`, refFirst: true } : {}) }]);
      });
    } finally {
      store.close(); // checkpoints the WAL into the file
    }
    {
      sizes[kind] = storeBytes(storeDir);
      const peer = await bestOf(1, () => runCommand('plink2', [...peerArgs, '--make-pgen', '--threads', String(availableParallelism()), '--out', join(dir, `dosage-import-${kind}`)]));
      console.log(`ingest ${kind} ${label}: ${ours.toFixed(1)} s (store ${gb(sizes[kind]!)}), plink2 import to .pgen ${peer.toFixed(1)} s`);
      rows.push({ name: `ingest ${kind} with dosages, ${label}`, ours, peer, peerName: 'plink2 import --make-pgen', goal: 'reported' });
    }
  }
  const bedDir = join(dir, 'dosage-bed');
  runCommand('plink2', ['--pfile', pfile, '--make-bed', '--out', bedDir]);
  const bedStore = join(dir, 'dosage-store-bed');
  const sb = await Store.open(bedStore);
  try {
    await ingestInputs(sb, [{ kind: 'bfile', paths: [bedDir], name: 'EUR', ancestry: 'EUR' }]);
  } finally {
    sb.close();
  }
  console.log(`store size per cohort ${label}: store with the hard calls (.bed) ${gb(storeBytes(bedStore))}; with dosages from pgen ${gb(sizes.pfile!)}, vcf ${gb(sizes.vcf!)}, bgen ${gb(sizes.bgen!)}`);

  // Ten fold GWAS and ten-column scoring from the stored pgen cohort vs plink2 on the pgen.
  const store = await Store.open(join(dir, 'dosage-store-pfile'));
  try {
    await ingestInputs(store, [
      { kind: 'pheno', paths: [join(sim, 'pheno.tsv')], name: 'pheno' },
      { kind: 'covar', paths: [join(sim, 'covar.tsv')], name: 'covar' },
    ]);
    const req = { runId: 'bench', cohort: 'EUR', phenoDataset: 'pheno', phenoName: 'trait', covarDataset: 'covar', covarNames: COVARIATES, model: 'linear' as const };
    const tenOurs = await bestOf(1, async () => {
      await foldGwasInStore(store, { ...req, folds: { k: 10, seed: 1 } });
    });
    const folds = await store.all<{ fid: string; iid: string; fold: number }>(`SELECT fid, iid, fold FROM folds WHERE run_id = 'bench' AND cohort = 'EUR'`);
    for (let k = 1; k <= 10; k++) writeFileSync(join(dir, `dosage-keep${k}`), folds.filter((r) => r.fold !== k).map((r) => `${r.fid} ${r.iid}\n`).join(''));
    const glm = (extra: string[]): string[] => [
      '--pfile', pfile, '--pheno', join(sim, 'pheno.tsv'), '--pheno-name', 'trait', '--covar', join(sim, 'covar.tsv'),
      '--covar-name', COVARIATES.join(','), '--glm', 'omit-ref', 'hide-covar', '--threads', String(availableParallelism()), ...extra,
    ];
    const tenPlink = await bestOf(1, () => {
      for (let k = 1; k <= 10; k++) runCommand('plink2', glm(['--keep', join(dir, `dosage-keep${k}`), '--out', join(dir, `dosage-glm${k}`)]));
    });
    console.log(`ten linear fold GWAS on dosages ${label}, 10 covariates: store ${tenOurs.toFixed(2)} s vs ten plink2 --glm ${tenPlink.toFixed(2)} s`);
    rows.push({ name: `ten linear fold GWAS on dosages (pgen), ${label}`, ours: tenOurs, peer: tenPlink, peerName: 'ten plink2 --glm runs', goal: '≤ 0.3' });

    const variants = await store.all<{ id: string; a1: string; a2: string }>(`SELECT id, a1, a2 FROM variants WHERE cohort = 'EUR' ORDER BY idx`);
    const rng = Rng.stream(4, 40);
    const weights = join(dir, 'dosage-w10.txt');
    const lines = [`SNP\tA1\t${Array.from({ length: COLUMNS }, (_, k) => `W${k + 1}`).join('\t')}`];
    for (const v of variants) {
      const allele = rng.uniform() < 1 / 3 ? v.a2 : v.a1;
      lines.push(`${v.id}\t${allele}\t${Array.from({ length: COLUMNS }, () => (rng.normal() * 0.01).toPrecision(8)).join('\t')}`);
    }
    writeFileSync(weights, `${lines.join('\n')}\n`);
    // Both impute a missing dosage from the same .afreq (as a study does with training frequencies).
    const afreq = join(dir, 'dosage-ref');
    runCommand('plink2', ['--pfile', pfile, '--freq', '--out', afreq]);
    const table = await readFrequencyFile(`${afreq}.afreq`);
    const ours = await bestOf(2, async () => {
      await scoreStore(store, { cohort: 'EUR', weights: [weights], frequencies: { kind: 'file', table } });
    });
    const peer = await bestOf(2, () =>
      runCommand('plink2', ['--pfile', pfile, '--score', weights, '1', '2', 'header', 'cols=+scoresums', '--score-col-nums', `3-${2 + COLUMNS}`, '--read-freq', `${afreq}.afreq`]
        .concat(['--threads', String(availableParallelism()), '--out', join(dir, 'dosage-score')])),
    );
    console.log(`score, ten columns, dosages ${label}: store ${ours.toFixed(2)} s vs plink2 --score ${peer.toFixed(2)} s`);
    rows.push({ name: `score ten columns on dosages (pgen), ${label}`, ours, peer, peerName: 'plink2 --score', goal: '≤ 1.0' });
  } finally {
    store.close();
  }
  return rows;
}
