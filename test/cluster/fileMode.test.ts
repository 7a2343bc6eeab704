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
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { BIN } from '../helpers/cli.js';
import { Store, storePaths } from '../../core/store/store.js';
import type { StudyInput, StudyResult } from '../../contracts/study.js';
import { studyInputFor, writeStudyVariant } from '../helpers/studyFiles.js';
import { fitStats, values } from '../helpers/studyObservation.js';
import { CLUSTER_FOLDS as FOLDS, CLUSTER_FULL as FULL, CLUSTER_ITERATIONS as ITERATIONS, ClusterHarness, resumedFromSweep } from './clusterHarness.js';
import { type Namespaced, spawnNamespaced } from './namespaces.js';

const BASELINE = FULL;

const STORE_QUEUE = 'cluster-store';
const COMPUTE_QUEUE = 'cluster-compute';

let h: ClusterHarness;
const timings: Record<string, number> = {};

beforeAll(async () => {
  h = await ClusterHarness.start('cluster', inject('temporalCli'));
}, 300_000);

afterAll(async () => {
  await h?.stop();
  if (FULL) writeFileSync(`${h?.tmp.dir ?? '.'}/timings.json`, JSON.stringify(timings, null, 2));
  if (Object.keys(timings).length > 0) console.log(`cluster timings (s): ${JSON.stringify(timings)}`);
  h?.tmp.cleanup();
});

function studyInput(name: string, storeDir: string, computeTaskQueue: string): StudyInput {
  const path = writeStudyVariant(h.inputs, 'study.json', name, {
    design: { type: 'cross-validation', folds: FOLDS, ancestry: 'EUR' },
    sbayesrc: { iterations: ITERATIONS, burnIn: Math.floor(ITERATIONS / 5), checkpointEvery: Math.floor(ITERATIONS / 20), baseline: BASELINE },
    execution: { concurrency: FULL ? 4 : 2 },
  });
  return studyInputFor(path, { computeTaskQueue, artifactsDir: storePaths(storeDir).artifacts, heartbeatTimeout: '10 seconds' });
}

/** A compute-only worker "on another host": its own network and mount namespaces. */
async function computeWorker(k: number, storeDir: string): Promise<Namespaced> {
  const artifacts = storePaths(storeDir).artifacts;
  const w = await spawnNamespaced({
    bridge: h.bridge,
    k,
    hide: h.tmp.dir,
    visible: [artifacts, h.inputs],
    command: [process.execPath, BIN, 'worker', '--compute-only', '--artifacts', artifacts, '--max-concurrent', '1', '--identity', `compute-${k}`],
    env: { TEMPORAL_ADDRESS: h.temporalAddress, PGSFLOW_COMPUTE_TASK_QUEUE: COMPUTE_QUEUE },
  });
  h.nsWorkers.push(w);
  await w.waitFor(/compute-only worker on /, 120_000);
  return w;
}

let reference: StudyResult;

describe(`compute workers in their own network and mount namespaces, file mode (${FULL ? 'full: 10 folds, baseline' : 'small: 2 folds'})`, () => {
  it('a namespaced process sees only the artifacts folder and the inputs, and reaches the server only over its veth', async () => {
    const storeDir = `${h.tmp.dir}/store-probe`;
    await (await Store.open(storeDir)).closeWhenIdle();
    const port = h.temporalAddress.split(':').pop()!;
    const probe = [
      'const fs = require("node:fs"); const net = require("node:net");',
      'const dial = (host) => new Promise((res) => { const s = net.connect({ host, port: Number(process.env.PORT), timeout: 2000 }, () => { s.destroy(); res("open"); }); s.on("error", (e) => res(e.code)); s.on("timeout", () => { s.destroy(); res("timeout"); }); });',
      '(async () => console.log("PROBE " + JSON.stringify({',
      '  db: fs.existsSync(process.env.DB), artifacts: fs.statSync(process.env.ART).isDirectory(), inputs: fs.existsSync(process.env.INPUTS + "/study.json"),',
      '  sqlite: fs.existsSync(process.env.SQLITE), tmp: fs.readdirSync("/tmp"), loopback: await dial("127.0.0.1"), bridge: await dial(process.env.BRIDGE) })))();',
    ].join('\n');
    const w = await spawnNamespaced({
      bridge: h.bridge,
      k: 9,
      hide: h.tmp.dir,
      visible: [storePaths(storeDir).artifacts, h.inputs],
      command: [process.execPath, '-e', probe],
      env: { PORT: port, DB: storePaths(storeDir).database, ART: storePaths(storeDir).artifacts, INPUTS: h.inputs, SQLITE: `${h.tmp.dir}/temporal.sqlite`, BRIDGE: h.bridge.hostIp },
    });
    await w.exit;
    w.cleanup();
    const seen = JSON.parse(/PROBE (.*)/.exec(w.output())![1]!) as Record<string, unknown>;
    // The private /tmp holds nothing but the skeleton of the bind-mounted paths (when the test folder is under /tmp).
    // A checkout under /tmp (CI clones there) is bound back too, so the worker can run.
    const top = (p: string): string[] => (p.startsWith('/tmp/') ? [p.slice('/tmp/'.length).split('/')[0]!] : []);
    const projectRoot = fileURLToPath(new URL('../../', import.meta.url));
    const skeleton = [...new Set([...top(h.tmp.dir), ...top(projectRoot)])].sort();
    expect({ ...seen, tmp: [...(seen.tmp as string[])].sort() }).toEqual({ db: false, artifacts: true, inputs: true, sqlite: false, tmp: skeleton, loopback: 'ECONNREFUSED', bridge: 'open' });
  }, 60_000);

  it('single-process reference run (one `pgsflow worker` serving both queues on the host)', async () => {
    const store = `${h.tmp.dir}/ref-store`;
    const w = await h.hostWorker(['--store', store, '--max-concurrent', '2'], { PGSFLOW_TASK_QUEUE: 'ref-store', PGSFLOW_COMPUTE_TASK_QUEUE: 'ref-compute' });
    const t0 = Date.now();
    reference = await h.client.workflow.execute('crossValidationStudy', { workflowId: 'cluster-ref', taskQueue: 'ref-store', args: [studyInput('cluster_ref', store, 'ref-compute')] });
    timings.singleProcess = (Date.now() - t0) / 1000;
    expect(reference.status).toBe('completed');
    await h.stopHostWorker(w);
  }, 1_200_000);

  if (FULL) {
    for (const n of [1, 2, 3]) {
      it(`timing: the study on ${n} namespaced compute worker(s), --max-concurrent 1 each`, async () => {
        const storeDir = `${h.tmp.dir}/store-${n}`;
        const sw = await h.hostWorker(['--store-only', '--store', storeDir], { PGSFLOW_TASK_QUEUE: STORE_QUEUE });
        const ws: Namespaced[] = [];
        for (let k = 1; k <= n; k++) ws.push(await computeWorker(k, storeDir));
        const t0 = Date.now();
        const result = await h.client.workflow.execute('crossValidationStudy', { workflowId: `cluster-t${n}`, taskQueue: STORE_QUEUE, args: [studyInput(`cluster_t${n}`, storeDir, COMPUTE_QUEUE)] });
        timings[`computeWorkers${n}`] = (Date.now() - t0) / 1000;
        expect(values(result)).toEqual(values(reference));
        const stats = await fitStats(h.client, `cluster-t${n}`, FOLDS);
        timings[`computeWorkers${n}FitSeconds`] = Math.round(stats.seconds * 10) / 10;
        timings[`computeWorkers${n}Fits`] = stats.fits;
        expect([...stats.identities].sort()).toEqual(ws.map((_, i) => `compute-${i + 1}`));
        for (const w of ws) await h.stopNamespaced(w);
        await h.stopHostWorker(sw);
      }, 1_800_000);
    }
  }

  it('a fit on one namespaced worker, SIGKILLed mid-fit, continues on the other from its checkpoint; metrics identical', async () => {
    const storeDir = `${h.tmp.dir}/store-kill`;
    const sw = await h.hostWorker(['--store-only', '--store', storeDir], { PGSFLOW_TASK_QUEUE: STORE_QUEUE });
    const a = await computeWorker(1, storeDir);
    const b = await computeWorker(2, storeDir);
    const runId = 'cluster-kill';
    const t0 = Date.now();
    const handle = await h.client.workflow.start('crossValidationStudy', { workflowId: runId, taskQueue: STORE_QUEUE, args: [studyInput('cluster_kill', storeDir, COMPUTE_QUEUE)] });
    // compute-1 running a fit past a checkpoint (compute-2 is polling too, and takes the fits that follow).
    const victim = await h.runningFitOn('compute-1', runId, FOLDS, (beat) => beat.checkpoint !== null && beat.sweep > beat.checkpoint.sweep);
    const result = await h.killAndFinish(a, handle);
    timings.killRun = (Date.now() - t0) / 1000;
    expect(values(result)).toEqual(values(reference));
    // The killed fit finished on compute-2.
    expect((await fitStats(h.client, runId, FOLDS)).identities.has('compute-2')).toBe(true);
    await h.stopNamespaced(b);
    await h.stopHostWorker(sw);

    // Resumed from the checkpoint compute-1 wrote in the shared artifacts folder, not from sweep 0.
    const resumed = await resumedFromSweep(storeDir, runId, `${victim.scope}/SBayesRC`);
    expect(resumed).toBeGreaterThanOrEqual(victim.beat.checkpoint!.sweep);
    expect(resumed).toBeLessThan(ITERATIONS);
    // The compute workers never saw the store database: their output holds no DuckDB or store error.
    expect(b.output()).not.toMatch(/duckdb|store\.duckdb|StoreLockedError/i);
  }, 1_800_000);
});
