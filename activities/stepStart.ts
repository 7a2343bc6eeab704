// Activity adapter: mark a study step as started (store queue); see runLog.ts's startStep.
import type { StepStartActivities } from '../contracts/activities.js';
import { startStep } from '../core/runRecords/runLog.js';
import type { Store } from '../core/store/store.js';
import { withFailureMapping } from './failures.js';

export function makeStepStartActivities(store: Store): StepStartActivities {
  return withFailureMapping({
    startStep: (input) => startStep(store, input),
  });
}
