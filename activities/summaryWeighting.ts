// Activity adapter: the target GWAS split in silico and the mixing weights learnt from its
// validation half (compute queue: files in, files out, no store). Heartbeats per LD block, and a
// cancellation ends either between blocks (outputs are written atomically, so nothing half-done stays).
import { Context } from '@temporalio/activity';
import { withFailureMapping } from './failures.js';
import { splitSumstatsOnFiles } from '../core/multiAncestry/summarySplitFiles.js';
import { summaryMixingOnFiles } from '../core/multiAncestry/summaryMixingFiles.js';
import type { SummaryWeightingActivities } from '../contracts/activities.js';

export function makeSummaryWeightingActivities(): SummaryWeightingActivities {
  const onBlock = (block: number, blocks: number): void => {
    const ctx = Context.current();
    ctx.heartbeat({ block, blocks });
    ctx.cancellationSignal.throwIfAborted();
  };
  return withFailureMapping({
    async splitSumstats(req) {
      Context.current().heartbeat({ block: 0 });
      return splitSumstatsOnFiles(req, onBlock);
    },
    async summaryMixingWeights(req) {
      Context.current().heartbeat({ block: 0 });
      return summaryMixingOnFiles(req, onBlock);
    },
  });
}
