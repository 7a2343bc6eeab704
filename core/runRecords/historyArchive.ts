// Archived Temporal workflow histories (Temporal's JSON history format) kept in the store,
// because the server's retention is short and the audit trail must outlive it.
import type { Store } from '../store/store.js';

export interface ArchivedHistory {
  workflowId: string;
  temporalRunId: string | null;
  events: number;
  json: string;
}

/** Idempotent: archiving a workflow again replaces its row. */
export async function storeHistories(store: Store, runId: string, rows: readonly ArchivedHistory[]): Promise<void> {
  await store.transaction(async (tx) => {
    for (const r of rows) {
      await tx.run(
        `INSERT INTO histories VALUES ($run, $wf, $trun, $events, $json, now())
         ON CONFLICT (run_id, workflow_id) DO UPDATE SET temporal_run_id = excluded.temporal_run_id, events = excluded.events,
           history_json = excluded.history_json, archived_at = excluded.archived_at`,
        { run: runId, wf: r.workflowId, trun: r.temporalRunId, events: r.events, json: r.json },
      );
    }
  });
}
