// The metrics table printed when a study completes: aligned columns scope, method, metric,
// value, se, n (numbers right-aligned; missing values as NA).
import type { MetricRow } from '../../contracts/evaluation.js';

export function formatMetricValue(v: number | null): string {
  if (v === null || !Number.isFinite(v)) return 'NA';
  if (Number.isInteger(v) && Math.abs(v) < 1e6) return String(v);
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-3 || a >= 1e6)) return v.toExponential(3);
  return v.toFixed(4);
}

export function formatMetricsTable(rows: readonly MetricRow[]): string {
  if (rows.length === 0) return '(no metrics)\n';
  const header = ['scope', 'method', 'metric', 'value', 'se', 'n'];
  const right = [false, false, false, true, true, true];
  const body = rows.map((r) => [r.scope, r.method, r.metric, formatMetricValue(r.value), formatMetricValue(r.se), String(r.n)]);
  const widths = header.map((h, c) => Math.max(h.length, ...body.map((row) => row[c]!.length)));
  const line = (cells: string[]): string =>
    cells
      .map((cell, c) => (right[c] ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!)))
      .join('  ')
      .trimEnd();
  return `${[line(header), ...body.map(line)].join('\n')}\n`;
}
