// Activity adapter: score each held-out fold with its own training fit, from the store
// (store queue: reads genotypes, writes the `scores` table).
import { Context } from '@temporalio/activity';
import { withFailureMapping } from './failures.js';
import { scoreHeldOutFolds } from '../core/score/heldOutScores.js';
import type { Store } from '../core/store/store.js';
import type { HeldOutScoreRequest, HeldOutScoreSummary } from '../contracts/score.js';
import type { ScoreActivities } from '../contracts/activities.js';

export function makeScoreActivities(store: Store): ScoreActivities {
  return withFailureMapping({
    async scoreHeldOut(req: HeldOutScoreRequest): Promise<HeldOutScoreSummary> {
      Context.current().heartbeat({ cohort: req.cohort });
      return scoreHeldOutFolds(store, req);
    },
  });
}
