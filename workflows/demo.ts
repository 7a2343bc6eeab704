// The demo study until the full study workflows land: simulate a small cohort (compute queue),
// ingest it into the DuckDB store (store queue), and record the run with its steps.
import { defineQuery, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { SimulateOptionsInput } from '../contracts/simulate.js';
import { NON_RETRYABLE_ERROR_TYPES } from '../contracts/errorTypes.js';
import type { FingerprintActivities } from '../contracts/activities.js';
import type { IngestActivities } from '../contracts/activities.js';
import type { RunActivities } from '../contracts/activities.js';
import type { SimulateActivities } from '../contracts/activities.js';
import type { IngestInput } from '../contracts/ingest.js';
import type { RunRecord } from '../contracts/runs.js';

export interface DemoInput {
  name: string;
  codeVersion: string;
  computeTaskQueue: string;
  /** Folder (absolute, shared by the workers) for the simulated study. */
  studyDir: string;
  simulate: SimulateOptionsInput;
}

export interface DemoProgress {
  step: 'starting' | 'simulate' | 'fingerprint' | 'ingest' | 'record' | 'done';
}

export const demoProgressQuery = defineQuery<DemoProgress>('progress');

const retry = { maximumAttempts: 5, initialInterval: '1s', nonRetryableErrorTypes: [...NON_RETRYABLE_ERROR_TYPES] };

export async function demoWorkflow(input: DemoInput): Promise<RunRecord> {
  const progress: DemoProgress = { step: 'starting' };
  setHandler(demoProgressQuery, () => progress);
  const info = workflowInfo();
  const runId = info.workflowId;

  // Store activities run on the workflow's own queue (the store owner); numerics elsewhere.
  const store = proxyActivities<RunActivities & IngestActivities>({ startToCloseTimeout: '10 minutes', heartbeatTimeout: '2 minutes', retry });
  const compute = proxyActivities<FingerprintActivities & SimulateActivities>({
    taskQueue: input.computeTaskQueue,
    startToCloseTimeout: '30 minutes',
    retry,
  });

  progress.step = 'simulate';
  const sim = await compute.simulate(input.simulate, input.studyDir);
  progress.step = 'fingerprint';
  const studySha256 = await compute.fingerprintText(sim.studyJson);

  progress.step = 'record';
  await store.beginRun({
    runId,
    name: input.name,
    design: 'demo',
    studyJson: sim.studyJson,
    studySha256,
    codeVersion: input.codeVersion,
    temporalRunId: info.runId,
  });
  await store.recordStep({
    runId,
    stepKey: `simulate:${studySha256}`,
    step: 'simulate',
    output: { snps: sim.summary.nSnps, blocks: sim.summary.nBlocks, cohorts: sim.summary.cohorts, pi: sim.summary.pi },
  });

  progress.step = 'ingest';
  const dir = input.studyDir;
  const inputs: IngestInput[] = [];
  for (const c of sim.summary.cohorts) {
    inputs.push({ kind: 'bfile', paths: [`${dir}/geno/${c.ancestry}`], ancestry: c.ancestry });
    inputs.push({ kind: 'bfile', paths: [`${dir}/ref/${c.ancestry}`], name: `${c.ancestry}_ref`, ancestry: c.ancestry });
  }
  inputs.push(
    { kind: 'pheno', paths: [`${dir}/pheno.tsv`] },
    { kind: 'covar', paths: [`${dir}/covar.tsv`] },
    { kind: 'annot', paths: [`${dir}/annot.tsv`] },
    { kind: 'blocks', paths: [`${dir}/blocks.tsv`] },
  );
  const reports = await store.ingest(inputs);
  await store.recordStep({
    runId,
    stepKey: `ingest:${studySha256}`,
    step: 'ingest',
    output: reports.map((r) => ({ kind: r.kind, dataset: r.dataset, status: r.status, rows: r.rows, sha256: r.sha256 })),
  });

  await store.finishRun({
    runId,
    status: 'completed',
    summary: { studySha256, realisedH2: sim.summary.cohorts.map((c) => ({ ancestry: c.ancestry, h2: c.realisedH2 })), datasets: reports.length },
  });
  const record = await store.readRun(runId);
  if (record === null) throw new Error(`run ${runId} was not found after it was recorded`);
  progress.step = 'done';
  return record;
}
