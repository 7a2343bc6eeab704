// The one read of a run's rows that audit, report, exports and the demo's `readRun` share: the
// run header, its steps, QC counts and metrics. Plain JSON out (it crosses Temporal).
import type { MetricRow } from '../../contracts/evaluation.js';
import type { QcCountRow, RunHeader, StepRecord } from '../../contracts/runRecords.js';
import type { Store } from '../store/store.js';

/** A DuckDB timestamp as ISO text (null stays null). */
export const iso = (d: Date | null | undefined): string | null => (d ? d.toISOString() : null);
/** Seconds from `a` to `b`, null unless both are set. */
export const seconds = (a: Date | null | undefined, b: Date | null | undefined): number | null => (a && b ? (b.getTime() - a.getTime()) / 1000 : null);
/** A DuckDB number or BIGINT as a number (null stays null). */
export const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

/** JSON text from the store, or null when absent or unreadable. */
export function parseStoredJson(s: string | null | undefined): unknown {
  if (s === null || s === undefined) return null;
  try {
    return JSON.parse(s) as unknown;
  } catch {
    return null;
  }
}

/** A row of `runs` as DuckDB returns it (provenance columns from migration 8). */
// A type alias, not an interface: store.all needs an index-signature-compatible row type.
export type RunsTableRow = {
  run_id: string;
  name: string;
  design: string;
  status: string;
  study_json: string | null;
  study_sha256: string | null;
  code_version: string | null;
  temporal_run_id: string | null;
  resumed_from: string | null;
  started_at: Date;
  finished_at: Date | null;
  summary_json: string | null;
  study_path: string | null;
  host: string | null;
  package_version: string | null;
  git_commit: string | null;
  lockfile_sha256: string | null;
  provenance_json: string | null;
};

export function runHeaderOf(r: RunsTableRow): RunHeader {
  return {
    runId: r.run_id,
    name: r.name,
    design: r.design,
    status: r.status,
    temporalRunId: r.temporal_run_id,
    resumedFrom: r.resumed_from,
    startedAt: r.started_at.toISOString(),
    finishedAt: iso(r.finished_at),
    durationSeconds: seconds(r.started_at, r.finished_at),
    studyPath: r.study_path,
    studySha256: r.study_sha256,
    studyJson: r.study_json,
    codeVersion: r.code_version,
    summary: parseStoredJson(r.summary_json),
  };
}

/** The run's `runs` row, or null when the store has no such run. */
export async function readRunRow(store: Store, runId: string): Promise<RunsTableRow | null> {
  const rows = await store.all<RunsTableRow>(`SELECT * FROM runs WHERE run_id = $id`, { id: runId });
  return rows[0] ?? null;
}

export async function readRunHeader(store: Store, runId: string): Promise<RunHeader | null> {
  const r = await readRunRow(store, runId);
  return r ? runHeaderOf(r) : null;
}

/** Keys are `step|scope|codeVersion|{parts}` (workflows/stepCache.ts): name an ingest's input. */
function stepDetail(step: string, key: string): string | null {
  if (step !== 'ingest') return null;
  const at = key.indexOf('|{');
  const parts = at >= 0 ? (parseStoredJson(key.slice(at + 1)) as { input?: unknown; name?: unknown } | null) : null;
  return typeof parts?.input === 'string' ? `${parts.input}${typeof parts.name === 'string' ? ` → ${parts.name}` : ''}` : null;
}

/** The run's steps in the order they started. */
export async function readStepRecords(store: Store, runId: string): Promise<StepRecord[]> {
  const steps = await store.all<{
    step_key: string;
    step: string;
    scope: string;
    attempt: number;
    cache_hit: boolean;
    started_at: Date;
    finished_at: Date | null;
    peak_rss_bytes: bigint | null;
  }>(
    `SELECT step_key, step, scope, attempt, cache_hit, started_at, finished_at, peak_rss_bytes
     FROM steps WHERE run_id = $id ORDER BY started_at, finished_at, step_key`,
    { id: runId },
  );
  return steps.map((s) => ({
    stepKey: s.step_key,
    step: s.step,
    scope: s.scope,
    detail: stepDetail(s.step, s.step_key),
    attempt: s.attempt,
    cacheHit: s.cache_hit,
    startedAt: s.started_at.toISOString(),
    finishedAt: iso(s.finished_at),
    durationSeconds: seconds(s.started_at, s.finished_at),
    peakRssBytes: num(s.peak_rss_bytes),
  }));
}

/** Per scope and GWAS set, the QC rules in the order they were applied. */
export async function readQcCounts(store: Store, runId: string): Promise<QcCountRow[]> {
  const qc = await store.all<{ scope: string; gwas_set: string; rule: string; removed: number; remaining: number; position: number }>(
    `SELECT scope, gwas_set, rule, removed, remaining, position FROM qc_counts WHERE run_id = $id ORDER BY scope, gwas_set, position`,
    { id: runId },
  );
  return qc.map((q) => ({ scope: q.scope, gwasSet: q.gwas_set, rule: q.rule, removed: Number(q.removed), remaining: Number(q.remaining), position: Number(q.position) }));
}

/** The run's metrics by scope, method and metric. */
export async function readMetrics(store: Store, runId: string): Promise<MetricRow[]> {
  const rows = await store.all<{ scope: string; method: string; metric: string; value: number | null; se: number | null; n: number }>(
    `SELECT scope, method, metric, value, se, n FROM metrics WHERE run_id = $id ORDER BY scope, method, metric`,
    { id: runId },
  );
  return rows.map((m) => ({ scope: m.scope, method: m.method, metric: m.metric, value: num(m.value), se: num(m.se), n: Number(m.n) }));
}
