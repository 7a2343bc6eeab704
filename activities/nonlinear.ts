// Activity adapter for the nonlinear comparison's store steps: feature files per fold from the
// store, and the held-out metrics of the Python worker's predictions into it. The models
// themselves run on the Python worker's queue (ml/pgsflow_ml).
import { Context } from '@temporalio/activity';
import { withFailureMapping } from './failures.js';
import { buildNonlinearFeatures } from '../core/nonlinear/featureSets.js';
import { evaluateNonlinearInStore } from '../core/nonlinear/evaluateNonlinear.js';
import type { Store } from '../core/store/store.js';
import type { NonlinearStoreActivities } from '../contracts/activities.js';
import type { EvaluateNonlinearRequest, NonlinearFeaturesRequest, NonlinearFeaturesSummary } from '../contracts/nonlinear.js';
import type { MetricRow } from '../contracts/evaluation.js';

export function makeNonlinearActivities(store: Store): NonlinearStoreActivities {
  return withFailureMapping({
    async nonlinearFeatures(req: NonlinearFeaturesRequest): Promise<NonlinearFeaturesSummary> {
      Context.current().heartbeat({ cohort: req.cohort });
      return buildNonlinearFeatures(store, req);
    },
    async evaluateNonlinear(req: EvaluateNonlinearRequest): Promise<{ rows: MetricRow[] }> {
      Context.current().heartbeat({ runId: req.runId });
      return evaluateNonlinearInStore(store, req);
    },
  });
}
