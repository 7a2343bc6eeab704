// The study steps on the store path: fold GWAS from DuckDB-resident genotypes equals the CLI
// path on the PLINK files; held-out fold scores equal plink2 --score on each fold's samples.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gwasOnFiles } from '../../core/gwas/gwasFiles.js';
import { foldGwasInStore } from '../../core/gwas/gwasStore.js';
import { ingestInputs } from '../../core/ingest/ingestInputs.js';
import { scoreHeldOutFolds } from '../../core/score/heldOutScores.js';
import { simulateStudy } from '../../core/simulate/simulateStudy.js';
import { Store } from '../../core/store/store.js';
import { parseSimulateOptions } from '../../config/simulate.js';
import { column, plink2, readTable } from '../helpers/plink2.js';
import { makeTmpDir } from '../helpers/tmp.js';

let tmp: { dir: string; cleanup: () => void };
let sim: string;
let store: Store;
const covarNames = ['sex', 'age', 'PC1', 'PC2', 'PC3'];

beforeAll(async () => {
  tmp = makeTmpDir('steps');
  sim = join(tmp.dir, 'sim');
  await simulateStudy(parseSimulateOptions({ samples: [800], refSamples: 10, snps: 300, blockSnps: 50, missingRate: 0.01, causalFraction: 0.05, seed: 8 }), sim);
  store = await Store.open(join(tmp.dir, 'store'));
  await ingestInputs(store, [
    { kind: 'bfile', paths: [join(sim, 'geno/EUR')], ancestry: 'EUR' },
    { kind: 'pheno', paths: [join(sim, 'pheno.tsv')] },
    { kind: 'covar', paths: [join(sim, 'covar.tsv')] },
  ]);
}, 120_000);
afterAll(() => {
  store.close();
  tmp.cleanup();
});

describe('store path', () => {
  it('fold GWAS from the store equals the file path, bit for bit, and records folds', async () => {
    const summary = await foldGwasInStore(store, { runId: 'r1', cohort: 'EUR', phenoDataset: 'pheno', phenoName: 'trait', covarDataset: 'covar', covarNames, folds: { k: 5, seed: 4 }, model: 'linear' });
    expect(summary).toMatchObject({ samples: 800, variants: 300, foldSizes: [160, 160, 160, 160, 160] });
    const out = join(tmp.dir, 'files');
    await gwasOnFiles({ bfiles: [join(sim, 'geno/EUR')], pheno: join(sim, 'pheno.tsv'), phenoName: 'trait', covar: join(sim, 'covar.tsv'), covarNames, folds: { k: 5, seed: 4 }, model: 'linear', outDir: out });
    const folds = await store.all<{ fid: string; fold: number }>(`SELECT fid, fold FROM folds WHERE run_id = 'r1' ORDER BY fid`);
    const fileFolds = readTable(join(out, 'folds.tsv')).rows.map((r) => ({ fid: r[0]!, fold: Number(r[2]) })).sort((a, b) => a.fid.localeCompare(b.fid));
    expect(folds).toEqual(fileFolds);
    for (let k = 1; k <= 5; k++) {
      const rows = await store.all<{ snp: string; b: number; se: number; p: number; n: number }>(`SELECT snp, b, se, p, n FROM gwas WHERE gwas_set = $s ORDER BY idx`, { s: `r1/fold${k}` });
      const ma = readTable(join(out, `fold${k}.ma`)).rows;
      expect(rows.map((r) => r.snp)).toEqual(ma.map((r) => r[0]));
      rows.forEach((r, i) => {
        expect(r.b.toPrecision(10)).toBe(Number(ma[i]![4]).toPrecision(10));
        expect(r.n).toBe(Number(ma[i]![7]));
      });
    }
  });

  it('scores each held-out fold with its own weights in one pass, equal to plink2 --score per fold', async () => {
    // Stand-in effects per fold: that fold's GWAS b (any weight vector tests the scoring path).
    const weightFiles: string[] = [];
    for (let k = 1; k <= 5; k++) {
      const rows = await store.all<{ snp: string; a1: string; b: number }>(`SELECT snp, a1, b FROM gwas WHERE gwas_set = $s ORDER BY idx`, { s: `r1/fold${k}` });
      const f = join(tmp.dir, `w${k}.txt`);
      writeFileSync(f, `SNP A1 BETA\n${rows.map((r) => `${r.snp} ${r.a1} ${r.b}`).join('\n')}\n`);
      weightFiles.push(f);
    }
    const summary = await scoreHeldOutFolds(store, { runId: 'r1', cohort: 'EUR', weightFiles });
    expect(summary.scored).toBe(800);
    expect(summary.perFold).toEqual([160, 160, 160, 160, 160]);
    const ours = new Map((await store.all<{ iid: string; score: number; score_name: string }>(`SELECT iid, score, score_name FROM scores WHERE run_id = 'r1'`)).map((r) => [r.iid, r]));
    const folds = await store.all<{ fid: string; iid: string; fold: number }>(`SELECT fid, iid, fold FROM folds WHERE run_id = 'r1'`);
    let worst = 0;
    for (let k = 1; k <= 5; k++) {
      // PLINK: keep fold k, impute missing calls with fold k's training frequencies.
      writeFileSync(join(tmp.dir, `keep${k}`), folds.filter((f) => f.fold === k).map((f) => `${f.fid} ${f.iid}`).join('\n') + '\n');
      const freq = await store.all<{ snp: string; a1: string; a2: string; freq: number }>(`SELECT snp, a1, a2, freq FROM gwas WHERE gwas_set = $s ORDER BY idx`, { s: `r1/fold${k}` });
      writeFileSync(join(tmp.dir, `freq${k}.afreq`), `#CHROM\tID\tREF\tALT\tALT_FREQS\tOBS_CT\n${freq.map((r) => `1\t${r.snp}\t${r.a2}\t${r.a1}\t${r.freq}\t1000`).join('\n')}\n`);
      plink2(['--bfile', join(sim, 'geno/EUR'), '--keep', join(tmp.dir, `keep${k}`), '--read-freq', join(tmp.dir, `freq${k}.afreq`), '--score', weightFiles[k - 1]!, '1', '2', '3', 'header', 'cols=+scoresums', '--out', join(tmp.dir, `plinkscore${k}`)]);
      const t = readTable(join(tmp.dir, `plinkscore${k}.sscore`));
      const iids = column(t, 'IID');
      const sums = column(t, 'SCORE1_SUM').map(Number);
      iids.forEach((iid, i) => {
        const o = ours.get(iid)!;
        expect(o.score_name).toBe(`fold${k}`);
        worst = Math.max(worst, Math.abs(o.score - sums[i]!) / Math.max(Math.abs(sums[i]!), 1e-6));
      });
    }
    expect(worst).toBeLessThan(1e-5); // PLINK prints 6 significant digits
  });
});
