// The study workflows end to end on the real Temporal dev server with a real DuckDB store:
// a cross-validation and a cross-ancestry study on a small simulated cohort, then resume from
// a non-retryable failure reusing completed steps.
import { readFileSync, writeFileSync } from 'node:fs';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { WorkflowFailedError } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { sha256Text } from '../../activities/fingerprint.js';
import { Store } from '../../activities/store/store.js';
import { parseSimulateOptions } from '../../config/simulate.js';
import { type StudyInput as StudyFileInput, parseStudy } from '../../config/study.js';
import { simulateStudy } from '../../activities/simulate/simulateStudy.js';
import { resolveStudyPaths } from '../../client/study/studyInput.js';
import { computeActivities, storeActivities, workflowBundle } from '../../worker/workers.js';
import { crossAncestryStudy } from '../../workflows/crossAncestryStudy.js';
import { crossValidationStudy } from '../../workflows/crossValidationStudy.js';
import type { StudyInput, StudyResult } from '../../workflows/studyTypes.js';
import { makeTmpDir } from '../helpers/tmp.js';

const STORE_QUEUE = 'study-store';
const COMPUTE_QUEUE = 'study-compute';

let env: TestWorkflowEnvironment;
let store: Store;
let tmp: { dir: string; cleanup: () => void };
let simDir: string;

beforeAll(async () => {
  tmp = makeTmpDir('study');
  simDir = `${tmp.dir}/sim`;
  await simulateStudy(parseSimulateOptions({ ancestries: ['EUR', 'EAS'], samples: [3000, 1500], refSamples: 400, snps: 1000, blockSnps: 100, seed: 5 }), simDir);
  env = await TestWorkflowEnvironment.createLocal({
    server: { executable: { type: 'existing-path', path: inject('temporalCli') }, dbFilename: `${tmp.dir}/temporal.sqlite` },
  });
  store = await Store.open(`${tmp.dir}/store`);
}, 120_000);

afterAll(async () => {
  store?.close();
  await env?.teardown();
  tmp?.cleanup();
});

async function withWorkers<T>(fn: () => Promise<T>): Promise<T> {
  const storeWorker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue: STORE_QUEUE,
    workflowBundle: await workflowBundle(),
    activities: storeActivities(store),
  });
  const computeWorker = await Worker.create({ connection: env.nativeConnection, taskQueue: COMPUTE_QUEUE, activities: computeActivities(), maxConcurrentActivityTaskExecutions: 2 });
  return storeWorker.runUntil(computeWorker.runUntil(fn));
}

const SMALL_FIT = { iterations: 150, burnIn: 50, checkpointEvery: 20 };

/** The simulator's study file with small settings, written next to the data. */
function studyFile(name: string, base: 'study.json' | 'study-cross-ancestry.json', patch: Partial<StudyFileInput>): string {
  const raw = JSON.parse(readFileSync(`${simDir}/${base}`, 'utf8')) as StudyFileInput;
  const study = { ...raw, name, ...patch };
  const path = `${simDir}/${name}.json`;
  writeFileSync(path, JSON.stringify(study, null, 2));
  return path;
}

function studyInput(path: string, extra: Partial<StudyInput> = {}): StudyInput {
  const text = readFileSync(path, 'utf8');
  return {
    study: resolveStudyPaths(parseStudy(JSON.parse(text), path), simDir),
    studyText: text,
    studySha256: sha256Text(text),
    studyPath: path,
    codeVersion: 'test',
    computeTaskQueue: COMPUTE_QUEUE,
    artifactsDir: store.paths.artifacts,
    heartbeatTimeout: '20 seconds',
    ...extra,
  };
}

const metric = (r: StudyResult, scope: string, method: string, name: string) => r.metrics.find((m) => m.scope === scope && m.method === method && m.metric === name);

describe('study workflows', () => {
  it('runs a 3-fold cross-validation with SBayesRC and the SBayesR baseline', async () => {
    const path = studyFile('cv_small', 'study.json', { design: { type: 'cross-validation', folds: 3, ancestry: 'EUR' }, sbayesrc: { ...SMALL_FIT, baseline: true } });
    const result = await withWorkers(() =>
      env.client.workflow.execute(crossValidationStudy, { workflowId: 'cv-1', taskQueue: STORE_QUEUE, args: [studyInput(path)] }),
    );
    expect(result.status).toBe("completed");
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
  }, 600_000);

  it('runs a cross-ancestry study and reports single-ancestry and combined test metrics', async () => {
    const path = studyFile('multi_small', 'study-cross-ancestry.json', { sbayesrc: SMALL_FIT });
    const result = await withWorkers(() =>
      env.client.workflow.execute(crossAncestryStudy, { workflowId: 'multi-1', taskQueue: STORE_QUEUE, args: [studyInput(path)] }),
    );
    if (process.env.DEBUG_STUDY) {
      console.log(JSON.stringify(result.metrics.filter((m) => m.metric === 'r2')));
      console.log(JSON.stringify(await store.all(`SELECT scope, h2, nnz, cutoff FROM fits ORDER BY scope`)));
      console.log(JSON.stringify(await store.all(`SELECT gwas_set, count(*) AS n, avg(b*b) AS b2 FROM gwas GROUP BY 1 ORDER BY 1`), (_, v) => (typeof v === 'bigint' ? Number(v) : v)));
    }
    expect(result.status).toBe("completed");
    for (const scope of ['EUR', 'EAS']) expect(metric(result, scope, 'SBayesRC', 'r2')?.value).toBeGreaterThan(0.05);
    const weights = result.metrics.filter((m) => m.metric.startsWith('weight:'));
    expect(weights.map((w) => w.metric).sort()).toEqual(['weight:EAS', 'weight:EUR']);
    // Target EAS trains too: its cohort is halved (GWAS on one half), the other half split 50/50.
    expect(metric(result, 'combined', 'SBayesRC-multi', 'r2')?.n).toBe(375);
  }, 600_000);
});
