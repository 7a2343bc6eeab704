// `pgsflow audit diff RUN1 RUN2`: what differed between two recorded runs — run facts, code
// version, inputs (by content hash), parameters (the resolved study, flattened to dotted paths)
// and metrics. Pure: works on two `AuditRun` records however they were read.
import { formatMetricValue } from '../study/metricsTable.js';
import type { AuditRun } from '../../contracts/runRecords.js';

export interface DiffRow {
  what: string;
  a: string;
  b: string;
}

export interface AuditDiff {
  a: string;
  b: string;
  run: DiffRow[];
  code: DiffRow[];
  inputs: DiffRow[];
  parameters: DiffRow[];
  metrics: DiffRow[];
}

const show = (v: unknown): string => (v === undefined ? '—' : v === null ? 'null' : typeof v === 'string' ? v : JSON.stringify(v));

/** Dotted paths to leaf values (arrays of scalars are one leaf). */
export function flatten(value: unknown, prefix = '', out: Map<string, unknown> = new Map()): Map<string, unknown> {
  if (value !== null && typeof value === 'object' && !(Array.isArray(value) && value.every((x) => x === null || typeof x !== 'object'))) {
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) flatten(v, prefix ? `${prefix}.${k}` : k, out);
  } else out.set(prefix, value);
  return out;
}

function compareMaps(a: Map<string, unknown>, b: Map<string, unknown>): DiffRow[] {
  const keys = [...new Set([...a.keys(), ...b.keys()])].sort();
  const rows: DiffRow[] = [];
  for (const k of keys) {
    const x = show(a.get(k));
    const y = show(b.get(k));
    if (x !== y) rows.push({ what: k, a: x, b: y });
  }
  return rows;
}

const parametersOf = (r: AuditRun): unknown => {
  if (r.resolvedStudy !== null && r.resolvedStudy !== undefined) return r.resolvedStudy;
  try {
    return r.run.studyJson ? (JSON.parse(r.run.studyJson) as unknown) : {};
  } catch {
    return {};
  }
};

export function diffRuns(a: AuditRun, b: AuditRun): AuditDiff {
  const runFacts = (r: AuditRun) =>
    new Map<string, unknown>([
      ['name', r.run.name],
      ['design', r.run.design],
      ['status', r.run.status],
      ['resumed from', r.run.resumedFrom],
      ['study sha256', r.run.studySha256],
      ['host', (r.host as { host?: string } | null)?.host],
    ]);
  const code = (r: AuditRun) =>
    new Map<string, unknown>([
      ['version', r.code.codeVersion],
      ['package', r.code.packageVersion],
      ['git commit', r.code.gitCommit],
      ['lockfile sha256', r.code.lockfileSha256],
    ]);
  const inputs = (r: AuditRun) => {
    const m = new Map<string, unknown>();
    for (const i of r.inputs) for (const f of i.files) m.set(`${i.key} ${f.path}`, `sha256 ${f.sha256.slice(0, 16)} (${f.bytes} bytes)`);
    return m;
  };
  const metrics = (r: AuditRun) => new Map<string, number | null>(r.metrics.map((m) => [`${m.scope} ${m.method} ${m.metric}`, m.value]));
  const ma = metrics(a);
  const mb = metrics(b);
  const metricRows: DiffRow[] = [];
  for (const k of [...new Set([...ma.keys(), ...mb.keys()])].sort()) {
    const x = ma.get(k);
    const y = mb.get(k);
    if (x === y) continue;
    const delta = typeof x === 'number' && typeof y === 'number' ? ` (${y - x >= 0 ? '+' : ''}${formatMetricValue(y - x)})` : '';
    metricRows.push({ what: k, a: x === undefined ? '—' : formatMetricValue(x), b: `${y === undefined ? '—' : formatMetricValue(y)}${delta}` });
  }
  return {
    a: a.run.runId,
    b: b.run.runId,
    run: compareMaps(runFacts(a), runFacts(b)),
    code: compareMaps(code(a), code(b)),
    inputs: compareMaps(inputs(a), inputs(b)),
    parameters: compareMaps(flatten(parametersOf(a)), flatten(parametersOf(b))),
    metrics: metricRows,
  };
}
