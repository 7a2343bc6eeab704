// One answer per `pgsflow audit` / `report` request kind, read from the store: by the CLI when
// the store is free, by the store worker's `readAudit` activity while it owns the store.
import type { AuditRequest, AuditResponse } from '../../contracts/audit.js';
import { AuditNotFoundError, BadInputError } from '../errors.js';
import { writeRunReport } from '../report/writeRunReport.js';
import type { Store } from '../store/store.js';
import { archivedHistory, auditRun, listRuns, verifyRun } from './auditData.js';

/** Reads the store for `pgsflow audit` (one request kind per subcommand). */
export async function answerAudit(store: Store, req: AuditRequest): Promise<AuditResponse> {
  if (req.store !== undefined && req.store !== store.paths.database) {
    return { kind: 'wrongStore', message: `the worker on this task queue owns store ${store.paths.database}, not ${req.store}` };
  }
  try {
    switch (req.kind) {
      case 'list':
        return { kind: 'list', runs: await listRuns(store) };
      case 'run':
        return { kind: 'run', audit: await auditRun(store, req.runId) };
      case 'verify':
        return { kind: 'verify', result: await verifyRun(store, req.runId) };
      case 'history':
        return { kind: 'history', json: await archivedHistory(store, req.runId, req.workflowId) };
      case 'report': {
        const { kind: _, store: __, ...report } = req;
        return { kind: 'report', files: await writeRunReport(store, report) };
      }
    }
  } catch (e) {
    if (e instanceof AuditNotFoundError) return { kind: 'notFound', message: e.message };
    if (req.kind === 'report' && e instanceof BadInputError) return { kind: 'notFound', message: e.message };
    throw e;
  }
}
