// The nonlinear comparison as the CLI prints it: per model, held-out R² (AUC) and incremental R²
// as mean ± SE over folds, the paired difference with the linear score and its 95 % interval,
// then the one-sentence answer.
import { FOLDS_SCOPE } from '../../core/evaluation/foldMetrics.js';
import { deltaMetric, nonlinearAnswer, pairedDifferences } from '../../core/nonlinear/nonlinearAnswer.js';
import type { MetricRow, Trait } from '../../contracts/evaluation.js';

const fmt = (v: number | null | undefined): string => (v === null || v === undefined ? 'NA' : v.toFixed(4));

export function formatNonlinearComparison(rows: readonly MetricRow[], trait: Trait): string {
  const methods = [...new Set(rows.filter((r) => r.method.includes(':')).map((r) => r.method))];
  const main = trait === 'binary' ? 'auc' : 'r2';
  const deltas = pairedDifferences(rows, trait);
  const header = ['model:inputs', main, 'incremental_r2', `${deltaMetric(trait)} vs linear score (95 % CI)`];
  const body = methods.map((method) => {
    const get = (metric: string): MetricRow | undefined => rows.find((r) => r.scope === FOLDS_SCOPE && r.method === method && r.metric === metric);
    const pm = (r: MetricRow | undefined): string => (r ? `${fmt(r.value)} ± ${fmt(r.se)}` : '');
    const d = deltas.find((x) => x.method === method && x.metric === deltaMetric(trait));
    return [method, pm(get(main)), pm(get('incremental_r2')), d ? `${fmt(d.mean)} (${fmt(d.low)}, ${fmt(d.high)})` : 'baseline'];
  });
  const table = [header, ...body];
  const widths = header.map((_, c) => Math.max(...table.map((row) => row[c]!.length)));
  const lines = table.map((row) => row.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ').trimEnd());
  return `Nonlinear vs linear (held-out folds, mean ± SE):\n${lines.join('\n')}\n${nonlinearAnswer(rows, trait)}\n`;
}
