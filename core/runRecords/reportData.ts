// Everything the HTML report and the exports show about one run, read from the store in one go
// (read-only queries on tables that exist; optional tables added by later migrations are skipped
// when absent). The renderer and the export writers are pure functions of this object.
import { listValue } from '@duckdb/node-api';
import { sampleTableFromStore } from '../gwas/gwasStore.js';
import type { Store } from '../store/store.js';
import { BadInputError } from '../errors.js';
import { type CalibrationGroup, calibrationByDecile } from '../report/calibration.js';

export interface RunInfo {
  runId: string;
  name: string;
  design: string;
  status: string;
  studySha256: string | null;
  codeVersion: string | null;
  temporalRunId: string | null;
  resumedFrom: string | null;
  studyPath: string | null;
  startedAt: string;
  finishedAt: string | null;
  studyJson: string | null;
}

export interface StepRow {
  step: string;
  scope: string;
  attempt: number;
  cacheHit: boolean;
  startedAt: string;
  finishedAt: string | null;
}

export interface QcRow {
  scope: string;
  gwasSet: string;
  rule: string;
  removed: number;
  remaining: number;
  position: number;
}

export interface FitRow {
  scope: string;
  method: string;
  h2: number;
  h2Sd: number;
  nnz: number;
  nnzSd: number | null;
  sigma2e: number;
  pi: number[];
  cutoff: number;
  cutoffReason: string;
  /** Annotation names (intercept first) and posterior-mean enrichment; empty for SBayesR. */
  annotations: string[];
  enrichment: number[];
  /** Per-annotation enrichment SDs when the fit recorded them, else null. */
  enrichmentSd: number[] | null;
  removedSnps: number;
}

export interface MetricRow {
  scope: string;
  method: string;
  metric: string;
  value: number | null;
  se: number | null;
  n: number;
}

export interface ReportData {
  run: RunInfo;
  /** Phenotype column and trait type from the study file (null when unreadable). */
  phenotype: { column: string; type: 'quantitative' | 'binary' } | null;
  steps: StepRow[];
  qc: QcRow[];
  fits: FitRow[];
  metrics: MetricRow[];
  calibration: CalibrationGroup[];
  /** Why calibration could not be computed, when it could not. */
  calibrationNote: string | null;
  generatedAt: string;
}

const num = (x: unknown): number => (typeof x === 'bigint' ? Number(x) : (x as number));
const numOrNull = (x: unknown): number | null => (x === null || x === undefined ? null : num(x));
const iso = (x: unknown): string => (x instanceof Date ? x.toISOString() : String(x));
const isoOrNull = (x: unknown): string | null => (x === null || x === undefined ? null : iso(x));

/** Names of the store's tables (optional ones may be missing on older stores). */
export async function storeTables(store: Store): Promise<Set<string>> {
  const rows = await store.all<{ table_name: string }>(`SELECT table_name FROM information_schema.tables`);
  return new Set(rows.map((r) => r.table_name));
}

export async function readRunInfo(store: Store, runId: string): Promise<RunInfo> {
  const cols = await store.all<{ column_name: string }>(`SELECT column_name FROM information_schema.columns WHERE table_name = 'runs'`);
  const studyPath = cols.some((c) => c.column_name === 'study_path') ? ', study_path' : '';
  const rows = await store.all(
    `SELECT run_id, name, design, status, study_sha256, code_version, temporal_run_id, resumed_from, started_at, finished_at, study_json${studyPath}
     FROM runs WHERE run_id = $r`,
    { r: runId },
  );
  const r = rows[0];
  if (!r) {
    const known = await store.all<{ run_id: string }>(`SELECT run_id FROM runs ORDER BY started_at DESC LIMIT 10`);
    throw new BadInputError(store.paths.database, `no run '${runId}' in the store${known.length ? ` (recent runs: ${known.map((k) => k.run_id).join(', ')})` : ''}`);
  }
  return {
    runId: String(r.run_id),
    name: String(r.name),
    design: String(r.design),
    status: String(r.status),
    studySha256: (r.study_sha256 as string | null) ?? null,
    codeVersion: (r.code_version as string | null) ?? null,
    temporalRunId: (r.temporal_run_id as string | null) ?? null,
    resumedFrom: (r.resumed_from as string | null) ?? null,
    studyPath: (r.study_path as string | null | undefined) ?? null,
    startedAt: iso(r.started_at),
    finishedAt: isoOrNull(r.finished_at),
    studyJson: (r.study_json as string | null) ?? null,
  };
}

interface StudyJsonShape {
  inputs?: { phenotype?: { column?: string; type?: string } };
  design?: { type?: string; ancestry?: string; target?: string };
}

function parseStudyJson(text: string | null): StudyJsonShape | null {
  if (text === null) return null;
  try {
    return JSON.parse(text) as StudyJsonShape;
  } catch {
    return null;
  }
}

export function phenotypeOf(run: RunInfo): ReportData['phenotype'] {
  const p = parseStudyJson(run.studyJson)?.inputs?.phenotype;
  if (!p?.column) return null;
  return { column: p.column, type: p.type === 'binary' ? 'binary' : 'quantitative' };
}

/** The run's ingested datasets by kind (from its `ingest` steps, joined to `ingests`). */
export async function runDatasets(store: Store, runId: string): Promise<Map<string, string[]>> {
  const steps = await store.all<{ output_json: string | null }>(`SELECT output_json FROM steps WHERE run_id = $r AND step = 'ingest'`, { r: runId });
  const names = new Set<string>();
  for (const s of steps) {
    try {
      const o = JSON.parse(s.output_json ?? 'null') as { dataset?: unknown } | null;
      if (typeof o?.dataset === 'string') names.add(o.dataset);
    } catch {
      // an unreadable output names no dataset
    }
  }
  const out = new Map<string, string[]>();
  if (names.size === 0) return out;
  const rows = await store.all<{ dataset: string; kind: string }>(`SELECT DISTINCT dataset, kind FROM ingests WHERE list_contains($names, dataset)`, {
    names: listValue([...names]),
  });
  for (const r of rows) out.set(r.kind, [...(out.get(r.kind) ?? []), r.dataset]);
  return out;
}


export async function gatherReport(store: Store, runId: string, now = new Date()): Promise<ReportData> {
  const run = await readRunInfo(store, runId);
  const tables = await storeTables(store);
  const has = (t: string): boolean => tables.has(t);
  const r = { r: runId };

  const steps = (
    await store.all(`SELECT step, scope, attempt, cache_hit, started_at, finished_at FROM steps WHERE run_id = $r ORDER BY started_at, finished_at, step_key`, r)
  ).map((s) => ({
    step: String(s.step),
    scope: String(s.scope),
    attempt: num(s.attempt),
    cacheHit: Boolean(s.cache_hit),
    startedAt: iso(s.started_at),
    finishedAt: isoOrNull(s.finished_at),
  }));

  const qc = has('qc_counts')
    ? (await store.all(`SELECT scope, gwas_set, rule, removed, remaining, position FROM qc_counts WHERE run_id = $r ORDER BY scope, gwas_set, position`, r)).map((q) => ({
        scope: String(q.scope),
        gwasSet: String(q.gwas_set),
        rule: String(q.rule),
        removed: num(q.removed),
        remaining: num(q.remaining),
        position: num(q.position),
      }))
    : [];

  const fits = has('fits')
    ? (await store.all(`SELECT scope, method, h2, h2_sd, nnz, sigma2e, pi_json, cutoff, cutoff_reason, summary_json FROM fits WHERE run_id = $r ORDER BY scope`, r)).map(fitRow)
    : [];

  const metrics = has('metrics')
    ? (await store.all(`SELECT scope, method, metric, value, se, n FROM metrics WHERE run_id = $r ORDER BY scope, method, metric`, r)).map((m) => ({
        scope: String(m.scope),
        method: String(m.method),
        metric: String(m.metric),
        value: numOrNull(m.value),
        se: numOrNull(m.se),
        n: num(m.n),
      }))
    : [];

  const phenotype = phenotypeOf(run);
  let calibration: CalibrationGroup[] = [];
  let calibrationNote: string | null = null;
  try {
    calibration = await gatherCalibration(store, run, phenotype);
    if (calibration.length === 0) calibrationNote = 'no held-out scores recorded for this run';
  } catch (e) {
    calibrationNote = (e as Error).message;
  }
  return { run, phenotype, steps, qc, fits, metrics, calibration, calibrationNote, generatedAt: now.toISOString() };
}

function fitRow(f: Record<string, unknown>): FitRow {
  let summary: {
    annotations?: string[];
    enrichment?: number[];
    enrichmentSd?: number[];
    nnz?: { sd?: number };
    removedSnps?: string[];
  } = {};
  try {
    summary = JSON.parse(String(f.summary_json)) as typeof summary;
  } catch {
    // a summary that does not parse shows no enrichment
  }
  let pi: number[] = [];
  try {
    pi = JSON.parse(String(f.pi_json)) as number[];
  } catch {
    pi = [];
  }
  const annotations = Array.isArray(summary.annotations) ? summary.annotations.map(String) : [];
  const enrichment = Array.isArray(summary.enrichment) ? summary.enrichment.map(Number) : [];
  const sd = Array.isArray(summary.enrichmentSd) && summary.enrichmentSd.length === enrichment.length ? summary.enrichmentSd.map(Number) : null;
  return {
    scope: String(f.scope),
    method: String(f.method),
    h2: num(f.h2),
    h2Sd: num(f.h2_sd),
    nnz: num(f.nnz),
    nnzSd: typeof summary.nnz?.sd === 'number' ? summary.nnz.sd : null,
    sigma2e: num(f.sigma2e),
    pi,
    cutoff: num(f.cutoff),
    cutoffReason: String(f.cutoff_reason),
    annotations,
    enrichment,
    enrichmentSd: sd,
    removedSnps: Array.isArray(summary.removedSnps) ? summary.removedSnps.length : 0,
  };
}

/**
 * Mean observed phenotype by PGS decile per method. Cross-validation: each sample's held-out
 * score (score names `<method>/fold<k>`), deciles within each fold, pooled. Cross-ancestry: each
 * training ancestry's score of the target cohort over all scored target samples.
 */
async function gatherCalibration(store: Store, run: RunInfo, phenotype: ReportData['phenotype']): Promise<CalibrationGroup[]> {
  if (!phenotype) throw new Error('the study file names no phenotype column');
  const datasets = await runDatasets(store, run.runId);
  const pheno = datasets.get('pheno')?.[0];
  if (!pheno) throw new Error('the run recorded no phenotype dataset');
  const table = await sampleTableFromStore(store, pheno, 'pheno');
  const col = table.numeric.find((c) => c.name === phenotype.column);
  if (!col) throw new Error(`phenotype dataset has no numeric column '${phenotype.column}'`);
  const y = new Map<string, number>();
  table.fid.forEach((f, i) => {
    let v = col.values[i]!;
    if (phenotype.type === 'binary' && (v === 1 || v === 2)) v = v - 1;
    if (Number.isFinite(v)) y.set(`${f}\t${table.iid[i]}`, v);
  });
  const rows = await store.all<{ fid: string; iid: string; score_name: string; score: number }>(
    `SELECT fid, iid, score_name, score FROM scores WHERE run_id = $r ORDER BY score_name, fid, iid`,
    { r: run.runId },
  );
  // group key → subgroup (fold) → points
  const groups = new Map<string, Map<string, { score: number[]; y: number[] }>>();
  for (const row of rows) {
    const obs = y.get(`${row.fid}\t${row.iid}`);
    if (obs === undefined) continue;
    const m = /^(.+)\/fold(\d+)$/.exec(row.score_name);
    const label = m ? m[1]! : `${row.score_name} weights`;
    const sub = m ? m[2]! : '';
    const g = groups.get(label) ?? new Map<string, { score: number[]; y: number[] }>();
    groups.set(label, g);
    const s = g.get(sub) ?? { score: [], y: [] };
    g.set(sub, s);
    s.score.push(row.score);
    s.y.push(obs);
  }
  return [...groups.entries()].map(([label, subs]) => calibrationByDecile(label, [...subs.values()]));
}
