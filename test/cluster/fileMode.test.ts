// Compute workers on "other hosts" in file mode (the HPC case, issue 22). The Temporal dev
// server and the store worker (`pgsflow worker --store-only`) run on the host; each compute
// worker (`pgsflow worker --compute-only --artifacts DIR`) runs in its own network namespace
// (veth into a host bridge, reaching the server only at the bridge address) and its own mount
// namespace (private /tmp; the whole test folder covered by a tmpfs, so no store database, no
// Temporal SQLite, with only the store's artifacts folder and the study's inputs bind-mounted
// back at the same paths). A cross-validation study runs with fits on both compute workers; one
// is SIGKILLed mid-fit and the fit continues on the other from its checkpoint; the metrics equal
// a single-process run's (`pgsflow worker` serving both queues on the host).
//
// `npm test` runs the small version (2 folds, SBayesRC only); `npm run test:cluster`
// (PGSFLOW_CLUSTER_FULL=1) the quick ten-fold study with the SBayesR baseline (20 fits), and
// also times it on one and on two namespaced compute workers. Needs root; fails saying so.
import { Client, Connection } from '@temporalio/client';
import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { BIN, type LiveCli, spawnCli } from '../helpers/cli.js';
import { simulateStudy } from '../../core/simulate/simulateStudy.js';
import { Store, storePaths } from '../../core/store/store.js';
import { type DevServer, freePort, startDevServer } from '../../client/devServer.js';
import { parseSimulateOptions } from '../../config/simulate.js';
import type { StudyInput, StudyResult } from '../../contracts/study.js';
import { studyInputFor, writeStudyVariant } from '../helpers/studyFiles.js';
import { makeTmpDir } from '../helpers/tmp.js';
import { fileURLToPath } from 'node:url';
import { type Bridge, type Namespaced, createBridge, requireRoot, spawnNamespaced } from './namespaces.js';
import { fitStats, runningFits, until, values } from '../helpers/studyObservation.js';

const FULL = process.env.PGSFLOW_CLUSTER_FULL === '1';
const FOLDS = FULL ? 10 : 2;
// PGSFLOW_CLUSTER_ITERATIONS: longer fits for timing runs (fits then dominate the study's wall time).
const ITERATIONS = Number(process.env.PGSFLOW_CLUSTER_ITERATIONS ?? (FULL ? 3000 : 4000));
const BASELINE = FULL;

const STORE_QUEUE = 'cluster-store';
const COMPUTE_QUEUE = 'cluster-compute';

let tmp: { dir: string; cleanup: () => void };
let inputs: string;
let bridge: Bridge | undefined;
let server: DevServer | undefined;
let temporalAddress: string;
let connection: Connection | undefined;
let client: Client;
const hostWorkers: LiveCli[] = [];
const nsWorkers: Namespaced[] = [];
const timings: Record<string, number> = {};

beforeAll(async () => {
  requireRoot('the multi-host (namespace) tests');
  tmp = makeTmpDir('cluster');
  inputs = `${tmp.dir}/inputs`;
  await simulateStudy(parseSimulateOptions({ ancestries: ['EUR'], samples: [2000], refSamples: 400, snps: 1000, blockSnps: 100, seed: 22 }), inputs);
  bridge = createBridge();
  // `start-dev --ip <bridge address>` binds its internal services there too but dials them at
  // 127.0.0.1 (frontend → matching: connection refused), so the server listens on 0.0.0.0; every
  // process (host or namespace) dials the bridge address.
  server = await startDevServer({ cli: inject('temporalCli'), dbFile: `${tmp.dir}/temporal.sqlite`, ip: '0.0.0.0', port: await freePort('0.0.0.0'), uiPort: await freePort('0.0.0.0'), headless: true, log: `${tmp.dir}/server.log` });
  temporalAddress = `${bridge.hostIp}:${server.address.split(':').pop()}`;
  connection = await Connection.connect({ address: temporalAddress });
  client = new Client({ connection });
}, 300_000);

afterAll(async () => {
  for (const w of nsWorkers) {
    w.child.kill('SIGKILL');
    await w.exit;
    w.cleanup();
  }
  for (const w of hostWorkers) {
    w.child.kill('SIGINT');
    await w.exit;
  }
  await connection?.close();
  await server?.stop();
  bridge?.remove();
  if (FULL) writeFileSync(`${tmp?.dir ?? '.'}/timings.json`, JSON.stringify(timings, null, 2));
  if (Object.keys(timings).length > 0) console.log(`cluster timings (s): ${JSON.stringify(timings)}`);
  tmp?.cleanup();
});

function studyInput(name: string, storeDir: string, computeTaskQueue: string): StudyInput {
  const path = writeStudyVariant(inputs, 'study.json', name, {
    design: { type: 'cross-validation', folds: FOLDS, ancestry: 'EUR' },
    sbayesrc: { iterations: ITERATIONS, burnIn: Math.floor(ITERATIONS / 5), checkpointEvery: Math.floor(ITERATIONS / 20), baseline: BASELINE },
    execution: { concurrency: FULL ? 4 : 2 },
  });
  return studyInputFor(path, { computeTaskQueue, artifactsDir: storePaths(storeDir).artifacts, heartbeatTimeout: '10 seconds' });
}

async function hostWorker(args: string[], env: NodeJS.ProcessEnv): Promise<LiveCli> {
  const w = spawnCli(['worker', ...args], { TEMPORAL_ADDRESS: temporalAddress, ...env });
  hostWorkers.push(w);
  await w.waitFor(/worker on /, 120_000);
  return w;
}

async function stopHostWorker(w: LiveCli): Promise<void> {
  w.child.kill('SIGINT');
  await w.exit;
  hostWorkers.splice(hostWorkers.indexOf(w), 1);
}

/** A compute-only worker "on another host": its own network and mount namespaces. */
async function computeWorker(k: number, storeDir: string): Promise<Namespaced> {
  const artifacts = storePaths(storeDir).artifacts;
  const w = await spawnNamespaced({
    bridge: bridge!,
    k,
    hide: tmp.dir,
    visible: [artifacts, inputs],
    command: [process.execPath, BIN, 'worker', '--compute-only', '--artifacts', artifacts, '--max-concurrent', '1', '--identity', `compute-${k}`],
    env: { TEMPORAL_ADDRESS: temporalAddress, PGSFLOW_COMPUTE_TASK_QUEUE: COMPUTE_QUEUE },
  });
  nsWorkers.push(w);
  await w.waitFor(/compute-only worker on /, 120_000);
  return w;
}

async function stopComputeWorker(w: Namespaced): Promise<void> {
  w.child.kill('SIGINT');
  await w.exit;
  w.cleanup();
  nsWorkers.splice(nsWorkers.indexOf(w), 1);
}

let reference: StudyResult;

describe(`compute workers in their own network and mount namespaces, file mode (${FULL ? 'full: 10 folds, baseline' : 'small: 2 folds'})`, () => {
  it('a namespaced process sees only the artifacts folder and the inputs, and reaches the server only over its veth', async () => {
    const storeDir = `${tmp.dir}/store-probe`;
    await (await Store.open(storeDir)).closeWhenIdle();
    const port = temporalAddress.split(':').pop()!;
    const probe = [
      'const fs = require("node:fs"); const net = require("node:net");',
      'const dial = (host) => new Promise((res) => { const s = net.connect({ host, port: Number(process.env.PORT), timeout: 2000 }, () => { s.destroy(); res("open"); }); s.on("error", (e) => res(e.code)); s.on("timeout", () => { s.destroy(); res("timeout"); }); });',
      '(async () => console.log("PROBE " + JSON.stringify({',
      '  db: fs.existsSync(process.env.DB), artifacts: fs.statSync(process.env.ART).isDirectory(), inputs: fs.existsSync(process.env.INPUTS + "/study.json"),',
      '  sqlite: fs.existsSync(process.env.SQLITE), tmp: fs.readdirSync("/tmp"), loopback: await dial("127.0.0.1"), bridge: await dial(process.env.BRIDGE) })))();',
    ].join('\n');
    const w = await spawnNamespaced({
      bridge: bridge!,
      k: 9,
      hide: tmp.dir,
      visible: [storePaths(storeDir).artifacts, inputs],
      command: [process.execPath, '-e', probe],
      env: { PORT: port, DB: storePaths(storeDir).database, ART: storePaths(storeDir).artifacts, INPUTS: inputs, SQLITE: `${tmp.dir}/temporal.sqlite`, BRIDGE: bridge!.hostIp },
    });
    await w.exit;
    w.cleanup();
    const seen = JSON.parse(/PROBE (.*)/.exec(w.output())![1]!) as Record<string, unknown>;
    // The private /tmp holds nothing but the skeleton of the bind-mounted paths (when the test folder is under /tmp).
    // A checkout under /tmp (CI clones there) is bound back too, so the worker can run.
    const top = (p: string): string[] => (p.startsWith('/tmp/') ? [p.slice('/tmp/'.length).split('/')[0]!] : []);
    const projectRoot = fileURLToPath(new URL('../../', import.meta.url));
    const skeleton = [...new Set([...top(tmp.dir), ...top(projectRoot)])].sort();
    expect({ ...seen, tmp: [...(seen.tmp as string[])].sort() }).toEqual({ db: false, artifacts: true, inputs: true, sqlite: false, tmp: skeleton, loopback: 'ECONNREFUSED', bridge: 'open' });
  }, 60_000);

  it('single-process reference run (one `pgsflow worker` serving both queues on the host)', async () => {
    const store = `${tmp.dir}/ref-store`;
    const w = await hostWorker(['--store', store, '--max-concurrent', '2'], { PGSFLOW_TASK_QUEUE: 'ref-store', PGSFLOW_COMPUTE_TASK_QUEUE: 'ref-compute' });
    const t0 = Date.now();
    reference = await client.workflow.execute('crossValidationStudy', { workflowId: 'cluster-ref', taskQueue: 'ref-store', args: [studyInput('cluster_ref', store, 'ref-compute')] });
    timings.singleProcess = (Date.now() - t0) / 1000;
    expect(reference.status).toBe('completed');
    await stopHostWorker(w);
  }, 1_200_000);

  if (FULL) {
    for (const n of [1, 2, 3]) {
      it(`timing: the study on ${n} namespaced compute worker(s), --max-concurrent 1 each`, async () => {
        const storeDir = `${tmp.dir}/store-${n}`;
        const sw = await hostWorker(['--store-only', '--store', storeDir], { PGSFLOW_TASK_QUEUE: STORE_QUEUE });
        const ws: Namespaced[] = [];
        for (let k = 1; k <= n; k++) ws.push(await computeWorker(k, storeDir));
        const t0 = Date.now();
        const result = await client.workflow.execute('crossValidationStudy', { workflowId: `cluster-t${n}`, taskQueue: STORE_QUEUE, args: [studyInput(`cluster_t${n}`, storeDir, COMPUTE_QUEUE)] });
        timings[`computeWorkers${n}`] = (Date.now() - t0) / 1000;
        expect(values(result)).toEqual(values(reference));
        const stats = await fitStats(client, `cluster-t${n}`, FOLDS);
        timings[`computeWorkers${n}FitSeconds`] = Math.round(stats.seconds * 10) / 10;
        timings[`computeWorkers${n}Fits`] = stats.fits;
        expect([...stats.identities].sort()).toEqual(ws.map((_, i) => `compute-${i + 1}`));
        for (const w of ws) await stopComputeWorker(w);
        await stopHostWorker(sw);
      }, 1_800_000);
    }
  }

  it('fits run on both namespaced workers; SIGKILL of one mid-fit: the other continues from its checkpoint, metrics identical', async () => {
    const storeDir = `${tmp.dir}/store-kill`;
    const sw = await hostWorker(['--store-only', '--store', storeDir], { PGSFLOW_TASK_QUEUE: STORE_QUEUE });
    const a = await computeWorker(1, storeDir);
    const b = await computeWorker(2, storeDir);
    const runId = 'cluster-kill';
    const t0 = Date.now();
    const handle = await client.workflow.start('crossValidationStudy', { workflowId: runId, taskQueue: STORE_QUEUE, args: [studyInput('cluster_kill', storeDir, COMPUTE_QUEUE)] });
    // Both workers running a fit at once, and compute-1's past a checkpoint.
    const victim = await until('fits on both workers, compute-1 past a checkpoint', async () => {
      const fits = await runningFits(client, runId, FOLDS);
      const identities = new Set([...fits.values()].map((f) => f.identity));
      if (!identities.has('compute-1') || !identities.has('compute-2')) return null;
      for (const [scope, f] of fits) {
        if (f.identity === 'compute-1' && f.beat?.checkpoint && f.beat.sweep > f.beat.checkpoint.sweep) return { scope, beat: f.beat };
      }
      return null;
    });
    a.child.kill('SIGKILL');
    expect((await a.exit).signal).toBe('SIGKILL');
    a.cleanup();
    nsWorkers.splice(nsWorkers.indexOf(a), 1);
    const result = (await handle.result()) as StudyResult;
    timings.killRun = (Date.now() - t0) / 1000;
    expect(values(result)).toEqual(values(reference));
    // The killed fit finished on compute-2.
    expect((await fitStats(client, runId, FOLDS)).identities.has('compute-2')).toBe(true);
    await stopComputeWorker(b);
    await stopHostWorker(sw);

    const store = await Store.open(storeDir);
    try {
      const rows = await store.all<{ summary_json: string }>(`SELECT summary_json FROM fits WHERE run_id = '${runId}' AND scope = '${victim.scope}/SBayesRC'`);
      const summary = JSON.parse(rows[0]!.summary_json) as { resumedFromSweep: number | null };
      // Resumed from the checkpoint compute-1 wrote in the shared artifacts folder, not from sweep 0.
      expect(summary.resumedFromSweep).toBeGreaterThanOrEqual(victim.beat.checkpoint!.sweep);
      expect(summary.resumedFromSweep).toBeLessThan(ITERATIONS);
    } finally {
      store.close();
    }
    // The compute workers never saw the store database: their output holds no DuckDB or store error.
    expect(b.output()).not.toMatch(/duckdb|store\.duckdb|StoreLockedError/i);
  }, 1_800_000);
});
