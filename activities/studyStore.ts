// Activity adapter for the study steps on the store queue that the pipelines chain between the
// older ones: export a GWAS set for the file-based tools, score a cohort with several fits,
// cross-validation metrics, and the cross-ancestry combination. Each reads and writes DuckDB.
import { Context } from '@temporalio/activity';
import { evaluateFoldsInStore } from '../core/evaluation/evaluateFolds.js';
import { withFailureMapping } from './failures.js';
import { exportGwasSet } from '../core/gwas/exportGwas.js';
import { combineAncestriesInStore } from '../core/multiAncestry/combineAncestries.js';
import { scoreCohortInStore } from '../core/score/cohortScores.js';
import type { Store } from '../core/store/store.js';
import type { EvaluateFoldsRequest, CombineAncestriesRequest, CombineAncestriesSummary, MetricRow } from '../contracts/evaluation.js';
import type { ExportGwasRequest, ExportGwasSummary } from '../contracts/gwas.js';
import type { CohortScoreRequest, CohortScoreSummary } from '../contracts/score.js';
import type { StudyStoreActivities } from '../contracts/activities.js';

export function makeStudyStoreActivities(store: Store): StudyStoreActivities {
  return withFailureMapping({
    async exportGwasSet(req: ExportGwasRequest): Promise<ExportGwasSummary> {
      Context.current().heartbeat({ gwasSet: req.gwasSet });
      return exportGwasSet(store, req);
    },
    async scoreCohort(req: CohortScoreRequest): Promise<CohortScoreSummary> {
      Context.current().heartbeat({ cohort: req.cohort });
      return scoreCohortInStore(store, req);
    },
    async evaluateFolds(req: EvaluateFoldsRequest): Promise<{ rows: MetricRow[] }> {
      Context.current().heartbeat({ cohort: req.cohort, method: req.method });
      return evaluateFoldsInStore(store, req);
    },
    async combineAncestries(req: CombineAncestriesRequest): Promise<CombineAncestriesSummary> {
      Context.current().heartbeat({ cohort: req.cohort });
      return combineAncestriesInStore(store, req);
    },
  });
}
