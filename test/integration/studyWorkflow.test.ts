// The study workflows end to end on the real Temporal dev server with a real DuckDB store:
// a cross-validation and a cross-ancestry study on a small simulated cohort, then resume from
// a non-retryable failure reusing completed steps.
import { execFileSync } from 'node:child_process';
import { appendFileSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { WorkflowFailedError } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Store } from '../../core/store/store.js';
import { parseSimulateOptions } from '../../config/simulate.js';
import type { StudyFileInput } from '../../config/study.js';
import { simulateStudy } from '../../core/simulate/simulateStudy.js';
import { crossAncestryStudy } from '../../workflows/crossAncestryStudy.js';
import { crossValidationStudy } from '../../workflows/crossValidationStudy.js';
import type { StudyInput, StudyResult } from '../../contracts/study.js';
import { studyInputFor, writeStudyVariant } from '../helpers/studyFiles.js';
import { makeTmpDir } from '../helpers/tmp.js';
import { withStudyWorkers } from '../helpers/studyWorkers.js';
import { type LocalTemporal, startLocalTemporal } from '../helpers/localTemporal.js';

const STORE_QUEUE = 'study-store';
const COMPUTE_QUEUE = 'study-compute';

let env: TestWorkflowEnvironment;
let temporal: LocalTemporal | undefined;
let store: Store;
let tmp: { dir: string; cleanup: () => void };
let simDir: string;

beforeAll(async () => {
  tmp = makeTmpDir('study');
  simDir = `${tmp.dir}/sim`;
  await simulateStudy(parseSimulateOptions({ ancestries: ['EUR', 'EAS'], samples: [3000, 1500], refSamples: 400, snps: 1000, blockSnps: 100, seed: 5 }), simDir);
  temporal = await startLocalTemporal(tmp.dir, inject('temporalCli'));
  env = temporal.env;
  store = await Store.open(`${tmp.dir}/store`);
}, 120_000);

afterAll(async () => {
  store?.close();
  await temporal?.stop();
  tmp?.cleanup();
});

const withWorkers = <T>(fn: () => Promise<T>): Promise<T> => withStudyWorkers(env, store, { store: STORE_QUEUE, compute: COMPUTE_QUEUE }, fn);

const SMALL_FIT = { iterations: 150, burnIn: 50, checkpointEvery: 20 };

/** The simulator's study file with small settings, written next to the data. */
const studyFile = (name: string, base: 'study.json' | 'study-cross-ancestry.json', patch: Partial<StudyFileInput>): string => writeStudyVariant(simDir, base, name, patch);

const studyInput = (path: string, extra: { resumedFrom?: string } = {}): StudyInput =>
  studyInputFor(path, { computeTaskQueue: COMPUTE_QUEUE, artifactsDir: store.paths.artifacts, ...extra });

let cvResult: StudyResult;
let multiResult: StudyResult;
const CV_PATCH = { design: { type: 'cross-validation', folds: 3, ancestry: 'EUR' }, sbayesrc: { ...SMALL_FIT, baseline: true } } as const;

/** Metrics without the run-specific parts, for comparing runs. */
const values = (r: StudyResult) => r.metrics.map((m) => [m.scope, m.method, m.metric, m.value, m.se, m.n]);

/** With PGSFLOW_RECORD_HISTORIES=1, keep these histories as replay fixtures (test/integration/replay.test.ts). */
function recordHistories(ids: Record<string, string>): void {
  if (process.env.PGSFLOW_RECORD_HISTORIES !== '1') return;
  for (const [fixture, workflowId] of Object.entries(ids)) {
    const json = execFileSync(inject('temporalCli'), ['workflow', 'show', '--workflow-id', workflowId, '--output', 'json', '--address', env.address]);
    // The workflow id is in the name (`/` as `~`): child ids derive from it, so replay needs it.
    writeFileSync(fileURLToPath(new URL(`../fixtures/histories/${fixture}@${workflowId.replaceAll('/', '~')}.json`, import.meta.url)), json);
  }
}

const metric = (r: StudyResult, scope: string, method: string, name: string) => r.metrics.find((m) => m.scope === scope && m.method === method && m.metric === name);

describe('study workflows', () => {
  it('runs a 3-fold cross-validation with SBayesRC and the SBayesR baseline', async () => {
    const path = studyFile('cv_small', 'study.json', CV_PATCH);
    const result = await withWorkers(() =>
      env.client.workflow.execute(crossValidationStudy, { workflowId: 'cv-1', taskQueue: STORE_QUEUE, args: [studyInput(path)] }),
    );
    expect(result.status).toBe('completed');
    cvResult = result;
    recordHistories({ crossValidationStudy: 'cv-1', foldPipeline: 'cv-1/fold-1' });
    for (const method of ['SBayesRC', 'SBayesR']) {
      // h² = 0.5 simulated, GWAS n = 2,000 on 1,000 SNPs: the held-out R² is well above zero.
      for (let k = 1; k <= 3; k++) expect(metric(result, `fold-${k}`, method, 'r2')?.value).toBeGreaterThan(0.3);
      const mean = metric(result, 'folds', method, 'r2')!;
      expect(mean.n).toBe(3);
      const perFold = [1, 2, 3].map((k) => metric(result, `fold-${k}`, method, 'r2')!.value!);
      expect(mean.value).toBeCloseTo(perFold.reduce((a, b) => a + b) / 3, 12);
    }
    const runs = await store.all<{ status: string }>(`SELECT status FROM runs WHERE run_id = 'cv-1'`);
    expect(runs).toEqual([{ status: 'completed' }]);
    const stored = await store.all<{ n: bigint }>(`SELECT count(*) AS n FROM metrics WHERE run_id = 'cv-1'`);
    expect(Number(stored[0]!.n)).toBe(result.metrics.length);
    const fits = await store.all<{ n: bigint }>(`SELECT count(*) AS n FROM fits WHERE run_id = 'cv-1'`);
    expect(Number(fits[0]!.n)).toBe(6);
    // The parent's and every fold's history are archived in the store at completion.
    const archived = await store.all<{ workflow_id: string }>(`SELECT workflow_id FROM histories WHERE run_id = 'cv-1' ORDER BY workflow_id`);
    expect(archived.map((h) => h.workflow_id)).toEqual(['cv-1', 'cv-1/fold-1', 'cv-1/fold-2', 'cv-1/fold-3']);
  }, 600_000);

  it('runs a cross-ancestry study and reports single-ancestry and combined test metrics', async () => {
    const path = studyFile('multi_small', 'study-cross-ancestry.json', { sbayesrc: SMALL_FIT });
    const result = await withWorkers(() =>
      env.client.workflow.execute(crossAncestryStudy, { workflowId: 'multi-1', taskQueue: STORE_QUEUE, args: [studyInput(path)] }),
    );
    expect(result.status).toBe('completed');
    multiResult = result;
    recordHistories({ crossAncestryStudy: 'multi-1', ancestryFit: 'multi-1/EAS' });
    for (const scope of ['EUR', 'EAS']) expect(metric(result, scope, 'SBayesRC', 'r2')?.value).toBeGreaterThan(0.05);
    const weights = result.metrics.filter((m) => m.metric.startsWith('weight:'));
    expect(weights.map((w) => w.metric).sort()).toEqual(['weight:EAS', 'weight:EUR']);
    // Target EAS trains too: its cohort is halved (GWAS on one half), the other half split 50/50.
    expect(metric(result, 'combined', 'SBayesRC-multi', 'r2')?.n).toBe(375);
  }, 600_000);

  it('fails non-retryably on a bad phenotype line, then resumes after the fix reusing completed steps', async () => {
    const good = readFileSync(`${simDir}/pheno.tsv`, 'utf8');
    const lines = good.split('\n');
    lines[4] = lines[4]!.replace(/\t[^\t]+$/, ''); // line 5 loses its last field
    writeFileSync(`${simDir}/pheno_fixable.tsv`, lines.join('\n'));
    const raw = JSON.parse(readFileSync(`${simDir}/study.json`, 'utf8')) as StudyFileInput;
    const path = studyFile('cv_resume', 'study.json', { ...CV_PATCH, inputs: { ...raw.inputs, phenotype: { ...raw.inputs.phenotype, file: 'pheno_fixable.tsv' } } });

    const failure = await withWorkers(() =>
      env.client.workflow.execute(crossValidationStudy, { workflowId: 'cv-resume-1', taskQueue: STORE_QUEUE, args: [studyInput(path)] }).then(
        () => null,
        (e: unknown) => e,
      ),
    );
    expect(failure).toBeInstanceOf(WorkflowFailedError);
    const chain: string[] = [];
    for (let e: unknown = failure; e instanceof Error; e = e.cause) chain.push(e.message);
    expect(chain.join(' / ')).toMatch(/pheno_fixable\.tsv:5(:\d+)?: /);
    const failedRun = await store.all<{ status: string }>(`SELECT status FROM runs WHERE run_id = 'cv-resume-1'`);
    expect(failedRun).toEqual([{ status: 'failed' }]);
    // Non-retryable: one attempt in the history.
    const history = await env.client.workflow.getHandle('cv-resume-1').fetchHistory();
    const attempts = (history.events ?? []).filter((ev) => ev.activityTaskStartedEventAttributes).map((ev) => ev.activityTaskStartedEventAttributes!.attempt ?? 0);
    expect(Math.max(...attempts)).toBe(1);

    writeFileSync(`${simDir}/pheno_fixable.tsv`, good);
    const resumed = await withWorkers(() =>
      env.client.workflow.execute(crossValidationStudy, {
        workflowId: 'cv-resume-2',
        taskQueue: STORE_QUEUE,
        args: [studyInput(path, { resumedFrom: 'cv-resume-1' })],
      }),
    );
    expect(resumed.resumedFrom).toBe('cv-resume-1');
    expect(resumed.cacheHits).toBeGreaterThanOrEqual(1);
    const hits = await store.all<{ step: string; scope: string }>(`SELECT step, scope FROM steps WHERE run_id = 'cv-resume-2' AND cache_hit ORDER BY step_key`);
    expect(hits.map((h) => h.step)).toEqual(['ingest']);
    const runRow = await store.all<{ resumed_from: string; status: string }>(`SELECT resumed_from, status FROM runs WHERE run_id = 'cv-resume-2'`);
    expect(runRow).toEqual([{ resumed_from: 'cv-resume-1', status: 'completed' }]);
    // Same data, parameters and seed as cv-1 (another name and run id): identical numbers.
    expect(values(resumed)).toEqual(values(cvResult));
  }, 600_000);

  it('runs two studies on one store at the same time, each with the numbers it has alone', async () => {
    const cvPath = `${simDir}/cv_small.json`;
    const multiPath = `${simDir}/multi_small.json`;
    const [cv, multi] = await withWorkers(() =>
      Promise.all([
        env.client.workflow.execute(crossValidationStudy, { workflowId: 'cv-2', taskQueue: STORE_QUEUE, args: [studyInput(cvPath)] }),
        env.client.workflow.execute(crossAncestryStudy, { workflowId: 'multi-2', taskQueue: STORE_QUEUE, args: [studyInput(multiPath)] }),
      ]),
    );
    expect(values(cv)).toEqual(values(cvResult));
    expect(values(multi)).toEqual(values(multiResult));
    const dup = await store.all<{ n: bigint }>(
      `SELECT count(*) AS n FROM (SELECT run_id, cohort, fid, iid, score_name FROM scores GROUP BY ALL HAVING count(*) > 1)`,
    );
    expect(Number(dup[0]!.n)).toBe(0);
    const effects = await store.all<{ n: bigint }>(`SELECT count(*) AS n FROM (SELECT run_id, scope, snp FROM effects GROUP BY ALL HAVING count(*) > 1)`);
    expect(Number(effects[0]!.n)).toBe(0);
  }, 600_000);

  it('a resume recomputes a step whose output file was deleted or edited, and reuses the rest', async () => {
    const outputOf = async (step: string, scope: string) => {
      const rows = await store.all<{ output_json: string }>(`SELECT output_json FROM steps WHERE run_id = 'cv-1' AND step = $s AND scope = $c`, { s: step, c: scope });
      return JSON.parse(rows[0]!.output_json) as Record<string, string>;
    };
    const fit = await outputOf('fitSbayesrc', 'fold-2/SBayesRC');
    rmSync(`${fit.prefix}.txt`);
    const exported = await outputOf('exportGwas', 'fold-1');
    appendFileSync(exported.out!, 'edited\n');
    const resumed = await withWorkers(() =>
      env.client.workflow.execute(crossValidationStudy, {
        workflowId: 'cv-1-files',
        taskQueue: STORE_QUEUE,
        args: [studyInput(`${simDir}/cv_small.json`, { resumedFrom: 'cv-1' })],
      }),
    );
    const hit = async (step: string, scope: string) =>
      (await store.all<{ cache_hit: boolean }>(`SELECT cache_hit FROM steps WHERE run_id = 'cv-1-files' AND step = $s AND scope = $c`, { s: step, c: scope }))[0]?.cache_hit;
    expect(await hit('fitSbayesrc', 'fold-2/SBayesRC')).toBe(false); // its .txt was gone
    expect(await hit('exportGwas', 'fold-1')).toBe(false); // its file no longer had the recorded sha256
    expect(await hit('impute', 'fold-1')).toBe(true); // the re-export has the same content, so the same key
    expect(await hit('fitSbayesrc', 'fold-1/SBayesRC')).toBe(true);
    expect(await hit('fitSbayesrc', 'fold-3/SBayesR')).toBe(true);
    // The recomputed fit is the same chain (same inputs and seed): identical metrics.
    expect(values(resumed)).toEqual(values(cvResult));
    // Reused QC steps bring their filter counts along: the resumed run's audit shows them all.
    const counts = (run: string) =>
      store.all<{ scope: string; rule: string; removed: number }>(`SELECT scope, rule, removed FROM qc_counts WHERE run_id = $r ORDER BY scope, gwas_set, position`, { r: run });
    const reused = await counts('cv-1-files');
    expect(reused.length).toBeGreaterThan(0);
    expect(reused).toEqual(await counts('cv-1'));
    // … and the variants each filter removed.
    const removed = (run: string) =>
      store.all<{ scope: string; snp: string; rule: string }>(`SELECT scope, gwas_set, snp, rule, detail FROM qc_removed WHERE run_id = $r ORDER BY ALL`, { r: run });
    expect((await removed('cv-1')).length).toBeGreaterThan(0);
    expect(await removed('cv-1-files')).toEqual(await removed('cv-1'));
  }, 600_000);
});
