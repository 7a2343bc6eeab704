// Test-only workflow bundle: every registered workflow plus one that archives a finished run's
// histories through the real store activity (as the study workflows do at their end).
import { proxyActivities } from '@temporalio/workflow';
import type { AuditActivities } from '../../contracts/activities.js';
import type { ArchiveHistoriesResult } from '../../contracts/audit.js';

export * from '../../workflows/index.js';

const { archiveHistories } = proxyActivities<Pick<AuditActivities, 'archiveHistories'>>({ startToCloseTimeout: '5 minutes' });

export async function archiveRunWorkflow(runId: string): Promise<ArchiveHistoriesResult> {
  return archiveHistories({ runId });
}
