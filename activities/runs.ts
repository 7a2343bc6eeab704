// Activity adapter: the run log (core/runRecords/runLog.ts) on the store queue, with the
// attempt number and the activity logger from Temporal's context.
import { Context } from '@temporalio/activity';
import type { RunActivities } from '../contracts/activities.js';
import { beginRun, finishRun, lookupStep, readRun, recordStep } from '../core/runRecords/runLog.js';
import type { Store } from '../core/store/store.js';
import { withFailureMapping } from './failures.js';

export function makeRunActivities(store: Store): RunActivities {
  return withFailureMapping({
    beginRun: (input) => beginRun(store, input),
    recordStep: (input) => recordStep(store, input, Context.current().info.attempt),
    lookupStep: (input) => lookupStep(store, input, (m) => Context.current().log.warn(m)),
    finishRun: (input) => finishRun(store, input),
    readRun: (runId) => readRun(store, runId),
  });
}
