// Everything the HTML report and the exports show about one run, read from the store in one go
// (read-only queries on tables that exist; optional tables added by later migrations are skipped
// when absent). The renderer and the export writers are pure functions of this object.
import { listValue } from '@duckdb/node-api';
import { sampleTableFromStore } from '../gwas/gwasStore.js';
import type { MetricRow } from '../../contracts/evaluation.js';
import type { QcCountRow, RunHeader, StepRecord } from '../../contracts/runRecords.js';
import type { Store } from '../store/store.js';
import { readMetrics, readQcCounts, readRunHeader, readStepRecords } from './runTables.js';
import { BadInputError } from '../errors.js';
import { type CalibrationGroup, calibrationByDecile, calibrationSeries } from '../report/calibration.js';

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
  /** The fit's data warnings (summary `warnings`; empty for older summaries). */
  warnings?: string[];
}

export interface ReportData {
  run: RunHeader;
  /** Phenotype column and trait type from the study file (null when unreadable). */
  phenotype: { column: string; type: 'quantitative' | 'binary' } | null;
  steps: StepRecord[];
  qc: QcCountRow[];
  fits: FitRow[];
  metrics: MetricRow[];
  calibration: CalibrationGroup[];
  /** Why calibration could not be computed, when it could not. */
  calibrationNote: string | null;
  /** How a cross-ancestry study learnt its mixing weights (design.weighting; null for other designs). */
  weighting: string | null;
  generatedAt: string;
}

const num = (x: unknown): number => (typeof x === 'bigint' ? Number(x) : (x as number));

/** The run's header, or a BadInputError naming recent runs when the store has no such run. */
export async function requireRunHeader(store: Store, runId: string): Promise<RunHeader> {
  const run = await readRunHeader(store, runId);
  if (run) return run;
  const known = await store.all<{ run_id: string }>(`SELECT run_id FROM runs ORDER BY started_at DESC LIMIT 10`);
  throw new BadInputError(store.paths.database, `no run '${runId}' in the store${known.length ? ` (recent runs: ${known.map((k) => k.run_id).join(', ')})` : ''}`);
}

interface StudyJsonShape {
  inputs?: { phenotype?: { column?: string; type?: string } };
  design?: { type?: string; ancestry?: string; target?: string; weighting?: string };
}

function parseStudyJson(text: string | null): StudyJsonShape | null {
  if (text === null) return null;
  try {
    return JSON.parse(text) as StudyJsonShape;
  } catch {
    return null;
  }
}

export function phenotypeOf(run: RunHeader): ReportData['phenotype'] {
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
  const run = await requireRunHeader(store, runId);
  const steps = await readStepRecords(store, runId);
  const qc = await readQcCounts(store, runId);
  const fits = (await store.all(`SELECT scope, method, h2, h2_sd, nnz, sigma2e, pi_json, cutoff, cutoff_reason, summary_json FROM fits WHERE run_id = $r ORDER BY scope`, { r: runId })).map(fitRow);
  const metrics = await readMetrics(store, runId);

  const phenotype = phenotypeOf(run);
  let calibration: CalibrationGroup[] = [];
  let calibrationNote: string | null = null;
  try {
    calibration = await gatherCalibration(store, run, phenotype);
    if (calibration.length === 0) calibrationNote = 'no held-out scores recorded for this run';
  } catch (e) {
    calibrationNote = (e as Error).message;
  }
  const design = parseStudyJson(run.studyJson)?.design;
  const weighting = design?.type === 'cross-ancestry' ? (design.weighting ?? 'tuning') : null;
  return { run, phenotype, steps, qc, fits, metrics, calibration, calibrationNote, weighting, generatedAt: now.toISOString() };
}

function fitRow(f: Record<string, unknown>): FitRow {
  let summary: {
    annotations?: string[];
    enrichment?: number[];
    enrichmentSd?: number[];
    nnz?: { sd?: number };
    removedSnps?: string[];
    warnings?: unknown[];
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
    warnings: Array.isArray(summary.warnings) ? summary.warnings.map(String) : [],
  };
}

/**
 * Mean observed phenotype by PGS decile per method. Cross-validation: each sample's held-out
 * score (score names `<method>/fold<k>`), deciles within each fold, pooled. Cross-ancestry: each
 * training ancestry's score of the target cohort and the combined SBayesRC-multi score, over all
 * scored target samples.
 */
async function gatherCalibration(store: Store, run: RunHeader, phenotype: ReportData['phenotype']): Promise<CalibrationGroup[]> {
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
    const { label, subgroup: sub } = calibrationSeries(row.score_name);
    const g = groups.get(label) ?? new Map<string, { score: number[]; y: number[] }>();
    groups.set(label, g);
    const s = g.get(sub) ?? { score: [], y: [] };
    g.set(sub, s);
    s.score.push(row.score);
    s.y.push(obs);
  }
  return [...groups.entries()].map(([label, subs]) => calibrationByDecile(label, [...subs.values()]));
}
