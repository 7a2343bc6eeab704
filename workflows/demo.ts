// Placeholder study until the real study workflows land: a real workflow whose activities
// hash the study on the compute queue and write/read the run record in the DuckDB store.
import { defineQuery, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { FingerprintActivities } from '../activities/fingerprint.js';
import type { RunActivities, RunRecord } from '../activities/runs.js';
import { NON_RETRYABLE_ERROR_TYPES } from '../config/errorTypes.js';

export interface DemoInput {
  name: string;
  studyJson: string;
  codeVersion: string;
  computeTaskQueue: string;
}

export interface DemoProgress {
  step: 'starting' | 'fingerprint' | 'record' | 'read' | 'done';
}

export const demoProgressQuery = defineQuery<DemoProgress>('progress');

const retry = { maximumAttempts: 5, initialInterval: '1s', nonRetryableErrorTypes: [...NON_RETRYABLE_ERROR_TYPES] };

export async function demoWorkflow(input: DemoInput): Promise<RunRecord> {
  const progress: DemoProgress = { step: 'starting' };
  setHandler(demoProgressQuery, () => progress);
  const info = workflowInfo();

  // Store activities run on the workflow's own queue (the store owner); numerics elsewhere.
  const store = proxyActivities<RunActivities>({ startToCloseTimeout: '1 minute', retry });
  const compute = proxyActivities<FingerprintActivities>({
    taskQueue: input.computeTaskQueue,
    startToCloseTimeout: '1 minute',
    retry,
  });

  progress.step = 'fingerprint';
  const studySha256 = await compute.fingerprintText(input.studyJson);

  progress.step = 'record';
  await store.beginRun({
    runId: info.workflowId,
    name: input.name,
    design: 'demo',
    studyJson: input.studyJson,
    studySha256,
    codeVersion: input.codeVersion,
    temporalRunId: info.runId,
  });
  await store.recordStep({
    runId: info.workflowId,
    stepKey: `fingerprint:${studySha256}`,
    step: 'fingerprintText',
    output: { studySha256 },
  });
  await store.finishRun({ runId: info.workflowId, status: 'completed', summary: { studySha256 } });

  progress.step = 'read';
  const record = await store.readRun(info.workflowId);
  if (record === null) throw new Error(`run ${info.workflowId} was not found after it was recorded`);
  progress.step = 'done';
  return record;
}
