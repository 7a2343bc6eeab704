// The two workers a study needs in a test, on a dev server: the store worker (workflows and the
// store's activities, owning `store`) and a compute worker with two activity slots, as
// `pgsflow worker` runs them; `fn` runs while both serve their queues.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { ComputeExchange } from '../../activities/artifactExchange.js';
import type { ArtifactStore } from '../../core/artifacts/artifactStore.js';
import type { Store } from '../../core/store/store.js';
import { makeComputeActivities, makeStoreActivities, workflowBundle } from '../../worker/workers.js';

export interface StudyQueues {
  store: string;
  compute: string;
}

/** S3 mode: the store worker publishes and fetches through `artifacts`; the compute worker runs on a mirror under `cacheDir`. */
export interface TestExchange {
  artifacts: ArtifactStore;
  cacheDir: string;
}

export async function withStudyWorkers<T>(env: TestWorkflowEnvironment, store: Store, queues: StudyQueues, fn: () => Promise<T>, exchange?: TestExchange): Promise<T> {
  const storeWorker = await Worker.create({ connection: env.nativeConnection, taskQueue: queues.store, workflowBundle: await workflowBundle(), activities: makeStoreActivities(store, {}, exchange?.artifacts ?? null) });
  const computeActivities = makeComputeActivities(exchange ? new ComputeExchange(exchange.artifacts, exchange.cacheDir) : null);
  const computeWorker = await Worker.create({ connection: env.nativeConnection, taskQueue: queues.compute, activities: computeActivities, maxConcurrentActivityTaskExecutions: 2 });
  return storeWorker.runUntil(computeWorker.runUntil(fn));
}
