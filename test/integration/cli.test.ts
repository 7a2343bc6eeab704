// The pgsflow CLI as a user runs it: exit codes, help, the embedded demo on a real dev server,
// clean shutdown (no orphan `temporal` process), and an external cluster via TEMPORAL_ADDRESS.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { freePort } from '../../client/devServer.js';
import { COMMANDS } from '../../client/cli.js';
import { processesMatching, runCli, spawnCli, waitUntil } from '../helpers/cli.js';
import { makeTmpDir, sha256File } from '../helpers/tmp.js';
import { THOUSAND_GENOMES } from '../helpers/sharedData.js';

const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()?.();
});
function tmp(): string {
  const t = makeTmpDir('cli');
  cleanups.push(t.cleanup);
  return t.dir;
}

async function portsEnv(): Promise<Record<string, string>> {
  return { PGSFLOW_DEV_PORT: String(await freePort()), PGSFLOW_DEV_UI_PORT: String(await freePort()), TEMPORAL_ADDRESS: '' };
}

/** `temporal workflow list` against a server started on `db`, as a user would check history. */
async function listWorkflowsInDb(db: string): Promise<string> {
  const port = await freePort();
  const server = spawnCli(['server', '--db', db, '--port', String(port), '--ui-port', String(await freePort())], { TEMPORAL_ADDRESS: '' });
  try {
    await server.waitFor(/Temporal UI: http/);
    return execFileSync(inject('temporalCli'), ['workflow', 'list', '--address', `127.0.0.1:${port}`], { encoding: 'utf8' });
  } finally {
    server.child.kill('SIGINT');
    await server.exit;
  }
}

describe('pgsflow CLI basics', () => {
  it('prints its version and help, exit 0', () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    const v = runCli(['--version']);
    expect(v).toMatchObject({ status: 0, stdout: `${pkg.version}\n` });
    const h = runCli(['--help']);
    expect(h.status).toBe(0);
    for (const c of COMMANDS) expect(h.stdout).toContain(c.name);
  });

  it.each(COMMANDS.map((c) => c.name))('%s --help exits 0 with a usage line', (name) => {
    const r = runCli([name, '--help']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^Usage: pgsflow ${name}`));
  });

  it('exits 2 on usage errors', () => {
    expect(runCli(['frobnicate']).status).toBe(2);
    expect(runCli([]).status).toBe(2);
    const r = runCli(['demo', '--bogus']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--bogus');
    expect(runCli(['server', '--port', 'x']).status).toBe(2);
  });

  it('exits 1 naming the variable when the environment is invalid', () => {
    const r = runCli(['demo'], { TEMPORAL_ADDRESS: 'nohostport' });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('TEMPORAL_ADDRESS');
  });

  it('exports the study JSON Schema', () => {
    const r = runCli(['schema']);
    expect(r.status).toBe(0);
    const schema = JSON.parse(r.stdout) as { $schema: string; properties: Record<string, unknown> };
    expect(schema.$schema).toMatch(/json-schema\.org/);
    expect(Object.keys(schema.properties)).toEqual(expect.arrayContaining(['name', 'seed', 'design']));
  });
});

describe('pgsflow demo (embedded dev server)', () => {
  it('runs end to end, leaves no server behind, and the run is in the persisted history', async () => {
    const store = tmp();
    const db = join(store, 'temporal.sqlite');
    const r = runCli(['demo', '--quick', '--store', store], await portsEnv(), 600_000);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/Temporal UI: http:\/\/127\.0\.0\.1:\d+/);
    // The fast path is the default (npm ci / pretest build both addons) and the demo says so, once.
    expect(r.stderr).toMatch(/^sampler: native C \(gcc -O3/m);
    expect(r.stderr).toMatch(/^eigen: LAPACK dsyev/m);
    expect(r.stderr.match(/^sampler: /gm)).toHaveLength(1);
    const cv = /cross-validation run (sim_EUR_cv-\S+)/.exec(r.stdout)?.[1];
    const multi = /cross-ancestry run (sim_EAS_multi-\S+)/.exec(r.stdout)?.[1];
    expect(cv, r.stdout).toBeDefined();
    expect(multi, r.stdout).toBeDefined();
    // The headline tables: 3 folds with both methods, then single-ancestry and combined scores.
    expect(r.stdout).toMatch(/mean ± SE\s+3\s+0\.\d{4} ± 0\.\d{4}\s+0\.\d{4} ± 0\.\d{4}/);
    expect(r.stdout).toMatch(/combined\s+\d+\s+0\.\d{4}/);
    expect(r.stdout).toContain('mixing weights');
    expect(processesMatching(db)).toEqual([]);

    const list = await listWorkflowsInDb(db);
    for (const [id, type] of [[cv, 'crossValidationStudy'], [multi, 'crossAncestryStudy']] as const) {
      const line = list.split('\n').find((l) => l.includes(`${id ?? '?'} `) || l.endsWith(id ?? '?'));
      expect(line, list).toMatch(/Completed/);
      expect(line).toContain(type);
    }
  });

  it('stops the server on Ctrl-C', async () => {
    const store = tmp();
    const db = join(store, 'temporal.sqlite');
    const demo = spawnCli(['demo', '--store', store], await portsEnv());
    await demo.waitFor(/simulating /); // interrupt mid-run, with a workflow in flight
    expect(processesMatching(db).length).toBeGreaterThan(0);
    demo.child.kill('SIGINT');
    const { code } = await demo.exit;
    expect(code, demo.output()).toBe(130);
    expect(await waitUntil(() => processesMatching(db).length === 0, 15_000)).toBe(true);
  });

  it('stops the server even when the CLI itself is SIGKILLed', async () => {
    const store = tmp();
    const db = join(store, 'temporal.sqlite');
    const demo = spawnCli(['demo', '--store', store], await portsEnv());
    await demo.waitFor(/Temporal UI: http/);
    demo.child.kill('SIGKILL');
    await demo.exit;
    expect(await waitUntil(() => processesMatching(db).length === 0, 15_000)).toBe(true);
  });
});

describe('pgsflow demo against an external cluster (TEMPORAL_ADDRESS)', () => {
  it('uses that cluster and starts no server of its own', async () => {
    const dir = tmp();
    const serverDb = join(dir, 'cluster.sqlite');
    const store = join(dir, 'store');
    const port = await freePort();
    const server = spawnCli(['server', '--db', serverDb, '--port', String(port), '--ui-port', String(await freePort())], {
      TEMPORAL_ADDRESS: '',
    });
    try {
      await server.waitFor(/Temporal UI: http/);
      const r = runCli(['demo', '--quick', '--store', store], { TEMPORAL_ADDRESS: `127.0.0.1:${port}` }, 600_000);
      expect(r.status, r.stderr).toBe(0);
      expect(r.stderr).toContain(`Temporal cluster: 127.0.0.1:${port}`);
      expect(r.stderr).not.toContain('Temporal UI');
      expect(processesMatching(join(store, 'temporal.sqlite'))).toEqual([]);
      const runId = /cross-validation run (sim_EUR_cv-\S+)/.exec(r.stdout)?.[1] ?? '?';
      const list = execFileSync(inject('temporalCli'), ['workflow', 'list', '--address', `127.0.0.1:${port}`], { encoding: 'utf8' });
      expect(list.split('\n').find((l) => l.includes(runId))).toMatch(/Completed/);

      // A second process on a store a worker owns: a clear error and a prompt exit (it used to
      // hang: the SDK runtime, installed before the store was opened, kept the process alive).
      const worker = spawnCli(['worker', '--store', store], { TEMPORAL_ADDRESS: `127.0.0.1:${port}` });
      try {
        await worker.waitFor(/worker on /);
        for (const args of [['demo', '--quick', '--store', store], ['worker', '--store', store]]) {
          const second = runCli(args, { TEMPORAL_ADDRESS: `127.0.0.1:${port}` }, 30_000);
          expect(second.status, `${args[0]}: ${second.stderr}`).toBe(1);
          expect(second.stderr).toContain('open in another process');
        }
      } finally {
        worker.child.kill('SIGINT');
        await worker.exit;
      }
    } finally {
      server.child.kill('SIGINT');
      const { code } = await server.exit;
      expect(code).toBe(0);
    }
    expect(await waitUntil(() => processesMatching(serverDb).length === 0, 15_000)).toBe(true);
  });
});

describe('pgsflow simulate and ingest from the command line', () => {
  const BAD = fileURLToPath(new URL('../fixtures/bad/', import.meta.url));
  const KG = THOUSAND_GENOMES;

  it('simulates, then ingests; a second ingest says nothing changed', () => {
    const dir = tmp();
    const sim = runCli(['simulate', '--out', join(dir, 'study'), '--samples', '200', '--ref-samples', '50', '--snps', '300', '--block-snps', '50', '--json']);
    expect(sim.status, sim.stderr).toBe(0);
    expect(JSON.parse(sim.stdout)).toMatchObject({ nSnps: 300, nBlocks: 6, cohorts: [{ ancestry: 'EUR', samples: 200, referenceSamples: 50 }] });
    const args = ['ingest', '--store', join(dir, 'store'), '--bfile', join(dir, 'study/geno/EUR'), '--ancestry', 'EUR', '--pheno', join(dir, 'study/pheno.tsv'), '--blocks', join(dir, 'study/blocks.tsv'), '--name', 'blk'];
    const first = runCli(args);
    expect(first.status, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/^bfile EUR: ingested, 300 rows/m);
    expect(first.stdout).toMatch(/^blocks blk: ingested, 6 rows/m);
    const second = runCli(args);
    expect(second.status).toBe(0);
    expect(second.stdout.match(/: unchanged/g)).toHaveLength(3);
  });

  it('takes shell-expanded founder prefixes and population files', () => {
    const dir = tmp();
    const r = runCli(['simulate', '--out', dir, '--ancestries', 'EUR', '--samples', '100', '--founders', `${KG}chr21`, `${KG}chr22`, '--founder-pops', `${KG}EUR_IDs.txt`, `${KG}EAS_IDs.txt`, '--block-snps', '40']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/EUR: 100 samples, 503 reference/);
  });

  it('exits 1 with file, line and column on bad input, leaving the store unchanged', () => {
    const dir = tmp();
    const store = join(dir, 'store');
    expect(runCli(['ingest', '--store', store, '--blocks', join(BAD, 'blocks-start-ge-end/blocks.pos')]).status).toBe(1);
    const ok = runCli(['simulate', '--out', join(dir, 's'), '--samples', '50', '--ref-samples', '20', '--snps', '100']);
    expect(ok.status).toBe(0);
    expect(runCli(['ingest', '--store', store, '--blocks', join(dir, 's/blocks.tsv')]).status).toBe(0);
    const before = sha256File(join(store, 'store.duckdb'));
    const bad = join(BAD, 'ma-b-non-numeric/gwas.ma');
    const r = runCli(['ingest', '--store', store, '--sumstats', bad]);
    expect(r.status).toBe(1);
    // One row of three unusable: more than the 1 % a file may have; the first such row is named.
    expect(r.stderr).toContain(`${bad}:3:5: 1 of 3 rows (33.3 %) have unusable values`);
    expect(r.stderr).toContain("column 'b': expected a number, got 'abc'");
    expect(sha256File(join(store, 'store.duckdb'))).toBe(before);
  });

  it('exits 2 on usage errors and 1 naming the option on invalid values', () => {
    expect(runCli(['simulate']).status).toBe(2);
    expect(runCli(['ingest', '--name', 'x', '--pheno', 'p.tsv']).status).toBe(2);
    expect(runCli(['ingest', '--store', tmp()]).status).toBe(2);
    const r = runCli(['simulate', '--out', tmp(), '--h2', '2']);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('h2');
  });
});
