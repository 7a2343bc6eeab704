// Activity adapter (store queue) for the audit: `readAudit` serves `pgsflow audit` (and
// `pgsflow report`, which has this worker write the report files) while this worker owns the
// store (the CLI runs the short `auditReadWorkflow`, which calls it), and
// `archiveHistories` copies a study's Temporal workflow histories (the parent and every child,
// found in the parent's history) into the store, because Temporal's retention is short.
import { Context } from '@temporalio/activity';
import { Client, Connection, type ConnectionOptions } from '@temporalio/client';
import type { History } from '@temporalio/common/lib/proto-utils.js';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import type { AuditActivities } from '../contracts/activities.js';
import type { ArchiveHistoriesInput, ArchiveHistoriesResult, AuditRequest, AuditResponse } from '../contracts/audit.js';
import { answerAudit } from '../core/runRecords/answerAudit.js';
import { type ArchivedHistory, storeHistories } from '../core/runRecords/historyArchive.js';
import type { Store } from '../core/store/store.js';
import { withFailureMapping } from './failures.js';

export interface AuditActivityOptions {
  /**
   * Where to fetch histories from. Unset: the worker's own client (`Context.current().client`,
   * same cluster and namespace as the worker). Set: its own connection with these options
   * (address, TLS, API key: worker/connectionOptions.ts).
   */
  temporal?: { connection: ConnectionOptions; namespace: string };
}

/** Child workflow ids started by a history, in order. */
export function childWorkflowIds(history: History): string[] {
  const ids: string[] = [];
  for (const ev of history.events ?? []) {
    const id = ev.childWorkflowExecutionStartedEventAttributes?.workflowExecution?.workflowId;
    if (id && !ids.includes(id)) ids.push(id);
  }
  return ids;
}

export function makeAuditActivities(store: Store, opts: AuditActivityOptions = {}): AuditActivities {
  const withClient = async <T>(fn: (client: Client) => Promise<T>): Promise<T> => {
    if (!opts.temporal) return fn(Context.current().client);
    const connection = await Connection.connect(opts.temporal.connection);
    try {
      return await fn(new Client({ connection, namespace: opts.temporal.namespace }));
    } finally {
      await connection.close();
    }
  };

  return withFailureMapping({
    async readAudit(req: AuditRequest): Promise<AuditResponse> {
      return answerAudit(store, req);
    },

    /**
     * Archive the histories of `runId`, every child workflow its history started (recursively)
     * and `workflowIds`, as Temporal's JSON history format in `histories`. Called by the study
     * workflow at its end, the parent's history is archived up to that call. Idempotent: a
     * re-archive replaces the rows.
     */
    async archiveHistories(input: ArchiveHistoriesInput): Promise<ArchiveHistoriesResult> {
      const rows = await withClient(async (client) => {
        const queue = [input.runId, ...(input.workflowIds ?? [])];
        const seen = new Set<string>();
        const out: ArchivedHistory[] = [];
        while (queue.length > 0) {
          const workflowId = queue.shift()!;
          if (seen.has(workflowId)) continue;
          seen.add(workflowId);
          const handle = client.workflow.getHandle(workflowId);
          const history = await handle.fetchHistory();
          Context.current().heartbeat({ workflowId });
          const first = history.events?.[0]?.workflowExecutionStartedEventAttributes;
          out.push({
            workflowId,
            temporalRunId: first?.originalExecutionRunId ?? null,
            events: history.events?.length ?? 0,
            json: historyToJSON(history),
          });
          queue.push(...childWorkflowIds(history));
        }
        return out;
      });
      await storeHistories(store, input.runId, rows);
      return { archived: rows.map((r) => ({ workflowId: r.workflowId, events: r.events })) };
    },
  });
}
