// Nonlinear models against the linear score on the same folds (issue 20), on the real dev server
// with the real Python ML worker (Temporal Python SDK, scikit-learn, LightGBM) in its own process,
// against simulation truth so the tests can fail:
//  - additive truth: no nonlinear model's paired difference has its 95 % interval above 0;
//  - G×E truth (genetic effect × (1 + 0.6·age)): trees and the MLP on pgs+covariates beat the
//    linear score with the interval above 0;
//  - epistatic truth (90 % of h² from pairs, half within LD blocks): trees on the top SNPs gain over
//    the elastic-net control on the same SNPs, and the parts add up (model − linear score =
//    (model − elastic net) + (elastic net − linear score));
//  - a second run and a run whose Python worker was SIGKILLed mid-training give identical metrics.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Store } from '../../core/store/store.js';
import { parseSimulateOptions, type SimulateOptionsInput } from '../../config/simulate.js';
import { simulateStudy } from '../../core/simulate/simulateStudy.js';
import { crossValidationStudy } from '../../workflows/crossValidationStudy.js';
import type { StudyResult } from '../../contracts/study.js';
import type { MetricRow } from '../../contracts/evaluation.js';
import { nonlinearAnswer, pairedDifferences } from '../../core/nonlinear/nonlinearAnswer.js';
import { type MlWorker, startMlWorker } from '../../client/mlWorkerProcess.js';
import { studyInputFor, writeStudyVariant } from '../helpers/studyFiles.js';
import { makeTmpDir } from '../helpers/tmp.js';
import { withStudyWorkers } from '../helpers/studyWorkers.js';
import { type LocalTemporal, startLocalTemporal } from '../helpers/localTemporal.js';

const STORE_QUEUE = 'nonlinear-store';
const COMPUTE_QUEUE = 'nonlinear-compute';
const ML_QUEUE = 'nonlinear-ml';
const SMALL_FIT = { iterations: 150, burnIn: 50, checkpointEvery: 50 };
const NONLINEAR = { models: ['gbdt', 'mlp'], inputs: ['pgs+covariates', 'snps+covariates'], topSnps: 60, seed: 3 } as const;
const FOLDS = 5;

let env: TestWorkflowEnvironment;
let temporal: LocalTemporal | undefined;
let store: Store;
let tmp: { dir: string; cleanup: () => void };
let ml: MlWorker | undefined;

const SIM: SimulateOptionsInput = { ancestries: ['EUR'], samples: [3000], refSamples: 400, snps: 1000, blockSnps: 100, annotations: 2, h2: 0.5, causalFraction: 0.02 };
const TRUTHS: Record<string, SimulateOptionsInput> = {
  additive: { ...SIM, seed: 21 },
  gxe: { ...SIM, seed: 22, gxe: 'age:0.6' },
  // Smaller blocks and more causal SNPs: cis partners in real LD (|r| ≈ 0.3), as the simulator's tests measured.
  epistasis: { ...SIM, seed: 23, epistasis: 0.9, causalFraction: 0.04, blockSnps: 50 },
};

const startMl = (): Promise<MlWorker> =>
  startMlWorker({ python: inject('mlPython'), address: temporal!.server.address, namespace: 'default', taskQueue: ML_QUEUE, log: () => undefined });

beforeAll(async () => {
  tmp = makeTmpDir('nonlinear');
  for (const [name, options] of Object.entries(TRUTHS)) await simulateStudy(parseSimulateOptions(options), `${tmp.dir}/${name}`);
  temporal = await startLocalTemporal(tmp.dir, inject('temporalCli'));
  env = temporal.env;
  store = await Store.open(`${tmp.dir}/store`);
  ml = await startMl();
}, 300_000);

afterAll(async () => {
  await ml?.stop();
  store?.close();
  await temporal?.stop();
  tmp?.cleanup();
});

const withWorkers = <T>(fn: () => Promise<T>): Promise<T> => withStudyWorkers(env, store, { store: STORE_QUEUE, compute: COMPUTE_QUEUE }, fn);

function studyPath(truth: string, name: string, topSnps: number = NONLINEAR.topSnps): string {
  return writeStudyVariant(`${tmp.dir}/${truth}`, 'study.json', name, {
    design: { type: 'cross-validation', folds: FOLDS, ancestry: 'EUR' },
    sbayesrc: SMALL_FIT,
    nonlinear: { ...NONLINEAR, models: [...NONLINEAR.models], inputs: [...NONLINEAR.inputs], topSnps },
  });
}

async function runStudy(truth: string, name: string, during?: (workflowId: string) => Promise<void>, topSnps?: number): Promise<StudyResult> {
  const input = { ...studyInputFor(studyPath(truth, name, topSnps), { computeTaskQueue: COMPUTE_QUEUE, artifactsDir: store.paths.artifacts, heartbeatTimeout: '15 seconds' }), mlTaskQueue: ML_QUEUE };
  return withWorkers(async () => {
    const handle = await env.client.workflow.start(crossValidationStudy, { workflowId: name, taskQueue: STORE_QUEUE, args: [input] });
    if (during) await during(name);
    return handle.result();
  });
}

const nonlinearRows = (r: StudyResult): MetricRow[] => r.metrics.filter((m) => m.method.includes(':'));
const value = (r: StudyResult, method: string, metric: string, scope = 'folds'): MetricRow | undefined => r.metrics.find((m) => m.scope === scope && m.method === method && m.metric === metric);
const comparable = (rows: MetricRow[]): unknown[] => rows.map((m) => [m.scope, m.method, m.metric, m.value, m.se, m.n]);

describe('nonlinear vs linear on the same folds', () => {
  let additive: StudyResult;

  it('additive truth: every model and feature set judged on every fold; no nonlinear model beats the linear score', async () => {
    additive = await runStudy('additive', 'nl_additive');
    const rows = nonlinearRows(additive);
    for (const method of ['linear:pgs+covariates', 'gbdt:pgs+covariates', 'mlp:pgs+covariates', 'elasticnet:snps+covariates', 'gbdt:snps+covariates', 'mlp:snps+covariates']) {
      for (let k = 1; k <= FOLDS; k++) expect(value(additive, method, 'r2', `fold-${k}`)?.value, `${method} fold ${k}`).toBeTypeOf('number');
      expect(value(additive, method, 'r2')?.n).toBe(FOLDS);
    }
    // The linear score with covariates explains most of h² = 0.5 on held-out samples.
    expect(value(additive, 'linear:pgs+covariates', 'r2')!.value!).toBeGreaterThan(0.3);
    // Its incremental R² agrees with the SBayesRC score's own (same folds, same scores).
    expect(Math.abs(value(additive, 'linear:pgs+covariates', 'incremental_r2')!.value! - value(additive, 'SBayesRC', 'incremental_r2')!.value!)).toBeLessThan(0.02);
    const deltas = pairedDifferences(rows, 'quantitative').filter((d) => d.metric === 'delta_r2' && !d.method.startsWith('elasticnet:'));
    expect(deltas.map((d) => d.method).sort()).toEqual(['gbdt:pgs+covariates', 'gbdt:snps+covariates', 'mlp:pgs+covariates', 'mlp:snps+covariates']);
    for (const d of deltas) expect(d.low, `${d.method} ${d.mean} (${d.low}, ${d.high})`).toBeLessThanOrEqual(0);
    expect(nonlinearAnswer(rows, 'quantitative')).toMatch(/^No nonlinear model beat the linear score/);
    console.log(`additive: ${nonlinearAnswer(rows, 'quantitative')}`);
  }, 900_000);

  it('a second run of the same study gives identical nonlinear metrics (seeded, single-threaded)', async () => {
    const again = await runStudy('additive', 'nl_additive_again');
    expect(comparable(nonlinearRows(again))).toEqual(comparable(nonlinearRows(additive)));
  }, 900_000);

  it('SIGKILL of the Python worker mid-training: the fit is retried on a new worker and the metrics are identical', async () => {
    let killed = false;
    const result = await runStudy('additive', 'nl_additive_killed', async (workflowId) => {
      const handle = env.client.workflow.getHandle(workflowId);
      const deadline = Date.now() + 600_000;
      while (Date.now() < deadline) {
        const d = await handle.describe();
        if (d.raw.pendingActivities?.some((a) => a.activityType?.name === 'fitNonlinear' && a.attempt === 1 && a.lastStartedTime)) break;
        await new Promise((r) => setTimeout(r, 200));
      }
      process.kill(ml!.pid, 'SIGKILL');
      await ml!.exited;
      killed = true;
      ml = await startMl();
    });
    expect(killed).toBe(true);
    // The history: a fitNonlinear activity whose recorded start is a second (or later) attempt.
    const history = await env.client.workflow.getHandle('nl_additive_killed').fetchHistory();
    const types = new Map<string, string>();
    let retried = 0;
    for (const e of history.events ?? []) {
      if (e.activityTaskScheduledEventAttributes) types.set(String(e.eventId), e.activityTaskScheduledEventAttributes.activityType?.name ?? '');
      const started = e.activityTaskStartedEventAttributes;
      if (started && types.get(String(started.scheduledEventId)) === 'fitNonlinear' && (started.attempt ?? 1) >= 2) retried++;
    }
    expect(retried).toBeGreaterThanOrEqual(1);
    expect(comparable(nonlinearRows(result))).toEqual(comparable(nonlinearRows(additive)));
  }, 900_000);

  it('G×E truth: trees and the MLP on pgs+covariates beat the linear score, interval above 0', async () => {
    const result = await runStudy('gxe', 'nl_gxe');
    const rows = nonlinearRows(result);
    const deltas = pairedDifferences(rows, 'quantitative');
    for (const method of ['gbdt:pgs+covariates', 'mlp:pgs+covariates']) {
      const d = deltas.find((x) => x.method === method && x.metric === 'delta_r2')!;
      expect(d.low, `${method} ${d.mean} (${d.low}, ${d.high})`).toBeGreaterThan(0);
    }
    expect(nonlinearAnswer(rows, 'quantitative')).toMatch(/pgs\+covariates.* beat the linear score/);
    console.log(`gxe: ${nonlinearAnswer(rows, 'quantitative')}`);
  }, 900_000);

  it('epistatic truth in LD: the elastic-net control on the same SNPs, and which part of the SNP models’ gain is nonlinear', async () => {
    // 200 SNPs: enough for the pairs' partners to be among them.
    const result = await runStudy('epistasis', 'nl_epistasis', undefined, 200);
    const rows = nonlinearRows(result);
    const control = value(result, 'elasticnet:snps+covariates', 'r2')!.value!;
    expect(control).toBeGreaterThan(0.05);
    for (const method of ['gbdt:snps+covariates', 'mlp:snps+covariates']) {
      const vsControl = value(result, method, 'delta_r2_vs_elasticnet')!;
      const vsLinear = value(result, method, 'delta_r2')!;
      const controlVsLinear = value(result, 'elasticnet:snps+covariates', 'delta_r2')!;
      // The decomposition: (model − linear score) = (model − elastic net) + (elastic net − linear score).
      expect(vsLinear.value!).toBeCloseTo(vsControl.value! + controlVsLinear.value!, 10);
    }
    // The trees find some of the pairwise signal the elastic net on the same SNPs cannot
    // (measured: +0.026, 95 % CI −0.002 to +0.053 over 5 folds at this size).
    expect(value(result, 'gbdt:snps+covariates', 'delta_r2_vs_elasticnet')!.value!).toBeGreaterThan(0);
    expect(nonlinearAnswer(rows, 'quantitative')).toMatch(/beat the linear score/);
    console.log(`epistasis: ${nonlinearAnswer(rows, 'quantitative')}`);
    console.log(JSON.stringify(pairedDifferences(rows, 'quantitative')));
  }, 900_000);
});
