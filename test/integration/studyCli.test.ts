// `pgsflow study` as a user runs it, on the embedded dev server (real Temporal, real workers):
// usage and config errors, an unknown run, and a small simulated cross-validation study run to
// completion, then read back with `study status`, `study list` and resumed with `study resume`.
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../client/devServer.js';
import { RUN_ID_PATTERN } from '../../client/study/runId.js';
import { processesMatching, runCli, spawnCli, waitUntil } from '../helpers/cli.js';
import { makeTmpDir } from '../helpers/tmp.js';

let tmp: { dir: string; cleanup: () => void };
let sim: string;

beforeAll(() => {
  tmp = makeTmpDir('studycli');
  sim = join(tmp.dir, 'sim');
  const r = runCli(['simulate', '--out', sim, '--samples', '400', '--ref-samples', '150', '--snps', '300', '--block-snps', '50', '--annotations', '2', '--seed', '3']);
  expect(r.status, r.stderr).toBe(0);
  // A tiny study: three folds, short chains, the store inside the study folder (relative path).
  const study = JSON.parse(readFileSync(join(sim, 'study.json'), 'utf8')) as Record<string, unknown> & { design: Record<string, unknown> };
  study.design.folds = 3;
  study.store = 'store';
  study.sbayesrc = { iterations: 60, burnIn: 20, checkpointEvery: 20, baseline: false };
  writeFileSync(join(sim, 'small.json'), `${JSON.stringify(study, null, 2)}\n`);
});

afterAll(() => tmp?.cleanup());

async function embeddedEnv(): Promise<Record<string, string>> {
  return { PGSFLOW_DEV_PORT: String(await freePort()), PGSFLOW_DEV_UI_PORT: String(await freePort()), TEMPORAL_ADDRESS: '' };
}

interface StatusJson {
  runId: string;
  status: string;
  progress: { runId: string; units: { scope: string; state: string }[] } | null;
  metrics: { scope: string; method: string; metric: string; value: number | null; se: number | null; n: number }[];
  message?: string;
  resumedFrom?: string | null;
}

describe('pgsflow study: arguments and errors', () => {
  it('exits 2 on usage errors, refusing --detach on the embedded server', async () => {
    expect(runCli(['study']).status).toBe(2);
    expect(runCli(['study', 'frobnicate']).status).toBe(2);
    expect(runCli(['study', 'status']).status).toBe(2);
    expect(runCli(['study', 'list', '--detach']).status).toBe(2);
    const r = runCli(['study', 'run', join(sim, 'small.json'), '--detach'], await embeddedEnv());
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('TEMPORAL_ADDRESS');
  });

  it('exits 1 naming the field of a bad study file, before starting anything', () => {
    const bad = join(tmp.dir, 'bad.json');
    const study = JSON.parse(readFileSync(join(sim, 'small.json'), 'utf8')) as { design: Record<string, unknown> };
    study.design.folds = 1;
    writeFileSync(bad, JSON.stringify(study));
    const r = runCli(['study', 'run', bad]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('design.folds');
    const missing = runCli(['study', 'run', join(tmp.dir, 'nope.json')]);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain('study file not found');
  });

  it('exits 1 on an unknown run; lists no runs in a new store', async () => {
    const store = join(tmp.dir, 'empty-store');
    const env = await embeddedEnv();
    const s = runCli(['study', 'status', 'x-20260101T000000Z-0000', '--store', store, '--json'], env);
    expect(s.status).toBe(1);
    expect(s.stderr).toContain("no study run 'x-20260101T000000Z-0000'");
    const l = runCli(['study', 'list', '--store', store, '--json'], env);
    expect(l.status, l.stderr).toBe(0);
    expect(JSON.parse(l.stdout)).toEqual([]);
    expect(processesMatching(join(store, 'temporal.sqlite'))).toEqual([]);
  });
});

describe('pgsflow study run: a phenotype value that is not a number', () => {
  it('fails at ingest naming file, line and column, with no SDK log lines unless PGSFLOW_LOG_LEVEL asks', { timeout: 300_000 }, async () => {
    const lines = readFileSync(join(sim, 'pheno.tsv'), 'utf8').split('\n');
    const header = lines[0]!.split('\t');
    const col = header.indexOf('trait');
    const f = lines[6]!.split('\t');
    f[col] = 'abc';
    lines[6] = f.join('\t');
    writeFileSync(join(sim, 'pheno-abc.tsv'), lines.join('\n'));
    const study = JSON.parse(readFileSync(join(sim, 'small.json'), 'utf8')) as { name: string; store?: string; inputs: { phenotype: { file: string } } };
    study.name = 'bad_pheno';
    delete study.store;
    study.inputs.phenotype.file = 'pheno-abc.tsv';
    writeFileSync(join(sim, 'bad-pheno.json'), JSON.stringify(study));
    const store = join(tmp.dir, 'bad-pheno-store');
    const expected = `${join(sim, 'pheno-abc.tsv')}:7:${col + 1}: 'abc' is not a number (column 'trait')`;

    const quiet = runCli(['study', 'run', join(sim, 'bad-pheno.json'), '--store', store], { ...(await embeddedEnv()), PGSFLOW_LOG_LEVEL: '' }, 240_000);
    expect(quiet.status, quiet.stderr).toBe(1);
    expect(quiet.stderr).toContain(`: failed: ${expected}`);
    expect(quiet.stderr).not.toContain('[temporal');

    const loud = runCli(['study', 'run', join(sim, 'bad-pheno.json'), '--store', store], { ...(await embeddedEnv()), PGSFLOW_LOG_LEVEL: 'WARN' }, 240_000);
    expect(loud.status, loud.stderr).toBe(1);
    expect(loud.stderr).toContain(`: failed: ${expected}`);
    expect(loud.stderr).toContain('[temporal WARN] Workflow failed');
  });
});

describe('pgsflow study run on the real workflows', () => {
  it('runs a small cross-validation study to completion; status, list and resume read it back', { timeout: 1_500_000 }, async () => {
    const env = await embeddedEnv();
    const store = join(sim, 'store');
    const run = runCli(['study', 'run', join(sim, 'small.json'), '--json'], env, 900_000);
    expect(run.status, `${run.stderr}\n${run.stdout}`).toBe(0);
    const result = JSON.parse(run.stdout) as StatusJson;
    expect(result.runId).toMatch(RUN_ID_PATTERN);
    expect(result.runId.startsWith('sim_EUR_cv-')).toBe(true);
    expect(result.status).toBe('completed');
    expect(result.metrics.length).toBeGreaterThan(0);
    for (const m of result.metrics) {
      expect(m).toMatchObject({ scope: expect.any(String), method: expect.any(String), metric: expect.any(String), n: expect.any(Number) });
    }
    expect(result.progress?.units.map((u) => u.state)).toEqual(['completed', 'completed', 'completed']);
    expect(run.stderr).toContain(`store ${store}`); // the store came from the study file
    expect(processesMatching(join(store, 'temporal.sqlite'))).toEqual([]);

    const status = runCli(['study', 'status', result.runId, '--json', '--store', store], env);
    expect(status.status, status.stderr).toBe(0);
    const st = JSON.parse(status.stdout) as StatusJson;
    expect(st).toMatchObject({ runId: result.runId, status: 'completed', progress: null });
    expect(st.metrics).toEqual(result.metrics);

    const text = runCli(['study', 'status', result.runId, '--store', store], env);
    expect(text.status, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/scope\s+method\s+metric\s+value\s+se\s+n/);

    const list = runCli(['study', 'list', '--store', store], env);
    expect(list.status, list.stderr).toBe(0);
    const line = list.stdout.split('\n').find((l) => l.startsWith(result.runId));
    expect(line, list.stdout).toMatch(/crossValidationStudy\s+completed\s+\d{4}-\d\d-\d\dT/);

    // Resuming a completed run: a new run of the same study file that reuses every step.
    const resumed = runCli(['study', 'resume', result.runId, '--json', '--store', store], env, 600_000);
    expect(resumed.status, resumed.stderr).toBe(0);
    const r2 = JSON.parse(resumed.stdout) as StatusJson;
    expect(r2.runId).not.toBe(result.runId);
    expect(r2).toMatchObject({ status: 'completed', resumedFrom: result.runId });
    expect(r2.metrics).toEqual(result.metrics);
  });
});

describe('pgsflow study run on the real cross-ancestry workflow', () => {
  it('fits each training ancestry and evaluates on the target', { timeout: 900_000 }, async () => {
    const dir = join(tmp.dir, 'sim2');
    const s = runCli(['simulate', '--out', dir, '--ancestries', 'EUR,EAS', '--samples', '400,300', '--ref-samples', '150', '--snps', '300', '--block-snps', '50', '--annotations', '2', '--seed', '3']);
    expect(s.status, s.stderr).toBe(0);
    const study = JSON.parse(readFileSync(join(dir, 'study-cross-ancestry.json'), 'utf8')) as Record<string, unknown>;
    study.sbayesrc = { iterations: 60, burnIn: 20, checkpointEvery: 20, baseline: false };
    writeFileSync(join(dir, 'xa.json'), JSON.stringify(study));
    const run = runCli(['study', 'run', join(dir, 'xa.json'), '--json', '--store', join(dir, 'store')], await embeddedEnv(), 600_000);
    expect(run.status, `${run.stderr}\n${run.stdout}`).toBe(0);
    const r = JSON.parse(run.stdout) as StatusJson & { workflowType: string };
    expect(r).toMatchObject({ status: 'completed', workflowType: 'crossAncestryStudy' });
    expect(r.runId.startsWith('sim_EAS_multi-')).toBe(true);
    expect(r.progress?.units.map((u) => u.scope)).toEqual(['EUR', 'EAS']);
    expect(r.metrics.length).toBeGreaterThan(0);
  });
});

/** `study run` of the small study as `sim_<name>` with these chain settings, in its own store, started and named. */
async function startLongStudy(name: string, sbayesrc: Record<string, unknown>) {
  const study = JSON.parse(readFileSync(join(sim, 'small.json'), 'utf8')) as Record<string, unknown>;
  study.name = `sim_${name}`;
  study.store = `store-${name}`;
  study.sbayesrc = sbayesrc;
  writeFileSync(join(sim, `${name}.json`), JSON.stringify(study));
  const env = await embeddedEnv();
  const run = spawnCli(['study', 'run', join(sim, `${name}.json`)], env);
  const runId = await run.waitFor(new RegExp(`sim_${name}-\\d{8}T\\d{6}Z-[0-9a-f]{4}`), 300_000);
  return { store: join(sim, `store-${name}`), env, run, runId };
}

describe('pgsflow study: Ctrl-C on the embedded server, then resume', () => {
  it('stops watching and the study with exit 130, says how to resume; resume finishes it as a new run', { timeout: 1_200_000 }, async () => {
    // Long enough chains (seconds each) that Ctrl-C finds a fit in flight or finished but unrecorded.
    const { store, env, run, runId } = await startLongStudy('interrupted', { iterations: 20000, burnIn: 1000, checkpointEvery: 5000, baseline: false });
    await run.waitFor(/fold-\d\s+\d+\/\d+\s+SBayesRC\s+sweep [1-9]\d*\//, 300_000); // interrupt with a fit in flight, past sweep 0 (a loaded machine may take long to load LD)
    run.child.kill('SIGINT');
    const { code } = await run.exit;
    expect(code, run.output()).toBe(130);
    expect(run.output()).toContain(`pgsflow study resume ${runId}`);
    expect(await waitUntil(() => processesMatching(join(store, 'temporal.sqlite')).length === 0, 15_000)).toBe(true);

    const status = runCli(['study', 'status', runId, '--json', '--store', store], env);
    expect(status.status, status.stderr).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({ runId, status: 'running', progress: null, metrics: [], message: expect.stringContaining('interrupted') });

    const resumed = runCli(['study', 'resume', runId, '--json', '--store', store], env, 900_000);
    expect(resumed.status, resumed.stderr).toBe(0);
    const r = JSON.parse(resumed.stdout) as StatusJson;
    expect(r).toMatchObject({ status: 'completed', resumedFrom: runId });
    expect(r.metrics.length).toBeGreaterThan(0);
    // A fit in flight at Ctrl-C was checkpointed where it stood (its activity cancelled by the
    // worker's shutdown), one finished but not yet recorded kept its final checkpoint: the
    // resumed run continued from there instead of from sweep 0.
    const runDir = join(store, 'artifacts', 'runs', r.runId);
    const continued = readdirSync(runDir)
      .flatMap((unit) => readdirSync(join(runDir, unit)).filter((f) => /^SBayesRC_.*\.json$/.test(f)).map((f) => join(runDir, unit, f)))
      .map((f) => (JSON.parse(readFileSync(f, 'utf8')) as { resumedFromSweep: number | null }).resumedFromSweep)
      .filter((sweep) => sweep !== null);
    expect(continued.length, `fits of ${r.runId} continued from a checkpoint`).toBeGreaterThan(0);
    expect(Math.min(...(continued as number[]))).toBeGreaterThan(0);
    const old = JSON.parse(runCli(['study', 'status', runId, '--json', '--store', store], env).stdout) as StatusJson;
    expect(old).toMatchObject({ runId, status: 'failed', temporalStatus: 'TERMINATED' });
  });
});

describe('pgsflow study cancel', () => {
  it('from another command on the same store: the fits in flight stop (checkpointed, never finished) and the run is recorded cancelled', { timeout: 600_000 }, async () => {
    // Chains long enough (~1 min each here) that only a cancellation that reaches the fit ends it soon.
    const { store, env, run, runId } = await startLongStudy('cancelled', { iterations: 400000, burnIn: 1000, checkpointEvery: 100000, baseline: false });
    try {
      await run.waitFor(/fold-\d\s+\d+\/\d+\s+SBayesRC\s+sweep [1-9]\d*\//, 300_000); // a fit under way
      const t0 = Date.now();
      // Attaches to the running command's embedded server (its record next to the store).
      const cancel = runCli(['study', 'cancel', runId, '--json', '--store', store], env, 180_000);
      const cancelSeconds = (Date.now() - t0) / 1000;
      expect(cancel.status, cancel.stderr).toBe(0);
      expect(JSON.parse(cancel.stdout)).toMatchObject({ runId, temporalStatus: 'CANCELLED' });
      const { code } = await run.exit;
      expect(code, run.output()).toBe(1);
      expect(run.output()).toMatch(/cancel/i);
      console.log(`study cancel: closed in ${cancelSeconds.toFixed(1)} s with fits of 400,000 sweeps in flight`);
      const status = runCli(['study', 'status', runId, '--json', '--store', store], env);
      expect(JSON.parse(status.stdout)).toMatchObject({ runId, status: 'cancelled' });
      // The fits in flight stopped where they were: checkpointed, never finished (a finished fit
      // writes PREFIX.json; one left running would have held the fold open for minutes).
      const runDir = join(store, 'artifacts', 'runs', runId);
      const files = readdirSync(runDir).flatMap((unit) => readdirSync(join(runDir, unit)).map((f) => join(unit, f)));
      const stopped = files.filter((f) => /SBayesRC_fold-\d\.ckpt$/.test(f));
      expect(stopped.length, files.join(' ')).toBeGreaterThan(0);
      for (const ckpt of stopped) expect(files).not.toContain(ckpt.replace(/\.ckpt$/, '.json'));
    } finally {
      if (run.child.exitCode === null) run.child.kill('SIGINT');
      await run.exit;
    }
  });
});
