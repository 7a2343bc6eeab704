// `pgsflow audit` while a worker owns the store: the CLI cannot open the DuckDB file (one writer
// process), so it runs this short workflow on the store task queue; its one activity reads the
// store in the worker that holds it and returns plain JSON (well under the 2 MB payload limit:
// step outputs and histories are summarised, not returned).
import { proxyActivities } from '@temporalio/workflow';
import type { AuditActivities } from '../contracts/activities.js';
import type { AuditRequest, AuditResponse } from '../contracts/audit.js';

const { readAudit } = proxyActivities<Pick<AuditActivities, 'readAudit'>>({
  startToCloseTimeout: '30 minutes',
  heartbeatTimeout: '1 minute',
  retry: { maximumAttempts: 3 },
});

export async function auditReadWorkflow(req: AuditRequest): Promise<AuditResponse> {
  return readAudit(req);
}
