// Activity adapter: impute missing SNPs of summary statistics from an LD panel (compute queue:
// files in, files out, no store). Heartbeats once per LD block, so a stuck block times out
// while a long panel does not, and a cancellation ends it between blocks.
import { Context } from '@temporalio/activity';
import { withFailureMapping } from './failures.js';
import { imputeOnFiles } from '../core/impute/imputeFiles.js';
import type { ImputeRequest, ImputeSummary } from '../contracts/impute.js';
import type { ImputeActivities } from '../contracts/activities.js';

export function makeImputeActivities(): ImputeActivities {
  return withFailureMapping({
    async impute(req: ImputeRequest): Promise<ImputeSummary> {
      const ctx = Context.current();
      ctx.heartbeat({ block: 0 });
      return imputeOnFiles(req, (p) => {
        ctx.heartbeat(p);
        // Cancelled (the workflow's request, or this worker shutting down): stop between blocks;
        // the output is written under a temporary name and dropped, so nothing half-done stays.
        ctx.cancellationSignal.throwIfAborted();
      });
    },
  });
}
