// Workflows on the real Temporal dev server (the `temporal` CLI binary) with a real DuckDB store.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ApplicationFailure, WorkflowFailedError } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker, bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Store } from '../../core/store/store.js';
import { makeComputeActivities, makeStoreActivities } from '../../worker/workers.js';
import { demoProgressQuery, demoWorkflow } from '../../workflows/demo.js';
import { makeProbeActivities } from '../helpers/probeActivities.js';
import { makeTmpDir } from '../helpers/tmp.js';
import { type LocalTemporal, startLocalTemporal } from '../helpers/localTemporal.js';
import { sha256Text } from '../../core/provenance/fileHash.js';

const STORE_QUEUE = 'test-store';
const COMPUTE_QUEUE = 'test-compute';

let env: TestWorkflowEnvironment;
let temporal: LocalTemporal | undefined;
let store: Store;
let bundle: WorkflowBundleWithSourceMap;
let tmp: { dir: string; cleanup: () => void };

beforeAll(async () => {
  tmp = makeTmpDir('wf');
  temporal = await startLocalTemporal(tmp.dir, inject('temporalCli'));
  env = temporal.env;
  store = await Store.open(`${tmp.dir}/store`);
  bundle = await bundleWorkflowCode({
    workflowsPath: fileURLToPath(new URL('../fixtures/workflows/index.ts', import.meta.url)),
    logger: { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error: console.error },
  });
});

afterAll(async () => {
  store?.close();
  await temporal?.stop();
  tmp?.cleanup();
});

async function withWorkers<T>(fn: () => Promise<T>): Promise<T> {
  const storeWorker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue: STORE_QUEUE,
    workflowBundle: bundle,
    activities: { ...makeStoreActivities(store), ...makeProbeActivities() },
  });
  const computeWorker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue: COMPUTE_QUEUE,
    activities: makeComputeActivities(),
  });
  return storeWorker.runUntil(computeWorker.runUntil(fn));
}

const SMALL_SIM = { ancestries: ['EUR'], samples: [300], refSamples: 100, snps: 400, blockSnps: 50, seed: 4 };

describe('demo workflow', () => {
  it('simulates on the compute queue, ingests into DuckDB, records the run and reads it back', async () => {
    const workflowId = 'demo-test-1';
    const studyDir = `${tmp.dir}/study-1`;
    const result = await withWorkers(async () => {
      const handle = await env.client.workflow.start(demoWorkflow, {
        workflowId,
        taskQueue: STORE_QUEUE,
        args: [{ name: 'demo', codeVersion: 'test', computeTaskQueue: COMPUTE_QUEUE, studyDir, simulate: SMALL_SIM }],
      });
      const record = await handle.result();
      expect(await handle.query(demoProgressQuery)).toEqual({ step: 'done' });
      if (process.env.PGSFLOW_RECORD_HISTORIES === '1') {
        // The CLI's JSON is the canonical history format (what historyFromJSON reads).
        const json = execFileSync(inject('temporalCli'), ['workflow', 'show', '--workflow-id', workflowId, '--output', 'json', '--address', env.address]);
        const out = fileURLToPath(new URL('../fixtures/histories/demoWorkflow.json', import.meta.url));
        writeFileSync(out, json);
      }
      return record;
    });
    const studyJson = readFileSync(`${studyDir}/study.json`, 'utf8');
    expect(result).toMatchObject({ runId: workflowId, name: 'demo', design: 'demo', status: 'completed', studySha256: sha256Text(studyJson), codeVersion: 'test' });
    expect(result.steps.map((s) => s.step)).toEqual(['simulate', 'ingest']);
    expect(result.steps.every((s) => s.attempt === 1)).toBe(true);

    // What the workflow returned is what the store holds, independently read.
    const rows = await store.all<{ status: string; study_sha256: string }>(`SELECT status, study_sha256 FROM runs WHERE run_id = $id`, { id: workflowId });
    expect(rows).toEqual([{ status: 'completed', study_sha256: sha256Text(studyJson) }]);
    const cohorts = await store.all<{ cohort: string; n_samples: number; n_variants: number }>(`SELECT cohort, n_samples, n_variants FROM cohorts ORDER BY cohort`);
    expect(cohorts).toEqual([
      { cohort: 'EUR', n_samples: 300, n_variants: 400 },
      { cohort: 'EUR_ref', n_samples: 100, n_variants: 400 },
    ]);
  });

  it('records a run once even when the workflow id is reused (idempotent activities)', async () => {
    const args = [{ name: 'demo', codeVersion: 'test', computeTaskQueue: COMPUTE_QUEUE, studyDir: `${tmp.dir}/study-2`, simulate: SMALL_SIM }];
    await withWorkers(async () => {
      for (let i = 0; i < 2; i++) {
        await env.client.workflow.execute('demoWorkflow', { workflowId: 'demo-twice', taskQueue: STORE_QUEUE, args });
      }
    });
    const n = await store.all<{ runs: bigint; steps: bigint; samples: bigint }>(
      `SELECT (SELECT count(*) FROM runs WHERE run_id = 'demo-twice') AS runs,
              (SELECT count(*) FROM steps WHERE run_id = 'demo-twice') AS steps,
              (SELECT count(*) FROM samples WHERE cohort = 'EUR') AS samples`,
    );
    expect(n.map((r) => [Number(r.runs), Number(r.steps), Number(r.samples)])).toEqual([[1, 2, 300]]);
  });
});

describe('ingest activity', () => {
  it('fails bad input non-retryably with file, line and column, and writes nothing', async () => {
    const bad = fileURLToPath(new URL('../fixtures/bad/blocks-start-ge-end/blocks.pos', import.meta.url));
    const before = await store.all<{ n: bigint }>(`SELECT count(*) AS n FROM ingests`);
    const err = await withWorkers(() =>
      env.client.workflow.execute('ingestWorkflow', { workflowId: 'ingest-bad', taskQueue: STORE_QUEUE, args: [[{ kind: 'blocks', paths: [bad] }]] }).then(
        () => null,
        (e: unknown) => e,
      ),
    );
    expect(err).toBeInstanceOf(WorkflowFailedError);
    const app = (err as WorkflowFailedError).cause?.cause;
    expect(app).toMatchObject({ type: 'BadInputError', nonRetryable: true });
    expect((app as ApplicationFailure).message).toBe(`${bad}:3:3: block start 3582736 is not before its end 3582736`);
    const history = await env.client.workflow.getHandle('ingest-bad').fetchHistory();
    expect((history.events ?? []).filter((e) => e.activityTaskStartedEventAttributes)).toHaveLength(1);
    expect(await store.all<{ n: bigint }>(`SELECT count(*) AS n FROM ingests`)).toEqual(before);
  });
});

describe('retry contract', () => {
  it('retries a transient failure until it succeeds', async () => {
    const attempt = await withWorkers(() =>
      env.client.workflow.execute('flakyStepWorkflow', { workflowId: 'flaky-transient', taskQueue: STORE_QUEUE, args: ['transient', 2] }),
    );
    expect(attempt).toBe(3);
  });

  it('fails bad input at once, non-retryable, with file, line and column', async () => {
    const err = await withWorkers(() =>
      env.client.workflow
        .execute('flakyStepWorkflow', { workflowId: 'flaky-bad', taskQueue: STORE_QUEUE, args: ['bad-input', 10] })
        .then(
          () => null,
          (e: unknown) => e,
        ),
    );
    expect(err).toBeInstanceOf(WorkflowFailedError);
    const activityFailure = (err as WorkflowFailedError).cause;
    const app = activityFailure?.cause;
    expect(app).toBeInstanceOf(ApplicationFailure);
    expect(app).toMatchObject({ type: 'BadInputError', nonRetryable: true });
    expect((app as ApplicationFailure).message).toBe("probe.ma:3:6: column 'se': expected a positive number, got '-1'");
    // One attempt only: the history holds a single ActivityTaskStarted with attempt 1.
    const history = await env.client.workflow.getHandle('flaky-bad').fetchHistory();
    const started = (history.events ?? []).filter((e) => e.activityTaskStartedEventAttributes);
    expect(started.map((e) => e.activityTaskStartedEventAttributes?.attempt)).toEqual([1]);
  });
});
