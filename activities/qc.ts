// Activity adapter: summary-statistics QC of a GWAS set against an LD panel, both in the store
// (store queue: reads `gwas` and `ld_panel_snps`, writes the cleaned set and qc_counts /
// qc_removed). A failed guard is a non-retryable GuardError; the pass takes seconds.
import { Context } from '@temporalio/activity';
import { withFailureMapping } from './failures.js';
import { qcInStore } from '../core/qc/qcStore.js';
import type { Store } from '../core/store/store.js';
import type { QcRequest, QcSummary } from '../contracts/qc.js';
import type { QcActivities } from '../contracts/activities.js';

export function makeQcActivities(store: Store): QcActivities {
  return withFailureMapping({
    async qc(req: QcRequest): Promise<QcSummary> {
      Context.current().heartbeat({ gwasSet: req.gwasSet });
      return qcInStore(store, req);
    },
  });
}
