// Activity adapter: build an LD eigen panel from PLINK files (compute queue: paths in, an LD
// folder out; no store). The folder is staged and renamed into place, so a retried attempt
// simply rebuilds it. Heartbeats per block carry progress; a cancellation delivered through
// them stops the build between blocks and leaves no partial folder.
import { Context } from '@temporalio/activity';
import { withFailureMapping } from './failures.js';
import { buildLdPanel } from '../core/ld/buildLdPanel.js';
import type { LdPanelRequest, LdPanelSummary } from '../contracts/ld.js';
import type { LdEigenActivities } from '../contracts/activities.js';

export function makeLdEigenActivities(): LdEigenActivities {
  return withFailureMapping({
    async buildLdPanel(req: LdPanelRequest): Promise<LdPanelSummary> {
      const ctx = Context.current();
      ctx.heartbeat({ block: 0 });
      return buildLdPanel(req, {
        onBlock: (p) => ctx.heartbeat(p),
        signal: ctx.cancellationSignal,
      });
    },
  });
}
