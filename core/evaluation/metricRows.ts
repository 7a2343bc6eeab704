// Metric rows into the store's `metrics` table: one transaction that first deletes the run's
// earlier rows of the same kind (so a retry or re-run replaces, never duplicates, and a metric
// no longer produced does not linger), then appends the new ones.
import type { Store, Tx } from '../store/store.js';
import type { MetricRow } from '../../contracts/evaluation.js';

/** Which earlier rows of the run to replace: a method and its scopes (exact names or a prefix). */
export interface MetricReplacement {
  method: string;
  scopes: { exact: readonly string[]; prefix?: string };
}

export async function writeMetricRows(store: Store, runId: string, rows: readonly MetricRow[], ...replace: MetricReplacement[]): Promise<void> {
  await store.transaction((tx) => replaceMetricRowsIn(tx, runId, rows, ...replace));
}

/** The same inside a caller's transaction (a step that writes metrics beside other rows). */
export async function replaceMetricRowsIn(tx: Tx, runId: string, rows: readonly MetricRow[], ...replace: MetricReplacement[]): Promise<void> {
  for (const r of replace) {
    for (const scope of r.scopes.exact) await tx.run(`DELETE FROM metrics WHERE run_id = $r AND method = $m AND scope = $s`, { r: runId, m: r.method, s: scope });
    if (r.scopes.prefix !== undefined) {
      await tx.run(`DELETE FROM metrics WHERE run_id = $r AND method = $m AND starts_with(scope, $p)`, { r: runId, m: r.method, p: r.scopes.prefix });
    }
  }
  const a = await tx.appender('metrics');
  for (const row of rows) {
    a.appendVarchar(runId);
    a.appendVarchar(row.scope);
    a.appendVarchar(row.method);
    a.appendVarchar(row.metric);
    if (row.value === null) a.appendNull();
    else a.appendDouble(row.value);
    if (row.se === null) a.appendNull();
    else a.appendDouble(row.se);
    a.appendInteger(row.n);
    a.endRow();
  }
}
