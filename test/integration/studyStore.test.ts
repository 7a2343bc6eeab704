// The study's store steps on a real DuckDB store with two simulated cohorts (EUR 600, EAS 400,
// 300 SNPs, 1 % missing calls): fold and all-sample GWAS, COJO export round trip, held-out
// scores of two methods side by side, whole-cohort scoring against a direct dosage·weight sum,
// fold metrics against normal equations on the phenotype file, and the SBayesRC-multi
// combination, each idempotent; then the same steps through the activity adapter.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MockActivityEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BadInputError } from '../../core/errors.js';
import { evaluateFoldsInStore } from '../../core/evaluation/evaluateFolds.js';
import { MISSING_DOSAGE, bytesPerVariant, unpackVariant } from '../../core/genotypes/bedCodec.js';
import { exportGwasSet } from '../../core/gwas/exportGwas.js';
import { gwasOnFiles } from '../../core/gwas/gwasFiles.js';
import { allSamplesGwasSetName, foldGwasInStore } from '../../core/gwas/gwasStore.js';
import { readSumstats } from '../../core/formats/sumstats.js';
import { ingestInputs } from '../../core/ingest/ingestInputs.js';
import { combineAncestriesInStore } from '../../core/multiAncestry/combineAncestries.js';
import { scoreCohortInStore } from '../../core/score/cohortScores.js';
import { scoreHeldOutFolds } from '../../core/score/heldOutScores.js';
import { simulateStudy } from '../../core/simulate/simulateStudy.js';
import { Store } from '../../core/store/store.js';
import { makeStudyStoreActivities } from '../../activities/studyStore.js';
import { parseSimulateOptions } from '../../config/simulate.js';
import { normalEquations } from '../helpers/leastSquares.js';
import { pearson } from '../helpers/pearson.js';
import { readTable } from '../helpers/plink2.js';
import { makeTmpDir, sha256File } from '../helpers/tmp.js';
import type { MetricRow } from '../../contracts/evaluation.js';

const covarNames = ['sex', 'age', 'PC1', 'PC2'];
const N = { EUR: 600, EAS: 400 } as const;
let tmp: { dir: string; cleanup: () => void };
let sim: string;
let store: Store;

beforeAll(async () => {
  tmp = makeTmpDir('studystore');
  sim = join(tmp.dir, 'sim');
  await simulateStudy(parseSimulateOptions({ ancestries: ['EUR', 'EAS'], samples: [N.EUR, N.EAS], refSamples: 10, snps: 300, blockSnps: 50, missingRate: 0.01, causalFraction: 0.1, h2: 0.6, binaryPrevalence: 0.3, seed: 12 }), sim);
  store = await Store.open(join(tmp.dir, 'store'));
  await ingestInputs(store, [
    { kind: 'bfile', paths: [join(sim, 'geno/EUR')], ancestry: 'EUR' },
    { kind: 'bfile', paths: [join(sim, 'geno/EAS')], ancestry: 'EAS' },
    { kind: 'pheno', paths: [join(sim, 'pheno.tsv')] },
    { kind: 'covar', paths: [join(sim, 'covar.tsv')] },
  ]);
}, 120_000);
afterAll(() => {
  store?.close();
  tmp?.cleanup();
});

const gwasReq = (cohort: string) => ({ runId: 'r1', cohort, phenoDataset: 'pheno', phenoName: 'trait', covarDataset: 'covar', covarNames, model: 'linear' as const });
const count = async (sql: string, params: Record<string, string>): Promise<number> => Number((await store.all<{ n: bigint }>(`SELECT count(*) AS n FROM ${sql}`, params))[0]!.n);

/** A weight file `SNP A1 BETA` from a GWAS set's b (stand-in effects; any vector tests scoring). */
async function weightsFromSet(set: string, file: string): Promise<string> {
  const rows = await store.all<{ snp: string; a1: string; b: number }>(`SELECT snp, a1, b FROM gwas WHERE gwas_set = $s ORDER BY idx`, { s: set });
  const path = join(tmp.dir, file);
  writeFileSync(path, `SNP A1 BETA\n${rows.map((r) => `${r.snp} ${r.a1} ${r.b}`).join('\n')}\n`);
  return path;
}

describe('GWAS sets', () => {
  it('fold GWAS write three sets and folds; without folds one set on all samples, equal to the file path', async () => {
    const folded = await foldGwasInStore(store, { ...gwasReq('EUR'), folds: { k: 3, seed: 5 } });
    expect(folded).toMatchObject({ gwasSets: ['r1/fold1', 'r1/fold2', 'r1/fold3'], samples: N.EUR, foldSizes: [200, 200, 200] });
    const all = await foldGwasInStore(store, gwasReq('EUR'));
    expect(all).toMatchObject({ gwasSets: [allSamplesGwasSetName('r1', 'EUR')], samples: N.EUR, variants: 300 });
    expect(all.gwasSets).toEqual(['r1/EUR']);
    await foldGwasInStore(store, gwasReq('EAS'));
    // The all-samples GWAS leaves the run's folds alone and adds none for EAS.
    expect(await count(`folds WHERE run_id = 'r1' AND cohort = $c`, { c: 'EUR' })).toBe(N.EUR);
    expect(await count(`folds WHERE run_id = 'r1' AND cohort = $c`, { c: 'EAS' })).toBe(0);
    const out = join(tmp.dir, 'files-eur');
    await gwasOnFiles({ bfiles: [join(sim, 'geno/EUR')], pheno: join(sim, 'pheno.tsv'), phenoName: 'trait', covar: join(sim, 'covar.tsv'), covarNames, model: 'linear', outDir: out });
    const file = readTable(join(out, 'gwas.ma')).rows;
    const rows = await store.all<{ snp: string; b: number; n: number }>(`SELECT snp, b, n FROM gwas WHERE gwas_set = 'r1/EUR' ORDER BY idx`);
    expect(rows.map((r) => r.snp)).toEqual(file.map((r) => r[0]));
    rows.forEach((r, i) => {
      expect(r.b.toPrecision(10)).toBe(Number(file[i]![4]).toPrecision(10));
      expect(r.n).toBe(Number(file[i]![7]));
    });
  });

  it('exports a set as COJO .ma that readSumstats reads back exactly; refuses a missing set and a NULL freq', async () => {
    const out = join(tmp.dir, 'export', 'eur.ma');
    const res = await exportGwasSet(store, { gwasSet: 'r1/EUR', out });
    expect(res.sha256).toBe(sha256File(out));
    const back = await readSumstats(out);
    const rows = await store.all<{ snp: string; a1: string; a2: string; freq: number; b: number; se: number; p: number; n: number }>(
      `SELECT snp, a1, a2, freq, b, se, p, n FROM gwas WHERE gwas_set = 'r1/EUR' ORDER BY idx`,
    );
    expect(res.rows).toBe(rows.length);
    expect(back.snp).toEqual(rows.map((r) => r.snp));
    expect(back.a1).toEqual(rows.map((r) => r.a1));
    expect(back.a2).toEqual(rows.map((r) => r.a2));
    for (const k of ['freq', 'b', 'se', 'p', 'n'] as const) expect(Array.from(back[k]), k).toEqual(rows.map((r) => r[k]));
    // Same set, same bytes.
    expect((await exportGwasSet(store, { gwasSet: 'r1/EUR', out })).sha256).toBe(res.sha256);

    const missing = exportGwasSet(store, { gwasSet: 'r1/nope', out: join(tmp.dir, 'export', 'nope.ma') });
    await expect(missing).rejects.toThrow(BadInputError);
    await expect(missing).rejects.toThrow(/store\.duckdb.*'r1\/nope'/);
    await store.transaction((tx) =>
      tx.run(`INSERT INTO gwas SELECT 'r1/nullfreq', idx, snp, chrom, pos, a1, a2, CASE WHEN idx = 3 THEN NULL ELSE freq END, b, se, p, n, source FROM gwas WHERE gwas_set = 'r1/EUR'`),
    );
    await expect(exportGwasSet(store, { gwasSet: 'r1/nullfreq', out: join(tmp.dir, 'export', 'null.ma') })).rejects.toThrow(/freq is NULL/);
  });
});

describe('scores', () => {
  let foldWeights: string[];
  const foldScores = async (runId: string, prefix: string) =>
    new Map((await store.all<{ iid: string; score_name: string; score: number }>(`SELECT iid, score_name, score FROM scores WHERE run_id = $r AND starts_with(score_name, $p)`, { r: runId, p: prefix })).map((r) => [r.iid, r]));

  it('held-out scores of two methods coexist; a rerun replaces only its own prefix', async () => {
    foldWeights = await Promise.all([1, 2, 3].map((k) => weightsFromSet(`r1/fold${k}`, `fold${k}.w`)));
    const a = await scoreHeldOutFolds(store, { runId: 'r1', cohort: 'EUR', weightFiles: foldWeights, scorePrefix: 'SBayesRC-' });
    expect(a.perFold).toEqual([200, 200, 200]);
    // SBayesR stand-in: the fold weights in another order (different numbers, same samples).
    await scoreHeldOutFolds(store, { runId: 'r1', cohort: 'EUR', weightFiles: [foldWeights[1]!, foldWeights[2]!, foldWeights[0]!], scorePrefix: 'SBayesR-' });
    await scoreHeldOutFolds(store, { runId: 'r1', cohort: 'EUR', weightFiles: foldWeights, scorePrefix: 'SBayesRC-' });
    expect(await count(`scores WHERE run_id = 'r1' AND starts_with(score_name, $p)`, { p: 'SBayesRC-fold' })).toBe(N.EUR);
    expect(await count(`scores WHERE run_id = 'r1' AND starts_with(score_name, $p)`, { p: 'SBayesR-fold' })).toBe(N.EUR);
    const folds = new Map((await store.all<{ iid: string; fold: number }>(`SELECT iid, fold FROM folds WHERE run_id = 'r1'`)).map((r) => [r.iid, r.fold]));
    for (const [iid, r] of await foldScores('r1', 'SBayesRC-')) expect(r.score_name).toBe(`SBayesRC-fold${folds.get(iid)}`);
  });

  it("a resumed run scores with an earlier run's folds (foldsRunId)", async () => {
    await scoreHeldOutFolds(store, { runId: 'r2', cohort: 'EUR', weightFiles: foldWeights, scorePrefix: 'SBayesRC-', foldsRunId: 'r1' });
    const before = await foldScores('r1', 'SBayesRC-');
    const after = await foldScores('r2', 'SBayesRC-');
    expect(after.size).toBe(N.EUR);
    for (const [iid, r] of after) expect(r).toEqual(before.get(iid));
  });

  it('scores a whole cohort with one file per ancestry, equal to a direct dosage·weight sum with training frequencies', async () => {
    const files = [await weightsFromSet('r1/EUR', 'EUR.w'), await weightsFromSet('r1/EAS', 'EAS.w')];
    const req = { runId: 'r1', cohort: 'EAS', weightFiles: files, scoreNames: ['EUR', 'EAS'], frequencySets: ['r1/EUR', 'r1/EAS'] };
    const res = await scoreCohortInStore(store, req);
    await scoreCohortInStore(store, req); // idempotent
    expect(res.scored).toBe(N.EAS);
    expect(await count(`scores WHERE run_id = 'r1' AND cohort = 'EAS'`, {})).toBe(2 * N.EAS);
    const fam = readFileSync(join(sim, 'geno/EAS.fam'), 'utf8').trimEnd().split('\n').map((l) => l.split(/\s+/)[1]!);
    const bim = readFileSync(join(sim, 'geno/EAS.bim'), 'utf8').trimEnd().split('\n').map((l) => l.split(/\s+/));
    const bed = readFileSync(join(sim, 'geno/EAS.bed'));
    const n = fam.length;
    const dos = new Uint8Array(n);
    for (const [s, set] of ['EUR', 'EAS'].entries()) {
      const gw = new Map((await store.all<{ snp: string; a1: string; b: number; freq: number }>(`SELECT snp, a1, b, freq FROM gwas WHERE gwas_set = $s`, { s: `r1/${set}` })).map((r) => [r.snp, r]));
      const expected = new Float64Array(n);
      let matched = 0;
      bim.forEach((v, j) => {
        const w = gw.get(v[1]!);
        if (!w) return;
        matched++;
        expect(w.a1).toBe(v[4]); // same simulation: same A1, so dosage = A1 count
        unpackVariant(bed, 3 + j * bytesPerVariant(n), n, dos);
        for (let i = 0; i < n; i++) expected[i]! += w.b * (dos[i] === MISSING_DOSAGE ? 2 * w.freq : dos[i]!);
      });
      expect(res.matchedVariants[s]).toBe(matched);
      const ours = new Map((await store.all<{ iid: string; score: number }>(`SELECT iid, score FROM scores WHERE run_id = 'r1' AND cohort = 'EAS' AND score_name = $n`, { n: set })).map((r) => [r.iid, r.score]));
      fam.forEach((iid, i) => expect(Math.abs(ours.get(iid)! - expected[i]!)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(expected[i]!))));
    }

    // A training set naming the other allele as A1 (freq 1 − f, b negated): its frequencies are
    // aligned to the cohort's A1, so the score only shifts by the constant −2Σb.
    await store.transaction((tx) =>
      tx.run(`INSERT INTO gwas SELECT 'r1/EAS-swapped', idx, snp, chrom, pos, a2, a1, 1 - freq, -b, se, p, n, source FROM gwas WHERE gwas_set = 'r1/EAS'`),
    );
    const swappedFile = await weightsFromSet('r1/EAS-swapped', 'EAS-swapped.w');
    await scoreCohortInStore(store, { runId: 'r1', cohort: 'EAS', weightFiles: [swappedFile], scoreNames: ['EAS-swapped'], frequencySets: ['r1/EAS-swapped'] });
    const sumB = (await store.all<{ s: number }>(`SELECT sum(b) AS s FROM gwas WHERE gwas_set = 'r1/EAS'`))[0]!.s;
    const pairs = await store.all<{ a: number; b: number }>(
      `SELECT x.score AS a, y.score AS b FROM scores x JOIN scores y ON x.iid = y.iid AND y.run_id = 'r1' AND y.score_name = 'EAS' WHERE x.run_id = 'r1' AND x.score_name = 'EAS-swapped'`,
    );
    expect(pairs.length).toBe(N.EAS);
    for (const r of pairs) expect(Math.abs(r.a - (r.b - 2 * sumB))).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(r.a)));

    // Only one fold: the same numbers for that fold's samples, nobody else.
    const one = await scoreCohortInStore(store, { runId: 'r3', cohort: 'EUR', weightFiles: [files[0]!], scoreNames: ['EUR'], frequencySets: ['r1/EUR'], only: { foldsRunId: 'r1', fold: 2 } });
    expect(one.scored).toBe(200);
    const whole = await scoreCohortInStore(store, { runId: 'r4', cohort: 'EUR', weightFiles: [files[0]!], scoreNames: ['EUR'], frequencySets: ['r1/EUR'] });
    expect(whole.scored).toBe(N.EUR);
    const inFold = await store.all<{ a: number; b: number }>(
      `SELECT x.score AS a, y.score AS b FROM scores x JOIN scores y ON x.iid = y.iid AND y.run_id = 'r4' JOIN folds f ON f.run_id = 'r1' AND f.iid = x.iid WHERE x.run_id = 'r3' AND f.fold = 2`,
    );
    expect(inFold.length).toBe(200);
    for (const r of inFold) expect(r.a).toBe(r.b);
    await expect(scoreCohortInStore(store, { ...req, frequencySets: ['r1/EUR'] })).rejects.toThrow(BadInputError);
  });
});

/** Phenotype and covariates straight from the simulated files (not through the store). */
function phenoFromFiles(name: string): Map<string, { y: number; cov: number[] }> {
  const p = readTable(join(sim, 'pheno.tsv'));
  const c = readTable(join(sim, 'covar.tsv'));
  const yc = p.header.indexOf(name);
  const cc = covarNames.map((n) => c.header.indexOf(n));
  const cov = new Map(c.rows.map((r) => [r[1]!, cc.map((k) => Number(r[k]))]));
  return new Map(p.rows.map((r) => [r[1]!, { y: Number(r[yc]), cov: cov.get(r[1]!)! }]));
}

type StoredMetric = { scope: string; method: string; metric: string; value: number | null; se: number | null; n: number };
const metricRowsInStore = async (runId: string, method: string): Promise<MetricRow[]> =>
  store.all<StoredMetric>(`SELECT scope, method, metric, value, se, n FROM metrics WHERE run_id = $r AND method = $m ORDER BY scope, metric`, { r: runId, m: method });
const byKey = (rows: readonly MetricRow[]): MetricRow[] => [...rows].sort((a, b) => (a.scope + a.metric < b.scope + b.metric ? -1 : 1));

describe('metrics', () => {
  it('fold metrics: per fold and over folds, equal to normal equations on the files, replaced on rerun', async () => {
    const req = { runId: 'r1', cohort: 'EUR', method: 'SBayesRC', scorePrefix: 'SBayesRC-', folds: 3, phenoDataset: 'pheno', phenoName: 'trait', covarDataset: 'covar', covarNames, trait: 'quantitative' as const };
    const { rows } = await evaluateFoldsInStore(store, req);
    await evaluateFoldsInStore(store, req);
    expect(rows.length).toBe(4 * 3 + 4);
    expect(byKey(await metricRowsInStore('r1', 'SBayesRC'))).toEqual(byKey(rows));

    const pheno = phenoFromFiles('trait');
    const fold1 = await store.all<{ iid: string; score: number }>(`SELECT iid, score FROM scores WHERE run_id = 'r1' AND score_name = 'SBayesRC-fold1'`);
    const usable = fold1.filter((r) => Number.isFinite(pheno.get(r.iid)!.y) && pheno.get(r.iid)!.cov.every(Number.isFinite));
    const y = usable.map((r) => pheno.get(r.iid)!.y);
    const pgs = usable.map((r) => r.score);
    const cov = covarNames.map((_, k) => usable.map((r) => pheno.get(r.iid)!.cov[k]!));
    const get = (metric: string): MetricRow => rows.find((r) => r.scope === 'fold-1' && r.metric === metric)!;
    const close = (a: number | null, b: number): void => expect(Math.abs(a! - b)).toBeLessThanOrEqual(1e-9 * Math.abs(b));
    expect(get('r2').n).toBe(usable.length);
    close(get('r2').value, pearson(pgs, y) ** 2);
    const full = normalEquations(y, [...cov, pgs]);
    close(get('incremental_r2').value, full.r2 - normalEquations(y, cov).r2);
    close(get('calibration_slope').value, full.beta[covarNames.length + 1]!);
    expect(get('incremental_r2').value!).toBeGreaterThan(0.05);
    const agg = rows.find((r) => r.scope === 'folds' && r.metric === 'r2')!;
    const per = [1, 2, 3].map((k) => rows.find((r) => r.scope === `fold-${k}` && r.metric === 'r2')!.value!);
    close(agg.value, (per[0]! + per[1]! + per[2]!) / 3);
    expect(agg.n).toBe(3);
  });

  it('binary fold metrics for another method leave the first one alone', async () => {
    const { rows } = await evaluateFoldsInStore(store, { runId: 'r1', cohort: 'EUR', method: 'SBayesR', scorePrefix: 'SBayesR-', folds: 3, phenoDataset: 'pheno', phenoName: 'trait_binary', trait: 'binary', prevalence: 0.3 });
    expect(rows.length).toBe(8 * 3 + 8);
    expect(rows.find((r) => r.scope === 'folds' && r.metric === 'auc')!.value!).toBeGreaterThan(0.5);
    expect((await metricRowsInStore('r1', 'SBayesR')).length).toBe(32);
    expect((await metricRowsInStore('r1', 'SBayesRC')).length).toBe(16);
  });

  it('combines ancestries on the tuning split and reports test metrics; deterministic and idempotent', async () => {
    const req = { runId: 'r1', cohort: 'EAS', scoreNames: ['EUR', 'EAS'], ancestries: ['EUR', 'EAS'], phenoDataset: 'pheno', phenoName: 'trait', covarDataset: 'covar', covarNames, trait: 'quantitative' as const, tuningFraction: 0.5, seed: 3 };
    const res = await combineAncestriesInStore(store, req);
    expect(res.tuning + res.test).toBe(N.EAS);
    expect(res.tuning).toBe(N.EAS / 2);
    expect(Object.keys(res.weights)).toEqual(['EUR', 'EAS']);
    expect(res.rows.filter((r) => r.scope === 'EUR' && r.method === 'SBayesRC').length).toBe(4);
    expect(res.rows.find((r) => r.metric === 'weight:EAS')).toMatchObject({ scope: 'combined', method: 'SBayesRC-multi', value: res.weights.EAS, n: res.tuning });
    expect(res.rows.find((r) => r.scope === 'combined' && r.metric === 'r2')!.n).toBe(res.test);
    const again = await combineAncestriesInStore(store, req);
    expect(again).toEqual(res);
    const stored = [...(await metricRowsInStore('r1', 'SBayesRC-multi')), ...(await metricRowsInStore('r1', 'SBayesRC')).filter((r) => r.scope === 'EUR' || r.scope === 'EAS')];
    expect(byKey(stored)).toEqual(byKey(res.rows));
    // The fold rows of the same method are untouched.
    expect((await metricRowsInStore('r1', 'SBayesRC')).length).toBe(16 + 8);
  });
});

describe('activity adapter', () => {
  it('runs the four steps as activities with the same results', async () => {
    const acts = makeStudyStoreActivities(store);
    const env = new MockActivityEnvironment();
    // env.run cannot infer an activity's result type.
    const run = <A, R>(fn: (a: A) => Promise<R>, a: A): Promise<R> => env.run(fn, a) as Promise<R>;
    const exported = await run(acts.exportGwasSet, { gwasSet: 'r1/EAS', out: join(tmp.dir, 'export', 'eas.ma') });
    expect(exported.rows).toBeGreaterThan(250);
    const scored = await run(acts.scoreCohort, { runId: 'r5', cohort: 'EAS', weightFiles: [join(tmp.dir, 'EAS.w')], scoreNames: ['EAS'], frequencySets: ['r1/EAS'] });
    expect(scored.scored).toBe(N.EAS);
    const evaluated = await run(acts.evaluateFolds, { runId: 'r1', cohort: 'EUR', method: 'SBayesRC', scorePrefix: 'SBayesRC-', folds: 3, phenoDataset: 'pheno', phenoName: 'trait', covarDataset: 'covar', covarNames, trait: 'quantitative' as const });
    expect(byKey(evaluated.rows)).toEqual(byKey((await metricRowsInStore('r1', 'SBayesRC')).filter((r) => r.scope.startsWith('fold'))));
    const combined = await run(acts.combineAncestries, { runId: 'r1', cohort: 'EAS', scoreNames: ['EUR', 'EAS'], ancestries: ['EUR', 'EAS'], phenoDataset: 'pheno', phenoName: 'trait', covarDataset: 'covar', covarNames, trait: 'quantitative' as const, tuningFraction: 0.5, seed: 3 });
    expect(combined.test).toBe(N.EAS / 2);
    // Bad input surfaces as a non-retryable failure.
    await expect(env.run(acts.exportGwasSet, { gwasSet: 'r1/nope', out: join(tmp.dir, 'x.ma') })).rejects.toMatchObject({ type: 'BadInputError', nonRetryable: true });
  });
});
