// What `pgsflow audit` shows, gathered from the store by reads only: the run list with a headline
// metric, everything recorded about one run (provenance, inputs, steps, QC, fits, metrics, output
// hashes, archived histories), and `verify` (re-hash every recorded input file and stored output).
// Used directly by the CLI when the store is free, and by the `readAudit` store activity (through
// a short workflow) while a worker owns it. Results are plain JSON (they cross Temporal).
import { createHash } from 'node:crypto';
import { listValue } from '@duckdb/node-api';
import { hashFile } from '../provenance/fileHash.js';
import { type FitsTableRow, readEffects } from '../sbayesrc/fitStore.js';
import type { Store } from '../store/store.js';
import { type RunsTableRow, iso, num, parseStoredJson as parse, readMetrics, readQcCounts, readRunRow, readStepRecords, runHeaderOf, seconds } from './runTables.js';
import { type HashedTable, hashRunTable } from '../provenance/tableHash.js';
import type { FileHash } from '../../contracts/provenance.js';
import type { AuditDataset, AuditListRow, AuditInput, AuditRun, VerifyCheck, VerifyResult } from '../../contracts/runRecords.js';
import { AuditNotFoundError } from '../errors.js';


/** The headline metric of a run from its metrics rows. */
export function headlineOf(design: string, metrics: readonly { scope: string; method: string; metric: string; value: number | null; se: number | null }[]): AuditListRow['headline'] {
  const find = (scope: string, method: string) => metrics.find((m) => m.scope === scope && m.method === method && m.metric === 'r2');
  if (design === 'cross-validation') {
    const m = find('folds', 'SBayesRC') ?? find('folds', 'SBayesR');
    return m ? { label: `mean r2 over folds (${m.method})`, value: m.value, se: m.se } : null;
  }
  const m = find('combined', 'SBayesRC-multi');
  return m ? { label: 'combined r2 (SBayesRC-multi, test samples)', value: m.value, se: m.se } : null;
}

export async function listRuns(store: Store): Promise<AuditListRow[]> {
  const runs = await store.all<Pick<RunsTableRow, 'run_id' | 'name' | 'design' | 'status' | 'started_at' | 'finished_at'>>(`SELECT run_id, name, design, status, started_at, finished_at FROM runs ORDER BY started_at DESC, run_id`);
  const metrics = await store.all<{ run_id: string; scope: string; method: string; metric: string; value: number | null; se: number | null }>(
    `SELECT run_id, scope, method, metric, value, se FROM metrics WHERE metric = 'r2' AND scope IN ('folds', 'combined')`,
  );
  return runs.map((r) => ({
    runId: r.run_id,
    name: r.name,
    design: r.design,
    status: r.status,
    startedAt: r.started_at.toISOString(),
    finishedAt: iso(r.finished_at),
    durationSeconds: seconds(r.started_at, r.finished_at),
    headline: headlineOf(r.design, metrics.filter((m) => m.run_id === r.run_id)),
  }));
}

export async function auditRun(store: Store, runId: string): Promise<AuditRun> {
  const r = await readRunRow(store, runId);
  if (!r) throw new AuditNotFoundError(`no run '${runId}' in the store (\`pgsflow audit\` lists the runs)`);
  const id = { id: runId };
  const fingerprint = await store.all<{ output_json: string | null }>(`SELECT output_json FROM steps WHERE run_id = $id AND step = 'fingerprintInputs' ORDER BY started_at LIMIT 1`, id);
  const inputs = ((parse(fingerprint[0]?.output_json) as AuditInput[] | null) ?? []).map((i) => ({ key: i.key, sha256: i.sha256, files: i.files }));
  const fits = await store.all<FitsTableRow>(`SELECT * FROM fits WHERE run_id = $id ORDER BY scope`, id);
  // Audit lists metrics method by method (the report reads them scope by scope).
  const metrics = (await readMetrics(store, runId)).sort((a, b) => (a.method < b.method ? -1 : a.method > b.method ? 1 : 0));
  const outputs = await store.all<{ scope: string; kind: string; path: string | null; sha256: string; bytes: bigint | null; rows: bigint | null }>(
    `SELECT scope, kind, path, sha256, bytes, rows FROM run_outputs WHERE run_id = $id ORDER BY scope, kind`,
    id,
  );
  const histories = await store.all<{ workflow_id: string; temporal_run_id: string | null; events: number; bytes: bigint; archived_at: Date }>(
    `SELECT workflow_id, temporal_run_id, events, strlen(history_json) AS bytes, archived_at FROM histories WHERE run_id = $id ORDER BY workflow_id`,
    id,
  );
  const prov = parse(r.provenance_json) as (Record<string, unknown> & { resolvedStudy?: unknown; code?: unknown }) | null;
  let host: Record<string, unknown> | null = null;
  if (prov) {
    const { resolvedStudy: _r, code: _c, ...rest } = prov;
    host = rest;
  }
  return {
    run: runHeaderOf(r),
    code: { codeVersion: r.code_version, packageVersion: r.package_version, gitCommit: r.git_commit, lockfileSha256: r.lockfile_sha256 },
    host,
    resolvedStudy: prov?.resolvedStudy ?? null,
    inputs,
    datasets: await runIngests(store, runId),
    steps: await readStepRecords(store, runId),
    qc: await readQcCounts(store, runId),
    fits: fits.map((f) => {
      const s = (parse(f.summary_json) ?? {}) as Record<string, unknown>;
      return {
        scope: f.scope,
        method: f.method,
        h2: f.h2,
        h2Sd: f.h2_sd,
        nnz: f.nnz,
        sigma2e: f.sigma2e,
        pi: (parse(f.pi_json) as number[] | null) ?? [],
        cutoff: f.cutoff,
        cutoffReason: f.cutoff_reason,
        tuning: s.tuning ?? null,
        removedSnps: (s.removedSnps as string[] | undefined) ?? [],
        convergence: s.convergence ?? null,
        enrichment: (parse(f.enrichment_json) as Record<string, number | null> | null) ?? {},
        iterations: num(s.iterations),
        burnIn: num(s.burnIn),
        seed: num(s.seed),
        snps: num(s.snps),
        seconds: num(s.seconds),
      };
    }),
    metrics,
    outputs: outputs.map((o) => ({ scope: o.scope, kind: o.kind, path: o.path, sha256: o.sha256, bytes: num(o.bytes), rows: num(o.rows) })),
    histories: histories.map((h) => ({ workflowId: h.workflow_id, temporalRunId: h.temporal_run_id, events: h.events, bytes: Number(h.bytes), archivedAt: h.archived_at.toISOString() })),
  };
}

const describeHash = (sha256: string, size: number | null, unit: string): string => `sha256 ${sha256.slice(0, 16)}…${size === null ? '' : ` (${size} ${unit})`}`;

/**
 * Re-hash every input file the run recorded (the `fingerprintInputs` step), its study file, every
 * output file (fit PREFIX.txt / .json) and the canonical hash of every table it owns (effects per
 * scope, scores, metrics). A check that cannot read a file is a mismatch naming the error.
 */
export async function verifyRun(store: Store, runId: string): Promise<VerifyResult> {
  const audit = await auditRun(store, runId);
  const checks: VerifyCheck[] = [];
  const checkFile = async (kind: string, recorded: { path: string; sha256: string; bytes: number | null }): Promise<void> => {
    const expected = describeHash(recorded.sha256, recorded.bytes, 'bytes');
    try {
      const now = await hashFile(recorded.path);
      const ok = now.sha256 === recorded.sha256 && (recorded.bytes === null || now.bytes === recorded.bytes);
      checks.push({ kind, name: recorded.path, expected, actual: describeHash(now.sha256, now.bytes, 'bytes'), ok });
    } catch (e) {
      checks.push({ kind, name: recorded.path, expected, actual: `unreadable: ${(e as Error).message}`, ok: false });
    }
  };
  if (audit.run.studyJson !== null && audit.run.studySha256 !== null) {
    const stored = createHash('sha256').update(audit.run.studyJson).digest('hex');
    checks.push({
      kind: 'study',
      name: 'stored study file (runs.study_json)',
      expected: describeHash(audit.run.studySha256, null, ''),
      actual: describeHash(stored, null, ''),
      ok: stored === audit.run.studySha256,
    });
  }
  const checked = new Set<string>();
  for (const input of audit.inputs) {
    for (const f of input.files) {
      checked.add(f.path);
      await checkFile('input', f);
    }
  }
  // Files of the datasets the run ingested that are not inputs (an LD panel it built under artifacts).
  for (const f of await datasetFiles(store, runId)) {
    if (checked.has(f.path)) continue;
    checked.add(f.path);
    await checkFile('data', f);
  }
  for (const o of audit.outputs) {
    if (o.path !== null) {
      await checkFile('file', { path: o.path, sha256: o.sha256, bytes: o.bytes });
      continue;
    }
    const table = o.kind.startsWith('table:') ? (o.kind.slice('table:'.length) as HashedTable) : undefined;
    if (table !== 'effects' && table !== 'scores' && table !== 'metrics') continue;
    const now = await hashRunTable(store, table, runId, o.scope);
    const name = `${table} rows${o.scope ? ` of ${o.scope}` : ''}`;
    const ok = now.sha256 === o.sha256 && (o.rows === null || now.rows === o.rows);
    const check: VerifyCheck = { kind: 'table', name, expected: describeHash(o.sha256, o.rows, 'rows'), actual: describeHash(now.sha256, now.rows, 'rows'), ok };
    const txt = audit.outputs.find((x) => x.scope === o.scope && x.kind === 'fit.txt');
    if (!ok && table === 'effects' && txt?.path) check.details = (await effectsDiffFromFile(store, runId, o.scope, txt.path)).slice(0, 20);
    checks.push(check);
  }
  return { runId, checks, mismatches: checks.filter((c) => !c.ok) };
}

/** One archived workflow history (Temporal's JSON format, as `temporal workflow show --output json`). */
export async function archivedHistory(store: Store, runId: string, workflowId: string): Promise<string> {
  const rows = await store.all<{ history_json: string }>(`SELECT history_json FROM histories WHERE run_id = $r AND workflow_id = $w`, { r: runId, w: workflowId });
  if (!rows[0]) {
    const have = await store.all<{ workflow_id: string }>(`SELECT workflow_id FROM histories WHERE run_id = $r ORDER BY workflow_id`, { r: runId });
    throw new AuditNotFoundError(
      `no archived history of workflow '${workflowId}' in run '${runId}'${have.length ? ` (archived: ${have.map((h) => h.workflow_id).join(', ')})` : ' (none archived)'}`,
    );
  }
  return rows[0].history_json;
}

/** Files (with their ingest-time hashes) of every dataset the run's ingest and buildLdPanel steps name. */
async function datasetFiles(store: Store, runId: string): Promise<FileHash[]> {
  const steps = await store.all<{ step: string; output_json: string | null }>(
    `SELECT step, output_json FROM steps WHERE run_id = $r AND step IN ('ingest', 'buildLdPanel')`,
    { r: runId },
  );
  const names = new Set<string>();
  for (const s of steps) {
    const out = parse(s.output_json) as { dataset?: unknown; name?: unknown } | null;
    const name = s.step === 'ingest' ? out?.dataset : out?.name;
    if (typeof name === 'string') names.add(name);
  }
  if (names.size === 0) return [];
  // The catalogue is small (one row per ingested dataset): filter here.
  const rows = (await store.all<{ dataset: string; files_json: string }>(`SELECT dataset, files_json FROM ingests ORDER BY kind, dataset`)).filter((r) => names.has(r.dataset));
  return rows.flatMap((r) => (parse(r.files_json) as FileHash[] | null) ?? []);
}

/** Which effects rows differ from the fit's PREFIX.txt (to name the altered SNP in a mismatch). */
export async function effectsDiffFromFile(store: Store, runId: string, scope: string, txtPath: string): Promise<string[]> {
  let file: Awaited<ReturnType<typeof readEffects>>;
  try {
    file = await readEffects(txtPath);
  } catch {
    return [];
  }
  const byKey = new Map<string, string>();
  for (let j = 0; j < file.snp.length; j++) byKey.set(`${file.snp[j]}\t${file.a1[j]}`, `${file.beta[j]}\t${file.se[j]}\t${file.pip[j]}`);
  const out: string[] = [];
  await store.forEachBatch<[string, string, number, number, number]>(
    `SELECT snp, a1, beta, se, pip FROM effects WHERE run_id = $r AND scope = $sc`,
    { r: runId, sc: scope },
    (rows) => {
      for (const [snp, a1, beta, se, pip] of rows) {
        const key = `${snp}\t${a1}`;
        const want = byKey.get(key);
        if (want === undefined) out.push(`${snp} (${a1}): not in ${txtPath}`);
        else if (want !== `${beta}\t${se}\t${pip}`) out.push(`${snp} (${a1}): stored BETA/SE/PIP ${beta}/${se}/${pip}, file ${want.split('\t').join('/')}`);
        byKey.delete(key);
      }
    },
  );
  for (const key of byKey.keys()) out.push(`${key.split('\t')[0]}: missing from the store`);
  return out;
}

/** The datasets the run's ingest steps name, with what was recorded about reading them. */
async function runIngests(store: Store, runId: string): Promise<AuditDataset[]> {
  const steps = await store.all<{ output_json: string | null }>(`SELECT output_json FROM steps WHERE run_id = $r AND step = 'ingest'`, { r: runId });
  const names = new Set<string>();
  for (const st of steps) {
    const o = parse(st.output_json) as { dataset?: unknown } | null;
    if (typeof o?.dataset === 'string') names.add(o.dataset);
  }
  if (names.size === 0) return [];
  const rows = await store.all<{ dataset: string; kind: string; rows: bigint | number; details_json: string | null }>(
    `SELECT dataset, kind, rows, details_json FROM ingests WHERE list_contains($names, dataset) ORDER BY kind, dataset`,
    { names: listValue([...names]) },
  );
  return rows.map((r) => ({ dataset: r.dataset, kind: r.kind, rows: Number(r.rows), details: parse(r.details_json) as Record<string, unknown> | null }));
}
