// Activity adapter: a finished fit's output files (PREFIX.txt, PREFIX.json, written by the
// compute-queue `fitSbayesrc` activity) into the `fits` / `effects` tables (store queue). One
// transaction, replacing earlier rows of the same run and scope; seconds even for 10⁶ SNPs.
// Then the fit's final checkpoints, kept until now, are removed.
import { Context } from '@temporalio/activity';
import { withFailureMapping } from './failures.js';
import { removeFitCheckpoints } from '../core/sbayesrc/fitFiles.js';
import { recordFit } from '../core/sbayesrc/fitStore.js';
import type { Store } from '../core/store/store.js';
import type { RecordFitRequest, RecordFitSummary } from '../contracts/fit.js';
import type { RecordFitActivities } from '../contracts/activities.js';

export function makeRecordFitActivities(store: Store): RecordFitActivities {
  return withFailureMapping({
    async recordFit(req: RecordFitRequest): Promise<RecordFitSummary> {
      Context.current().heartbeat({ runId: req.runId, scope: req.scope });
      const summary = await recordFit(store, req);
      // Recorded: the fit's kept final checkpoint is no longer needed to avoid fitting again.
      await removeFitCheckpoints(req.prefix);
      return summary;
    },
  });
}
