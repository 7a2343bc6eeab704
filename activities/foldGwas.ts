// Activity adapter: all fold GWAS of a cross-validation from the store, in one pass (store
// queue: it reads genotypes from and writes results to DuckDB). Heartbeats per chunk would need
// the kernel to yield; the pass is short (seconds per 10⁵ variants) so one heartbeat suffices.
import { Context } from '@temporalio/activity';
import { withFailureMapping } from './failures.js';
import { foldGwasInStore } from '../core/gwas/gwasStore.js';
import type { Store } from '../core/store/store.js';
import type { FoldGwasRequest, FoldGwasSummary } from '../contracts/gwas.js';
import type { FoldGwasActivities } from '../contracts/activities.js';

export function makeFoldGwasActivities(store: Store): FoldGwasActivities {
  return withFailureMapping({
    async foldGwas(req: FoldGwasRequest): Promise<FoldGwasSummary> {
      Context.current().heartbeat({ cohort: req.cohort });
      return foldGwasInStore(store, req);
    },
  });
}
