// Activity adapter: score each held-out fold with its own training fit, from the store
// (store queue: reads genotypes, writes the `scores` table).
import { Context } from '@temporalio/activity';
import { withFailureMapping } from './failures.js';
import { type HeldOutScoreRequest, type HeldOutScoreSummary, scoreHeldOutFolds } from '../core/score/heldOutScores.js';
import type { Store } from '../core/store/store.js';

export function makeScoreActivities(store: Store) {
  return withFailureMapping({
    async scoreHeldOut(req: HeldOutScoreRequest): Promise<HeldOutScoreSummary> {
      Context.current().heartbeat({ cohort: req.cohort });
      return scoreHeldOutFolds(store, req);
    },
  });
}

export type ScoreActivities = ReturnType<typeof makeScoreActivities>;
