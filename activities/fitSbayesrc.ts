// Activity adapter for `fitSbayesrc` (compute queue: files in, files out). Heartbeats progress
// (chain, sweep, h², nnz) and the newest checkpoint {sweep, path, sha256}; a retried attempt
// finds that checkpoint next to the outputs and resumes from it bit-identically. Cancellation
// stops the chains within a sweep and checkpoints them where they are.
import { Context } from '@temporalio/activity';
import { withFailureMapping } from './failures.js';
import { fitOnFiles } from '../core/sbayesrc/fitFiles.js';
import type { CheckpointWritten, FitRequest, FitSummaryJson, FitHeartbeat } from '../contracts/fit.js';
import type { FitActivities } from '../contracts/activities.js';
import type { ExchangedFile } from '../contracts/artifactExchange.js';
import { CheckpointUploads } from './checkpointUploads.js';

/** Heartbeat at most every this many sweeps (the SDK throttles too; this saves the allocations). */
const HEARTBEAT_EVERY = 10;

export interface FitActivityHooks {
  /**
   * S3 mode (activities/artifactExchange.ts): upload a checkpoint just written; the heartbeat
   * then names it, so a retry on another host resumes from it.
   */
  checkpointWritten?: (path: string) => Promise<ExchangedFile>;
}

export function makeFitActivities(hooks: FitActivityHooks = {}): FitActivities {
  return withFailureMapping({
    async fitSbayesrc(req: Omit<FitRequest, 'stopAfter'>): Promise<FitSummaryJson> {
      const ctx = Context.current();
      const iterations = req.iterations ?? 3000;
      let latest: FitHeartbeat = { chain: 0, sweep: 0, iterations, h2: NaN, nnz: 0, checkpoint: null };
      ctx.heartbeat(latest);
      const uploads = hooks.checkpointWritten
        ? new CheckpointUploads(hooks.checkpointWritten, (exchanged) => {
            latest = { ...latest, exchanged };
            ctx.heartbeat(latest);
          })
        : null;
      // The finished fit's checkpoint stays until recordFit has recorded it (see keepFinalCheckpoint).
      const result = await fitOnFiles(
        { ...req, keepFinalCheckpoint: true },
        (r, chain) => {
          latest = { ...latest, chain, sweep: r.sweep, h2: r.h2, nnz: r.nnz };
          if (r.sweep % HEARTBEAT_EVERY === 0) ctx.heartbeat(latest);
        },
        (c) => {
          latest = { ...latest, checkpoint: c };
          ctx.heartbeat(latest);
          uploads?.written(c.path);
        },
        ctx.cancellationSignal,
      );
      // Cancelled (the workflow's request, or this worker shutting down): the chains stopped
      // after the sweep in progress with that sweep checkpointed, so the next attempt, or a
      // resumed study, continues from there rather than from the last periodic checkpoint.
      await uploads?.close(result.cancelled);
      if (result.cancelled) throw ctx.cancellationSignal.reason;
      if (!result.summary) throw new Error('fit ended before its last sweep');
      return result.summary;
    },
  });
}
