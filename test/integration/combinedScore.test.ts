// The SBayesRC-multi combined score as an output (issue 21), end to end on the real Temporal dev
// server with a store worker and a compute worker: a small cross-ancestry study with THREE
// training ancestries (EUR, EAS, AFR; the target AFR trains too), then
//   - the store holds the combined score of every scored target sample (tuning and test), equal
//     to the mixing model applied to the per-ancestry scores, and a rerun of the step replaces
//     the rows (no duplicates, same numbers);
//   - `pgsflow report --exports` writes ONE combined PGS Catalog scoring file whose header notes
//     give the counts and weights;
//   - scoring the target cohort with that file through `pgsflow score` (full precision) and
//     through Debian's `plink2 --score` (6 significant digits) reproduces the stored score for
//     every target sample;
//   - the report's calibration includes the combined score.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { parseSimulateOptions } from '../../config/simulate.js';
import { evaluationSamples } from '../../core/evaluation/evaluationSamples.js';
import { combineAncestriesInStore } from '../../core/multiAncestry/combineAncestries.js';
import { combineRawScores, rawScoreScale } from '../../core/multiAncestry/combinedScore.js';
import { splitTuningTest } from '../../core/multiAncestry/tuningSplit.js';
import { gatherReport, runDatasets } from '../../core/runRecords/reportData.js';
import { simulateStudy } from '../../core/simulate/simulateStudy.js';
import { Store } from '../../core/store/store.js';
import type { CombineAncestriesRequest, CombinedScoreModel } from '../../contracts/evaluation.js';
import { makeComputeActivities, makeStoreActivities, workflowBundle } from '../../worker/workers.js';
import { crossAncestryStudy } from '../../workflows/crossAncestryStudy.js';
import { runCli } from '../helpers/cli.js';
import { type LocalTemporal, startLocalTemporal } from '../helpers/localTemporal.js';
import { pearson } from '../helpers/pearson.js';
import { column, plink2, readTable } from '../helpers/plink2.js';
import { studyInputFor, writeStudyVariant } from '../helpers/studyFiles.js';
import { makeTmpDir } from '../helpers/tmp.js';

const STORE_QUEUE = 'combined-store';
const COMPUTE_QUEUE = 'combined-compute';
const RUN = 'multi3';
const ANCESTRIES = ['EUR', 'EAS', 'AFR'];
const COMBINED = 'SBayesRC-multi';
/** The target trains too: its GWAS on one half of the cohort, the other half scored. */
const TARGET = 'AFR';

let temporal: LocalTemporal | undefined;
let store: Store | undefined;
let tmp: { dir: string; cleanup: () => void };
let simDir: string;
let storeDir: string;

beforeAll(async () => {
  tmp = makeTmpDir('combined');
  simDir = `${tmp.dir}/sim`;
  storeDir = `${tmp.dir}/store`;
  await simulateStudy(parseSimulateOptions({ ancestries: ANCESTRIES, samples: [2000, 1000, 1200], refSamples: 300, snps: 600, blockSnps: 100, seed: 7 }), simDir);
  // The simulator names every variant's alleles alike in every file; real panels do not. EUR's LD
  // reference names the other allele A1 at every third variant (genotypes recoded to match) and
  // AFR's lists every fourth unambiguous variant on the opposite strand, so the fits disagree with
  // each other and with the target's genotypes the way they do in practice.
  relabelPanel(`${simDir}/ref/EUR`, 3, 'swap');
  relabelPanel(`${simDir}/ref/AFR`, 4, 'strand');
  temporal = await startLocalTemporal(tmp.dir, inject('temporalCli'));
  store = await Store.open(storeDir);
}, 300_000);

afterAll(async () => {
  store?.close();
  await temporal?.stop();
  tmp?.cleanup();
});

const COMPLEMENT: Record<string, string> = { A: 'T', T: 'A', C: 'G', G: 'C' };

/**
 * Every `every`-th variant of a PLINK 1 fileset: 'swap' exchanges A1 and A2 in the .bim and
 * recodes the .bed (hom A1 00 ↔ hom A2 11; het and missing stay), the same genotypes named the
 * other way round; 'strand' writes an unambiguous pair's alleles on the opposite strand.
 */
function relabelPanel(prefix: string, every: number, mode: 'swap' | 'strand'): void {
  const bim = readFileSync(`${prefix}.bim`, 'utf8').trimEnd().split('\n');
  const n = readFileSync(`${prefix}.fam`, 'utf8').trimEnd().split('\n').length;
  const bed = readFileSync(`${prefix}.bed`);
  const bytes = Math.ceil(n / 4);
  const recode = [3, 1, 2, 0];
  const out = bim.map((line, j) => {
    const f = line.split('\t');
    if (j % every !== 0) return line;
    if (mode === 'strand') {
      if (COMPLEMENT[f[4]!] === f[5]) return line;
      return [...f.slice(0, 4), COMPLEMENT[f[4]!]!, COMPLEMENT[f[5]!]!].join('\t');
    }
    const at = 3 + j * bytes;
    for (let i = 0; i < n; i++) {
      const b = at + (i >> 2);
      const shift = 2 * (i & 3);
      const code = (bed[b]! >> shift) & 3;
      bed[b] = (bed[b]! & ~(3 << shift)) | (recode[code]! << shift);
    }
    return [...f.slice(0, 4), f[5], f[4]].join('\t');
  });
  writeFileSync(`${prefix}.bim`, `${out.join('\n')}\n`);
  writeFileSync(`${prefix}.bed`, bed);
}

const openStore = (): Store => {
  if (!store) throw new Error('store closed');
  return store;
};

type StoredScore = {
  fid: string;
  iid: string;
  score: number;
  allele_ct: number;
};

async function storedScores(name: string): Promise<Map<string, StoredScore>> {
  const rows = await openStore().all<StoredScore>(`SELECT fid, iid, score, allele_ct FROM scores WHERE run_id = $r AND score_name = $n`, { r: RUN, n: name });
  return new Map(rows.map((r) => [`${r.fid}\t${r.iid}`, { ...r, allele_ct: Number(r.allele_ct) }]));
}

async function stepOutput(): Promise<{ model: CombinedScoreModel; tuning: number; test: number; scored: number }> {
  const rows = await openStore().all<{ output_json: string }>(`SELECT output_json FROM steps WHERE run_id = $r AND step = 'combineAncestries'`, { r: RUN });
  expect(rows.length).toBe(1);
  return JSON.parse(rows[0]!.output_json) as { model: CombinedScoreModel; tuning: number; test: number; scored: number };
}

/** The combined score from the model and the stored per-ancestry scores, per sample. */
async function fromModel(model: CombinedScoreModel): Promise<Map<string, number>> {
  const per = await Promise.all(model.scoreNames.map((n) => storedScores(n)));
  const keys = [...per[0]!.keys()].filter((k) => per.every((p) => p.has(k)));
  const combined = combineRawScores(
    rawScoreScale(model)!,
    per.map((p) => Float64Array.from(keys, (k) => p.get(k)!.score)),
    model.a2Offset,
  );
  return new Map(keys.map((k, i) => [k, combined[i]!]));
}

let combinedRequest: CombineAncestriesRequest;

describe('the SBayesRC-multi combined score as an output, three training ancestries', () => {
  it('stores the combined score of every scored target sample, equal to the mixing model; a rerun replaces it', async () => {
    const path = writeStudyVariant(simDir, 'study.json', 'multi3', {
      design: { type: 'cross-ancestry', train: ANCESTRIES, target: TARGET, tuningFraction: 0.5 },
      sbayesrc: { iterations: 150, burnIn: 50, checkpointEvery: 20 },
    });
    const s = openStore();
    const storeWorker = await Worker.create({ connection: temporal!.env.nativeConnection, taskQueue: STORE_QUEUE, workflowBundle: await workflowBundle(), activities: makeStoreActivities(s) });
    const computeWorker = await Worker.create({ connection: temporal!.env.nativeConnection, taskQueue: COMPUTE_QUEUE, activities: makeComputeActivities(), maxConcurrentActivityTaskExecutions: 2 });
    const result = await storeWorker.runUntil(
      computeWorker.runUntil(() =>
        temporal!.env.client.workflow.execute(crossAncestryStudy, {
          workflowId: RUN,
          taskQueue: STORE_QUEUE,
          args: [studyInputFor(path, { computeTaskQueue: COMPUTE_QUEUE, artifactsDir: s.paths.artifacts })],
        }),
      ),
    );
    expect(result.status).toBe('completed');
    const weights = result.metrics.filter((m) => m.metric.startsWith('weight:'));
    expect(weights.map((w) => w.metric)).toEqual(ANCESTRIES.map((a) => `weight:${a}`));

    const out = await stepOutput();
    const { model } = out;
    expect(model.scoreName).toBe(COMBINED);
    expect(model.ancestries).toEqual(ANCESTRIES);
    expect(model.fitScopes).toEqual(ANCESTRIES.map((a) => `${a}/SBayesRC`));
    model.ancestries.forEach((a, k) => expect(model.weights[k]).toBe(weights.find((w) => w.metric === `weight:${a}`)!.value));

    // Every scored target sample (AFR trains: its GWAS half is not scored) has exactly one
    // combined score, tuning and test alike, equal to the model applied to its three scores.
    const stored = await storedScores(COMBINED);
    const expected = await fromModel(model);
    const afr = await storedScores(TARGET);
    expect(stored.size).toBe(afr.size);
    expect(stored.size).toBe(out.scored);
    expect(stored.size).toBeGreaterThan(500);
    expect(stored.size).toBeLessThan(700);
    expect(out.tuning + out.test).toBe(stored.size);
    // EUR's fit names the target's A2 at a third of the variants: its weights there count A2.
    expect(model.a2Offset[0]).not.toBe(0);
    expect(model.a2Offset.slice(1)).toEqual([0, 0]);
    let worst = 0;
    for (const [k, v] of expected) worst = Math.max(worst, Math.abs(stored.get(k)!.score - v));
    expect(expected.size).toBe(stored.size);
    expect(worst).toBe(0);
    const [dup] = await s.all<{ n: bigint }>(`SELECT count(*) AS n FROM (SELECT cohort, fid, iid, score_name FROM scores WHERE run_id = $r GROUP BY ALL HAVING count(*) > 1)`, { r: RUN });
    expect(Number(dup!.n)).toBe(0);

    // The stored score minus the recorded offset is the tuning-centred score the test metrics
    // were computed from: its test-sample r² is the recorded combined r².
    const datasets = await runDatasets(s, RUN);
    const study = JSON.parse(readFileSync(path, 'utf8')) as { seed: number; inputs: { covariates: { columns: string[] } } };
    combinedRequest = {
      runId: RUN,
      cohort: model.cohort,
      scoreNames: model.scoreNames,
      ancestries: model.ancestries,
      fitScopes: model.fitScopes as string[],
      phenoDataset: datasets.get('pheno')![0]!,
      phenoName: 'trait',
      covarDataset: datasets.get('covar')![0]!,
      covarNames: study.inputs.covariates.columns,
      trait: 'quantitative',
      tuningFraction: 0.5,
      seed: study.seed,
    };
    const data = await evaluationSamples(s, { ...combinedRequest, scoreNames: [COMBINED] });
    const split = splitTuningTest(data.y.length, 0.5, study.seed);
    const centred = Array.from(split.test, (i) => data.scores[0]![i]! - model.offset!);
    const r2 = pearson(centred, Array.from(split.test, (i) => data.y[i]!)) ** 2;
    const recorded = result.metrics.find((m) => m.scope === 'combined' && m.metric === 'r2')!;
    expect(recorded.n).toBe(split.test.length);
    expect(Math.abs(r2 - recorded.value!)).toBeLessThan(1e-9);

    // A retried step replaces its rows: same count, same numbers, metrics not doubled.
    const metricsBefore = await s.all<{ n: bigint }>(`SELECT count(*) AS n FROM metrics WHERE run_id = $r`, { r: RUN });
    const again = await combineAncestriesInStore(s, combinedRequest);
    expect(again.model).toEqual(model);
    const storedAgain = await storedScores(COMBINED);
    expect(storedAgain.size).toBe(stored.size);
    for (const [k, v] of stored) expect(storedAgain.get(k)!.score).toBe(v.score);
    expect(await s.all(`SELECT count(*) AS n FROM metrics WHERE run_id = $r`, { r: RUN })).toEqual(metricsBefore);
  }, 900_000);

  it('exports one combined scoring file; pgsflow score and plink2 --score on the target reproduce the stored score', async () => {
    const stored = await storedScores(COMBINED);
    const { model } = await stepOutput();
    const report = await gatherReport(openStore(), RUN);
    openStore().close();
    store = undefined;
    try {
      const exportsDir = join(tmp.dir, 'exports');
      const html = join(tmp.dir, 'multi3.html');
      const r = runCli(['report', RUN, '--store', storeDir, '--out', html, '--exports', exportsDir, '--genome-build', 'GRCh37']);
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      const file = join(exportsDir, 'weights', 'combined.pgs.txt');
      expect(r.stdout).toContain(file);
      const text = readFileSync(file, 'utf8');
      const lines = text.split('\n');
      const meta = new Map(lines.filter((l) => /^#[^#=]+=/.test(l)).map((l) => [l.slice(1, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
      const union = Number(meta.get('combination_union_variants'));
      expect(meta.get('variants_number')).toBe(String(union));
      expect(lines.filter((l) => l !== '' && !l.startsWith('#')).length).toBe(union + 1);
      expect(meta.get('combination_ancestries')).toBe(ANCESTRIES.join(','));
      expect(meta.get('combination_target')).toBe(model.cohort);
      expect(Number(meta.get('combination_offset'))).toBe(model.offset);
      for (const [k, a] of ANCESTRIES.entries()) {
        expect(Number(meta.get(`combination_${a}_weight`))).toBe(model.weights[k]);
        expect(Number(meta.get(`combination_${a}_tuning_sd`))).toBe(model.sd[k]);
        expect(Number(meta.get(`combination_${a}_a2_offset`))).toBe(model.a2Offset[k]);
        const variants = Number(meta.get(`combination_${a}_variants`));
        expect(variants + Number(meta.get(`combination_${a}_missing`))).toBe(union);
        expect(Number(meta.get(`combination_${a}_mismatched`))).toBe(0);
      }
      expect(Number(meta.get('combination_EUR_flipped'))).toBeGreaterThan(150);
      expect(Number(meta.get('combination_AFR_strand_flipped'))).toBeGreaterThan(50);
      expect(Number(meta.get('combination_EAS_flipped'))).toBe(0);
      console.log(`combined file header:\n${lines.filter((l) => l.startsWith('#')).join('\n')}`);

      // `pgsflow score` with the file, full precision.
      const geno = join(simDir, 'geno', TARGET);
      const ours = join(tmp.dir, 'combined.sscore.tsv');
      const sc = runCli(['score', '--bfile', geno, '--weights', file, '--out', ours]);
      expect(sc.status, sc.stderr).toBe(0);
      const oursTable = readTable(ours);
      const oursScore = new Map(column(oursTable, 'FID').map((f, i) => [`${f}\t${column(oursTable, 'IID')[i]}`, Number(oursTable.rows[i]![oursTable.header.length - 1])]));
      const oursCt = new Map(column(oursTable, 'FID').map((f, i) => [`${f}\t${column(oursTable, 'IID')[i]}`, Number(column(oursTable, 'ALLELE_CT')[i])]));
      const size = Math.max(...[...stored.values()].map((v) => Math.abs(v.score)));
      let worstOurs = 0;
      for (const [k, v] of stored) worstOurs = Math.max(worstOurs, Math.abs(oursScore.get(k)! - v.score));
      expect(worstOurs).toBeLessThanOrEqual(1e-12 * size);

      // plink2 --score with the same file (its '#' header lines stripped: plink2 2.00a3 reads a
      // plain table), sums printed to 6 significant digits.
      const plain = join(tmp.dir, 'combined.plink.txt');
      writeFileSync(plain, `${lines.filter((l) => !l.startsWith('#')).join('\n')}`);
      const prefix = join(tmp.dir, 'combined_plink');
      plink2(['--bfile', geno, '--score', plain, '1', '4', '6', 'header', 'cols=+scoresums', '--out', prefix]);
      const t = readTable(`${prefix}.sscore`);
      const fid = column(t, 'FID');
      const iid = column(t, 'IID');
      const sums = column(t, 'SCORE1_SUM').map(Number);
      const cts = column(t, 'ALLELE_CT').map(Number);
      const plinkScore = new Map(fid.map((f, i) => [`${f}\t${iid[i]}`, sums[i]!]));
      let worstPlink = 0;
      let worstPlinkRel = 0;
      for (const [k, v] of stored) {
        const p = plinkScore.get(k)!;
        const d = Math.abs(p - v.score);
        expect(d).toBeLessThanOrEqual(5.0001e-6 * Math.abs(p) + 1e-12);
        worstPlink = Math.max(worstPlink, d);
        worstPlinkRel = Math.max(worstPlinkRel, d / Math.abs(p));
      }
      // ALLELE_CT: plink2 counts the union's alleles; the stored count is the largest per-ancestry one.
      const ctPlink = new Map(fid.map((f, i) => [`${f}\t${iid[i]}`, cts[i]!]));
      const ctDiffs = new Set([...stored].map(([k, v]) => ctPlink.get(k)! - v.allele_ct));
      for (const [k] of stored) expect(oursCt.get(k)).toBe(ctPlink.get(k));
      console.log(
        `${stored.size} target samples; |stored| up to ${size.toPrecision(4)}; max |pgsflow score − stored| = ${worstOurs.toExponential(2)}; ` +
          `max |plink2 − stored| = ${worstPlink.toExponential(2)} (max relative ${worstPlinkRel.toExponential(2)}, tolerance 5e-6 relative: 6 significant digits); ` +
          `plink2 ALLELE_CT − stored allele_ct ∈ {${[...ctDiffs].join(', ')}}`,
      );

      // The report's calibration plot has the combined score as a series of its own.
      const cal = report.calibration.find((g) => g.label === `${COMBINED} (combined)`);
      expect(cal).toBeDefined();
      expect(cal!.n).toBe(stored.size);
      expect(report.calibration.map((g) => g.label).sort()).toEqual([...ANCESTRIES.map((a) => `${a} weights`), `${COMBINED} (combined)`].sort());
      expect(readFileSync(html, 'utf8')).toContain(`${COMBINED} (combined) (n = ${stored.size})`);
    } finally {
      store = await Store.open(storeDir);
    }
  }, 300_000);
});
