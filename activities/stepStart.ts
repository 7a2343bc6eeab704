// Activity adapter: mark a study step as started (store queue), so `steps` holds real
// start/end times for the report's timeline. The later `recordStep` keeps this start time and
// fills in the end, attempt and output; a step started but never recorded has no output, which
// `lookupStep` never treats as reusable.
import { withFailureMapping } from './failures.js';
import type { Store } from '../core/store/store.js';
import type { StartStepInput } from '../contracts/runs.js';
import type { StepStartActivities } from '../contracts/activities.js';


export function makeStepStartActivities(store: Store): StepStartActivities {
  return withFailureMapping({
    async startStep(input: StartStepInput): Promise<void> {
      await store.transaction((tx) =>
        tx.run(
          `INSERT INTO steps (run_id, step_key, step, scope, attempt, cache_hit, started_at, finished_at, output_json)
           VALUES ($run, $key, $step, $scope, 0, false, now(), NULL, NULL)
           ON CONFLICT (run_id, step_key) DO UPDATE SET started_at = now(), finished_at = NULL, output_json = NULL`,
          { run: input.runId, key: input.stepKey, step: input.step, scope: input.scope },
        ),
      );
    },
  });
}
