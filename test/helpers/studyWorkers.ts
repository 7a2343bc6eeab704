// The two workers a study needs in a test, on a dev server: the store worker (workflows and the
// store's activities, owning `store`) and a compute worker with two activity slots, as
// `pgsflow worker` runs them; `fn` runs while both serve their queues.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import type { Store } from '../../core/store/store.js';
import { makeComputeActivities, makeStoreActivities, workflowBundle } from '../../worker/workers.js';

export interface StudyQueues {
  store: string;
  compute: string;
}

export async function withStudyWorkers<T>(env: TestWorkflowEnvironment, store: Store, queues: StudyQueues, fn: () => Promise<T>): Promise<T> {
  const storeWorker = await Worker.create({ connection: env.nativeConnection, taskQueue: queues.store, workflowBundle: await workflowBundle(), activities: makeStoreActivities(store) });
  const computeWorker = await Worker.create({ connection: env.nativeConnection, taskQueue: queues.compute, activities: makeComputeActivities(), maxConcurrentActivityTaskExecutions: 2 });
  return storeWorker.runUntil(computeWorker.runUntil(fn));
}
