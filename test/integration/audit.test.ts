// Provenance and `pgsflow audit` on real runs: two small 3-fold cross-validations (seeds 1 and 2)
// by the real workflows on a dev server with a real DuckDB store; histories archived by the
// real store activity; then the CLI as a user runs it — through Temporal while a worker holds
// the store, and directly on the free store — including verify after tampering with one effect
// row and one input byte.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils.js';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker, bundleWorkflowCode } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { simulateStudy } from '../../core/simulate/simulateStudy.js';
import { Store } from '../../core/store/store.js';
import type { AuditDiff } from '../../client/audit/auditDiff.js';
import { removeServerRecord, serverRecordPath, writeServerRecord } from '../../client/serverRecord.js';
import { parseSimulateOptions } from '../../config/simulate.js';
import { makeComputeActivities, makeStoreActivities } from '../../worker/workers.js';
import type { StudyInput } from '../../contracts/study.js';
import { type CliResult, spawnCli } from '../helpers/cli.js';
import { studyInputFor, writeStudyVariant } from '../helpers/studyFiles.js';
import { makeTmpDir } from '../helpers/tmp.js';
import { type LocalTemporal, startLocalTemporal } from '../helpers/localTemporal.js';
import type { AuditListRow, AuditRun, VerifyResult } from '../../contracts/runRecords.js';

const STORE_QUEUE = 'audit-store';
const COMPUTE_QUEUE = 'audit-compute';
const RUN_A = 'audit-a';
const RUN_B = 'audit-b';

let env: TestWorkflowEnvironment;
let temporal: LocalTemporal | undefined;
let tmp: { dir: string; cleanup: () => void };
let simDir: string;
let storeDir: string;
let bundle: Awaited<ReturnType<typeof bundleWorkflowCode>>;

/** Runs `fn` with the store open in this process and a worker serving it (the store is then locked). */
async function withWorker<T>(fn: (store: Store) => Promise<T>): Promise<T> {
  const store = await Store.open(storeDir);
  try {
    const storeWorker = await Worker.create({ connection: env.nativeConnection, taskQueue: STORE_QUEUE, workflowBundle: bundle, activities: makeStoreActivities(store) });
    const computeWorker = await Worker.create({ connection: env.nativeConnection, taskQueue: COMPUTE_QUEUE, activities: makeComputeActivities(), maxConcurrentActivityTaskExecutions: 2 });
    return await storeWorker.runUntil(computeWorker.runUntil(fn(store)));
  } finally {
    store.close();
  }
}

async function withStore<T>(fn: (store: Store) => Promise<T>): Promise<T> {
  const store = await Store.open(storeDir);
  try {
    return await fn(store);
  } finally {
    store.close();
  }
}

function studyInput(name: string, seed: number): StudyInput {
  const path = writeStudyVariant(simDir, 'study.json', name, { seed, design: { type: 'cross-validation', folds: 3, ancestry: 'EUR' }, sbayesrc: { iterations: 120, burnIn: 40, checkpointEvery: 40 } });
  return studyInputFor(path, { computeTaskQueue: COMPUTE_QUEUE, artifactsDir: `${storeDir}/artifacts` });
}

/** The CLI as a child process (async: the worker in this process must keep answering). */
async function cli(args: string[], extraEnv: Record<string, string> = {}, store = storeDir, command = 'audit'): Promise<CliResult> {
  const live = spawnCli([command, ...args, '--store', store], { TEMPORAL_ADDRESS: '', PGSFLOW_TASK_QUEUE: STORE_QUEUE, ...extraEnv });
  let stdout = '';
  let stderr = '';
  live.child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  live.child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const { code } = await live.exit;
  return { status: code, stdout, stderr };
}

beforeAll(async () => {
  tmp = makeTmpDir('audit');
  simDir = `${tmp.dir}/sim`;
  storeDir = `${tmp.dir}/store`;
  await simulateStudy(parseSimulateOptions({ ancestries: ['EUR'], samples: [1500], refSamples: 300, snps: 600, blockSnps: 100, seed: 11 }), simDir);
  temporal = await startLocalTemporal(tmp.dir, inject('temporalCli'));
  env = temporal.env;
  bundle = await bundleWorkflowCode({ workflowsPath: fileURLToPath(new URL('../helpers/auditWorkflows.ts', import.meta.url)), logger: { log: () => undefined, trace: () => undefined, debug: () => undefined, info: () => undefined, warn: () => undefined, error: (m: string) => console.error(m) } });
  await withWorker(async () => {
    for (const [id, seed] of [[RUN_A, 1], [RUN_B, 2]] as const) {
      await env.client.workflow.execute('crossValidationStudy', { workflowId: id, taskQueue: STORE_QUEUE, args: [studyInput(id, seed)] });
      await env.client.workflow.execute('archiveRunWorkflow', { workflowId: `archive-${id}`, taskQueue: STORE_QUEUE, args: [id] });
    }
  });
}, 600_000);

afterAll(async () => {
  await temporal?.stop();
  if (process.env.PGSFLOW_KEEP_TEST_TMP) console.log(`kept ${tmp?.dir}`);
  else tmp?.cleanup();
});

describe('provenance recording', () => {
  it('records host, code identity, resolved study, step peak memory, output hashes and histories', async () => {
    await withStore(async (store) => {
      const [run] = await store.all<{ host: string; package_version: string; git_commit: string | null; lockfile_sha256: string; provenance_json: string }>(
        `SELECT host, package_version, git_commit, lockfile_sha256, provenance_json FROM runs WHERE run_id = $r`,
        { r: RUN_A },
      );
      expect(run!.host.length).toBeGreaterThan(0);
      const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
      expect(run!.package_version).toBe(pkg.version);
      expect(run!.lockfile_sha256).toMatch(/^[0-9a-f]{64}$/);
      const prov = JSON.parse(run!.provenance_json) as { node: string; resolvedStudy: { seed: number; qc: Record<string, unknown> } };
      expect(prov.node).toBe(process.version);
      expect(prov.resolvedStudy.seed).toBe(1);
      expect(Object.keys(prov.resolvedStudy.qc).length).toBeGreaterThan(3); // defaults filled in
      const steps = await store.all<{ n: bigint; rss: bigint }>(`SELECT count(*) AS n, min(peak_rss_bytes) AS rss FROM steps WHERE run_id = $r`, { r: RUN_A });
      expect(Number(steps[0]!.rss)).toBeGreaterThan(10 * 2 ** 20);
      const outputs = await store.all<{ scope: string; kind: string }>(`SELECT scope, kind FROM run_outputs WHERE run_id = $r ORDER BY scope, kind`, { r: RUN_A });
      const kinds = outputs.map((o) => `${o.scope} ${o.kind}`);
      for (let k = 1; k <= 3; k++) for (const kind of ['fit.json', 'fit.txt', 'table:effects']) expect(kinds).toContain(`fold-${k}/SBayesRC ${kind}`);
      expect(kinds).toEqual(expect.arrayContaining([' table:metrics', ' table:scores']));
      const histories = await store.all<{ workflow_id: string; events: number; history_json: string }>(
        `SELECT workflow_id, events, history_json FROM histories WHERE run_id = $r ORDER BY workflow_id`,
        { r: RUN_A },
      );
      expect(histories.map((h) => h.workflow_id)).toEqual([RUN_A, `${RUN_A}/fold-1`, `${RUN_A}/fold-2`, `${RUN_A}/fold-3`]);
      for (const h of histories) expect((JSON.parse(h.history_json) as { events: unknown[] }).events.length).toBe(h.events);
    });
  });
});

describe('pgsflow audit', () => {
  it('reads through Temporal while a worker holds the store', async () => {
    await withWorker(async () => {
      const list = await cli(['--json'], { TEMPORAL_ADDRESS: env.address });
      expect(list.stderr).toBe('');
      expect(list.status).toBe(0);
      const runs = JSON.parse(list.stdout) as AuditListRow[];
      expect(runs.map((r) => r.runId).sort()).toEqual([RUN_A, RUN_B]);
      const verify = await cli(['verify', RUN_A], { TEMPORAL_ADDRESS: env.address });
      expect(verify.status, verify.stdout + verify.stderr).toBe(0);
      expect(verify.stdout).toMatch(/all \d+ recorded hashes match/);
      // No store on this machine: the worker's store answers (a remote worker, as far as the CLI knows).
      const remote = await cli(['--json'], { TEMPORAL_ADDRESS: env.address }, `${tmp.dir}/no-such-store`);
      expect(remote.status, remote.stderr).toBe(0);
      expect((JSON.parse(remote.stdout) as AuditListRow[]).length).toBe(2);
      // Without TEMPORAL_ADDRESS the locked store is refused with a hint, not opened.
      const refused = await cli([]);
      expect(refused.status).toBe(1);
      expect(refused.stderr).toMatch(/held by another process.*TEMPORAL_ADDRESS/s);
      // `report` too: the worker holding the store writes the files.
      const html = `${tmp.dir}/through-worker.html`;
      const report = await cli([RUN_A, '--out', html, '--exports', `${tmp.dir}/through-worker-exports`], { TEMPORAL_ADDRESS: env.address }, storeDir, 'report');
      expect(report.status, report.stderr).toBe(0);
      expect(readFileSync(html, 'utf8')).toMatch(/<svg/);
      expect(existsSync(`${tmp.dir}/through-worker-exports/metrics.tsv`)).toBe(true);
      const unknown = await cli(['no-such-run', '--out', `${tmp.dir}/x.html`], { TEMPORAL_ADDRESS: env.address }, storeDir, 'report');
      expect(unknown.status).toBe(1);
      expect(unknown.stderr).toContain(`no run 'no-such-run'`);
      // A `study run` with its embedded server records it next to the store: audit finds it there.
      writeServerRecord(storeDir, { address: env.address, uiUrl: '', serverPid: process.pid, ownerPid: process.pid, startedAt: new Date().toISOString() });
      try {
        const viaRecord = await cli(['verify', RUN_A]);
        expect(viaRecord.status, viaRecord.stderr).toBe(0);
        expect(viaRecord.stdout).toMatch(/all \d+ recorded hashes match/);
      } finally {
        removeServerRecord(storeDir);
      }
      // A record whose server is gone is ignored (and removed): refused as before.
      writeServerRecord(storeDir, { address: '127.0.0.1:1', uiUrl: '', serverPid: 2 ** 22 + 12345, ownerPid: process.pid, startedAt: new Date().toISOString() });
      const stale = await cli([]);
      expect(stale.status).toBe(1);
      expect(stale.stderr).toMatch(/held by another process/);
      expect(existsSync(serverRecordPath(storeDir))).toBe(false);
    });
  }, 120_000);

  it('lists runs with a headline metric', async () => {
    const r = await cli([]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^RUN\s+NAME\s+DESIGN\s+STATUS\s+STARTED\s+DURATION\s+HEADLINE/);
    expect(r.stdout).toMatch(new RegExp(`${RUN_A}\\s+${RUN_A}\\s+cross-validation\\s+completed.*mean r2 0\\.\\d{4} ± 0\\.\\d{4}`));
    const runs = JSON.parse((await cli(['--json'])).stdout) as AuditListRow[];
    expect(runs.find((x) => x.runId === RUN_A)!.headline!.label).toBe('mean r2 over folds (SBayesRC)');
  });

  it('shows a run with its provenance, as text and as JSON', async () => {
    const j = await cli([RUN_A, '--json']);
    expect(j.status, j.stderr).toBe(0);
    const a = JSON.parse(j.stdout) as AuditRun;
    expect(a.run).toMatchObject({ runId: RUN_A, status: 'completed', design: 'cross-validation' });
    expect(a.code.lockfileSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(a.host).toMatchObject({ node: process.version });
    const files = a.inputs.flatMap((i) => i.files);
    expect(files.some((f) => f.path.endsWith('pheno.tsv') && /^[0-9a-f]{64}$/.test(f.sha256) && f.bytes > 0)).toBe(true);
    expect(a.steps.every((s) => s.attempt >= 1 && s.peakRssBytes! > 0)).toBe(true);
    expect(a.steps.map((s) => s.step)).toEqual(expect.arrayContaining(['fingerprintInputs', 'ingest', 'gwas', 'qc', 'impute', 'fitSbayesrc']));
    expect(new Set(a.qc.map((q) => q.scope))).toEqual(new Set(['fold-1', 'fold-2', 'fold-3']));
    expect(a.fits).toHaveLength(3);
    for (const f of a.fits) {
      expect(f.cutoffReason.length).toBeGreaterThan(0);
      expect(f.pi).toHaveLength(5);
      expect(f.h2).toBeGreaterThan(0);
      expect(Array.isArray(f.removedSnps)).toBe(true);
    }
    expect(a.metrics.some((m) => m.scope === 'folds' && m.metric === 'r2')).toBe(true);
    expect(a.histories.map((h) => h.workflowId)).toContain(`${RUN_A}/fold-2`);

    const t = await cli([RUN_A]);
    expect(t.status).toBe(0);
    for (const heading of ['code', 'host', 'inputs', 'steps', 'QC', 'fits', 'metrics', 'outputs', 'archived workflow histories']) {
      expect(t.stdout).toMatch(new RegExp(`^${heading}`, 'm'));
    }
    expect(t.stdout).toMatch(/fold-1\/SBayesRC \(SBayesRC\): h2 [\d.]+ ± [\d.]+, nnz/);
    expect(t.stdout).toMatch(/cut-off 0\.995 \(given\)/);
    expect(t.stdout).toContain('pheno.tsv');
  });

  it('diffs two runs: the seed and the metrics differ, inputs and code do not', async () => {
    const r = await cli(['diff', RUN_A, RUN_B]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^\s+seed\s+1\s+2$/m);
    expect(r.stdout).toMatch(/^inputs: same$/m);
    expect(r.stdout).toMatch(/^code version: same$/m);
    expect(r.stdout).toMatch(/folds SBayesRC r2\s+0\.\d{4}\s+0\.\d{4} \([+-]/);
    const d = JSON.parse((await cli(['diff', RUN_A, RUN_B, '--json'])).stdout) as AuditDiff;
    expect(d.parameters).toEqual(expect.arrayContaining([{ what: 'seed', a: '1', b: '2' }, { what: 'name', a: RUN_A, b: RUN_B }]));
    expect(d.metrics.length).toBeGreaterThan(0);
  });

  it('verify: a clean run passes; an altered effect row fails naming it', async () => {
    const clean = await cli(['verify', RUN_A]);
    expect(clean.status, clean.stdout).toBe(0);
    // Inputs, the LD panel the study built (catalogued at ingest), fit files and tables are all checked.
    expect(clean.stdout).toMatch(/^ok\s+input\s+\S+pheno\.tsv$/m);
    expect(clean.stdout).toMatch(/^ok\s+data\s+\S+block1\.eigen\.bin$/m);
    expect(clean.stdout).toMatch(/^ok\s+file\s+\S+SBayesRC_fold-1\.txt$/m);
    expect(clean.stdout).toMatch(/^ok\s+table\s+scores rows$/m);
    const snp = await withStore(async (store) => {
      const [row] = await store.all<{ snp: string }>(`SELECT snp FROM effects WHERE run_id = $r AND scope = 'fold-2/SBayesRC' ORDER BY snp LIMIT 1 OFFSET 7`, { r: RUN_A });
      await store.transaction((tx) => tx.run(`UPDATE effects SET beta = beta + 1e-4 WHERE run_id = $r AND scope = 'fold-2/SBayesRC' AND snp = $s`, { r: RUN_A, s: row!.snp }));
      return row!.snp;
    });
    const bad = await cli(['verify', RUN_A]);
    expect(bad.status).toBe(1);
    expect(bad.stdout).toMatch(/MISMATCH\s+table\s+effects rows of fold-2\/SBayesRC/);
    expect(bad.stdout).toMatch(new RegExp(`row ${snp} \\(\\w+\\): stored BETA/SE/PIP`));
    expect(bad.stdout).toMatch(/1 of \d+ checks FAILED: effects rows of fold-2\/SBayesRC/);
    const json = JSON.parse((await cli(['verify', RUN_A, '--json'])).stdout) as VerifyResult;
    expect(json.mismatches.map((m) => m.name)).toEqual(['effects rows of fold-2/SBayesRC']);
    // Run B's rows are untouched.
    expect((await cli(['verify', RUN_B])).status).toBe(0);
  });

  it('verify: one altered input byte fails naming the file', async () => {
    const pheno = `${simDir}/pheno.tsv`;
    const good = readFileSync(pheno);
    const bad = Buffer.from(good);
    const at = bad.length - 3;
    bad[at] = bad[at] === 0x31 ? 0x32 : 0x31;
    writeFileSync(pheno, bad);
    try {
      const r = await cli(['verify', RUN_B]);
      expect(r.status).toBe(1);
      expect(r.stdout).toContain(`MISMATCH  input  ${pheno}`);
      expect(r.stdout).toMatch(new RegExp(`1 of \\d+ checks FAILED: ${pheno.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm'));
    } finally {
      writeFileSync(pheno, good);
    }
    expect((await cli(['verify', RUN_B])).status).toBe(0);
  });

  it('prints an archived history that replays against the workflow code', async () => {
    const r = await cli(['history', RUN_A, `${RUN_A}/fold-1`]);
    expect(r.status, r.stderr).toBe(0);
    const history = historyFromJSON(JSON.parse(r.stdout));
    expect(history.events?.[0]?.workflowExecutionStartedEventAttributes?.workflowType?.name).toBe('foldPipeline');
    await Worker.runReplayHistory({ workflowBundle: bundle }, history, `${RUN_A}/fold-1`);
    const missing = await cli(['history', RUN_A, 'nope']);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain(`archived: ${RUN_A}, ${RUN_A}/fold-1`);
  });

  it('exits 1 for an unknown run and 2 on usage errors', async () => {
    const r = await cli(['nosuchrun']);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/no run 'nosuchrun'/);
    expect((await cli(['diff', RUN_A])).status).toBe(2);
    expect((await cli(['verify'])).status).toBe(2);
  });
});
