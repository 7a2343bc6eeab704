// The headline table of a study: one row per scope (fold, aggregate, ancestry, combined), one
// column per method × headline metric (R², and AUC / liability R² for binary traits);
// aggregates as mean ± SE. The full table is `formatMetricsTable`.
import type { MetricRow } from '../../contracts/evaluation.js';

const HEADLINE = ['r2', 'auc', 'liability_r2'] as const;

const fmt = (v: number | null): string => (v === null ? 'NA' : v.toFixed(4));

export function formatMetricsSummary(allRows: readonly MetricRow[]): string {
  // The nonlinear comparison's methods (`<model>:<inputs>`) have their own table (nonlinearSummary.ts).
  const rows = allRows.filter((r) => !r.method.includes(':'));
  const scopes = [...new Set(rows.map((r) => r.scope))];
  const columns: { method: string; metric: string }[] = [];
  for (const metric of HEADLINE) {
    for (const method of new Set(rows.map((r) => r.method))) {
      if (rows.some((r) => r.method === method && r.metric === metric)) columns.push({ method, metric });
    }
  }
  const header = ['scope', 'n', ...columns.map((c) => `${c.method} ${c.metric}`)];
  const body = scopes.map((scope) => {
    const inScope = rows.filter((r) => r.scope === scope);
    const n = inScope.find((r) => HEADLINE.some((h) => h === r.metric))?.n;
    const cells = columns.map((c) => {
      const r = inScope.find((x) => x.method === c.method && x.metric === c.metric);
      if (!r) return '';
      return r.se === null ? fmt(r.value) : `${fmt(r.value)} ± ${fmt(r.se)}`;
    });
    return [scope === 'folds' ? 'mean ± SE' : scope, n === undefined ? '' : String(n), ...cells];
  });
  const table = [header, ...body];
  const widths = header.map((_, c) => Math.max(...table.map((row) => row[c]!.length)));
  const lines = table.map((row) => row.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ').trimEnd());
  const weights = rows.filter((r) => r.metric.startsWith('weight:'));
  if (weights.length > 0) lines.push(`mixing weights (standardised scores): ${weights.map((w) => `${w.metric.slice('weight:'.length)} ${fmt(w.value)}`).join(', ')}`);
  return `${lines.join('\n')}\n`;
}
