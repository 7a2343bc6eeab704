// Terminal text for `pgsflow audit`: the run list, one run's full record, verify results and a
// diff of two runs. Aligned plain-text tables, no colour (pipes and logs stay readable).
import { formatMetricValue, formatMetricsTable } from '../study/metricsTable.js';
import type { AuditDiff } from './auditDiff.js';
import type { AuditFit, AuditListRow, AuditRun, VerifyResult } from '../../contracts/runRecords.js';
import type { SumstatsRole } from '../../contracts/sumstats.js';
import { describeSumstatsColumns } from '../../core/formats/sumstatsSummary.js';

export function table(header: string[], rows: string[][], right: boolean[] = []): string {
  if (rows.length === 0) return '  (none)\n';
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? '').length)));
  const line = (cells: string[]): string =>
    `  ${cells
      .map((cell, c) => (right[c] ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!)))
      .join('  ')
      .trimEnd()}`;
  return `${[line(header), ...rows.map(line)].join('\n')}\n`;
}

export function formatDuration(s: number | null): string {
  if (s === null) return '—';
  if (s < 60) return `${s.toFixed(1)}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(Math.round(s - m * 60)).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h ${String(m % 60).padStart(2, '0')}m`;
}

export function formatBytes(b: number | null): string {
  if (b === null) return '—';
  if (b < 1024) return `${b} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = b / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v.toFixed(1)} ${units[u]}`;
}

const time = (iso: string | null): string => (iso ? iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z') : '—');
const short = (sha: string | null | undefined, n = 16): string => (sha ? sha.slice(0, n) : '—');

export function formatRunList(rows: readonly AuditListRow[]): string {
  if (rows.length === 0) return 'no runs in the store\n';
  return table(
    ['RUN', 'NAME', 'DESIGN', 'STATUS', 'STARTED', 'DURATION', 'HEADLINE'],
    rows.map((r) => [
      r.runId,
      r.name,
      r.design,
      r.status,
      time(r.startedAt),
      formatDuration(r.durationSeconds),
      r.headline ? `${r.headline.label.startsWith('mean') ? 'mean r2' : 'combined r2'} ${formatMetricValue(r.headline.value)}${r.headline.se !== null ? ` ± ${formatMetricValue(r.headline.se)}` : ''}` : '—',
    ]),
  ).replace(/^ {2}/gm, '');
}

function fitLines(f: AuditFit): string[] {
  const pi = f.pi.map((p) => p.toPrecision(3)).join(', ');
  const lines = [
    `  ${f.scope} (${f.method}): h2 ${formatMetricValue(f.h2)} ± ${formatMetricValue(f.h2Sd)}, nnz ${f.nnz.toFixed(1)}, sigma2e ${formatMetricValue(f.sigma2e)}, pi [${pi}]`,
    `    cut-off ${f.cutoff} (${f.cutoffReason})`,
    `    ${f.snps ?? '?'} SNPs, ${f.iterations ?? '?'} sweeps (${f.burnIn ?? '?'} burn-in), seed ${f.seed ?? '?'}, ${formatDuration(f.seconds)}`,
    `    removed outliers: ${f.removedSnps.length === 0 ? 'none' : `${f.removedSnps.length} (${f.removedSnps.slice(0, 8).join(', ')}${f.removedSnps.length > 8 ? ', …' : ''})`}`,
  ];
  const c = f.convergence as { chains: number; rhat: Record<string, number>; ess: Record<string, number>; warning: string | null } | null;
  lines.push(
    c
      ? `    convergence: ${c.chains} chains, R-hat h2 ${c.rhat.h2?.toFixed(3)} nnz ${c.rhat.nnz?.toFixed(3)}, ESS h2 ${c.ess.h2?.toFixed(0)}${c.warning ? ` — ${c.warning}` : ''}`
      : '    convergence: one chain (no R-hat)',
  );
  const enr = Object.entries(f.enrichment).filter(([, v]) => v !== null);
  if (enr.length > 0) lines.push(`    enrichment: ${enr.map(([k, v]) => `${k} ${formatMetricValue(v)}`).join(', ')}`);
  return lines;
}

export function formatRun(a: AuditRun): string {
  const r = a.run;
  const out: string[] = [];
  out.push(`run ${r.runId}  ${r.name}  (${r.design})  ${r.status}`);
  out.push(`  started ${time(r.startedAt)}, finished ${time(r.finishedAt)}, duration ${formatDuration(r.durationSeconds)}`);
  out.push(`  Temporal run id ${r.temporalRunId ?? '—'}${r.resumedFrom ? `, resumed from ${r.resumedFrom}` : ''}`);
  out.push(`  study file ${r.studyPath ?? '—'} (sha256 ${short(r.studySha256, 64)})`);
  const summary = r.summary as { error?: string; step?: string; cacheHits?: number } | null;
  if (summary?.error) out.push(`  failed at ${summary.step ?? '?'}: ${summary.error}`);
  out.push('', 'code');
  out.push(`  version ${a.code.codeVersion ?? '—'} (package ${a.code.packageVersion ?? '—'}, git ${a.code.gitCommit ?? 'unavailable'})`);
  out.push(`  package-lock.json sha256 ${a.code.lockfileSha256 ?? 'unavailable'}`);
  if (a.host) {
    const h = a.host as { host?: string; platform?: string; arch?: string; node?: string; cpus?: number; totalMemoryBytes?: number; workerPid?: number };
    out.push('', 'host');
    out.push(`  ${h.host ?? '?'}  ${h.platform ?? '?'}/${h.arch ?? '?'}  Node.js ${h.node ?? '?'}  ${h.cpus ?? '?'} CPUs  ${formatBytes(h.totalMemoryBytes ?? null)} RAM  worker pid ${h.workerPid ?? '?'}`);
  }
  out.push('', `inputs (${a.inputs.reduce((n, i) => n + i.files.length, 0)} files)`);
  if (a.inputs.length === 0) out.push('  (none recorded)');
  for (const i of a.inputs) {
    out.push(`  ${i.key}  sha256 ${i.sha256}`);
    for (const f of i.files) out.push(`    ${f.path}  ${f.bytes} bytes  ${f.sha256}`);
  }
  if (a.datasets.length > 0) out.push('', 'datasets');
  for (const d of a.datasets) {
    out.push(`  ${d.kind} ${d.dataset}  ${d.rows} rows`);
    const det = d.details as { dialect?: string; columns?: Partial<Record<SumstatsRole, string>>; derived?: string[]; rejected?: Record<string, number> } | null;
    if (det?.columns !== undefined) out.push(`    read as ${describeSumstatsColumns({ dialect: det.dialect ?? '?', columns: det.columns })}`);
    for (const x of det?.derived ?? []) out.push(`    derived: ${x}`);
    if (det?.rejected !== undefined && Object.keys(det.rejected).length > 0) out.push(`    set aside: ${Object.entries(det.rejected).map(([r, n]) => `${r} ${n}`).join(', ')}`);
  }
  const hits = a.steps.filter((s) => s.cacheHit).length;
  const retried = a.steps.filter((s) => s.attempt > 1).length;
  out.push('', `steps (${a.steps.length}; ${hits} cache hits; ${retried} retried; peak RSS = the recording worker process's peak so far)`);
  out.push(
    table(
      ['STEP', 'SCOPE', 'ATTEMPT', 'CACHE', 'STARTED', 'DURATION', 'PEAK RSS'],
      a.steps.map((s) => [s.step, s.detail ?? (s.scope || '—'), String(s.attempt), s.cacheHit ? 'hit' : '', time(s.startedAt), formatDuration(s.durationSeconds), formatBytes(s.peakRssBytes)]),
      [false, false, true, false, false, true, true],
    ).trimEnd(),
  );
  out.push('', 'QC (variants removed per rule, in order)');
  const qcGroups = new Map<string, typeof a.qc>();
  for (const q of a.qc) {
    const k = `${q.scope} ${q.gwasSet}`;
    qcGroups.set(k, [...(qcGroups.get(k) ?? []), q]);
  }
  if (qcGroups.size === 0) out.push('  (none recorded)');
  for (const [k, rows] of qcGroups) {
    out.push(`  ${k}`);
    out.push(table(['RULE', 'REMOVED', 'REMAINING'], rows.map((q) => [q.rule, String(q.removed), String(q.remaining)]), [false, true, true]).replace(/^/gm, '  ').trimEnd());
  }
  out.push('', 'fits');
  if (a.fits.length === 0) out.push('  (none recorded)');
  for (const f of a.fits) out.push(...fitLines(f));
  out.push('', 'metrics');
  out.push(formatMetricsTable(a.metrics).replace(/^/gm, '  ').trimEnd());
  out.push('', 'outputs (hashes re-checked by `pgsflow audit verify`)');
  out.push(
    table(
      ['SCOPE', 'KIND', 'SHA256', 'SIZE', 'PATH'],
      a.outputs.map((o) => [o.scope || '—', o.kind, short(o.sha256), o.rows !== null ? `${o.rows} rows` : formatBytes(o.bytes), o.path ?? '(table)']),
    ).trimEnd(),
  );
  out.push('', 'archived workflow histories');
  out.push(table(['WORKFLOW', 'EVENTS', 'SIZE', 'ARCHIVED'], a.histories.map((h) => [h.workflowId, String(h.events), formatBytes(h.bytes), time(h.archivedAt)]), [false, true, true]).trimEnd());
  return `${out.join('\n')}\n`;
}

export function formatVerify(v: VerifyResult): string {
  const out: string[] = [];
  for (const c of v.checks) {
    out.push(`${c.ok ? 'ok      ' : 'MISMATCH'}  ${c.kind.padEnd(5)}  ${c.name}${c.ok ? '' : `\n          recorded ${c.expected}\n          now      ${c.actual}`}`);
    for (const d of c.details ?? []) out.push(`          row ${d}`);
  }
  out.push(
    v.mismatches.length === 0
      ? `run ${v.runId}: all ${v.checks.length} recorded hashes match`
      : `run ${v.runId}: ${v.mismatches.length} of ${v.checks.length} checks FAILED: ${v.mismatches.map((m) => m.name).join(', ')}`,
  );
  return `${out.join('\n')}\n`;
}

export function formatDiff(d: AuditDiff): string {
  const out: string[] = [`diff ${d.a} → ${d.b}`];
  const section = (title: string, rows: { what: string; a: string; b: string }[]): void => {
    out.push('', `${title}${rows.length === 0 ? ': same' : ''}`);
    if (rows.length > 0) out.push(table(['WHAT', d.a, d.b], rows.map((r) => [r.what, r.a, r.b])).trimEnd());
  };
  section('run', d.run);
  section('code version', d.code);
  section('inputs', d.inputs);
  section('parameters (resolved study)', d.parameters);
  section('metrics', d.metrics);
  return `${out.join('\n')}\n`;
}
