// Compute workers on "other hosts" in S3 mode (the cloud case, issue 22): no shared filesystem at
// all. The Temporal dev server, SeaweedFS (a real S3 server) and the store worker (`pgsflow worker
// --store-only --artifacts s3://…`) run on the host; each compute worker (`pgsflow worker
// --compute-only --artifacts s3://… --cache /tmp/…`) runs in its own network namespace (reaching
// the server and S3 only at the bridge address) and its own mount namespace where the whole test
// folder — store, artifacts, the study's inputs — is covered by an empty tmpfs. Every input reaches
// a fit through the bucket, every output and checkpoint leaves through it. One worker is SIGKILLed
// mid-fit; the fit continues on the other from the checkpoint it fetched from S3; the metrics equal
// a single-process run's.
//
// `npm test` runs the small version (2 folds); `npm run test:cluster` (PGSFLOW_CLUSTER_FULL=1) the
// quick ten-fold study with the baseline, also timed on one and two namespaced workers with the
// bytes that went through S3. Needs root; fails saying so.
import { Client, Connection } from '@temporalio/client';
import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { BIN, type LiveCli, spawnCli } from '../helpers/cli.js';
import { startTestS3 } from '../helpers/seaweedS3.js';
import { simulateStudy } from '../../core/simulate/simulateStudy.js';
import { S3ArtifactStore } from '../../core/artifacts/s3ArtifactStore.js';
import { Store, storePaths } from '../../core/store/store.js';
import { type DevServer, freePort, startDevServer } from '../../client/devServer.js';
import type { SeaweedS3 } from '../../client/seaweedfsServer.js';
import { parseSimulateOptions } from '../../config/simulate.js';
import type { StudyInput, StudyResult } from '../../contracts/study.js';
import { studyInputFor, writeStudyVariant } from '../helpers/studyFiles.js';
import { makeTmpDir } from '../helpers/tmp.js';
import { type Bridge, type Namespaced, createBridge, requireRoot, spawnNamespaced } from './namespaces.js';
import { fitStats, runningFits, until, values } from '../helpers/studyObservation.js';

const FULL = process.env.PGSFLOW_CLUSTER_FULL === '1';
const FOLDS = FULL ? 10 : 2;
const ITERATIONS = Number(process.env.PGSFLOW_CLUSTER_ITERATIONS ?? (FULL ? 3000 : 4000));
const BASELINE = FULL;
const BUCKET = 'pgsflow-cluster';

const STORE_QUEUE = 's3-store';
const COMPUTE_QUEUE = 's3-compute';

let tmp: { dir: string; cleanup: () => void };
let inputs: string;
let bridge: Bridge | undefined;
let server: DevServer | undefined;
let s3: SeaweedS3 | undefined;
let temporalAddress: string;
let connection: Connection | undefined;
let client: Client;
const hostWorkers: LiveCli[] = [];
const nsWorkers: Namespaced[] = [];
const figures: Record<string, number> = {};

beforeAll(async () => {
  requireRoot('the multi-host (namespace) tests in S3 mode');
  tmp = makeTmpDir('cluster-s3');
  inputs = `${tmp.dir}/inputs`;
  await simulateStudy(parseSimulateOptions({ ancestries: ['EUR'], samples: [2000], refSamples: 400, snps: 1000, blockSnps: 100, seed: 22 }), inputs);
  bridge = createBridge();
  // Both servers at addresses every process, on the host or in a namespace, dials alike.
  s3 = await startTestS3(`${tmp.dir}/s3`, [BUCKET], bridge.hostIp);
  server = await startDevServer({ cli: inject('temporalCli'), dbFile: `${tmp.dir}/temporal.sqlite`, ip: '0.0.0.0', port: await freePort('0.0.0.0'), uiPort: await freePort('0.0.0.0'), headless: true, log: `${tmp.dir}/server.log` });
  temporalAddress = `${bridge.hostIp}:${server.address.split(':').pop()}`;
  connection = await Connection.connect({ address: temporalAddress });
  client = new Client({ connection });
}, 600_000);

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
  await s3?.stop();
  bridge?.remove();
  if (FULL) writeFileSync(`${tmp?.dir ?? '.'}/figures.json`, JSON.stringify(figures, null, 2));
  if (Object.keys(figures).length > 0) console.log(`cluster S3 figures: ${JSON.stringify(figures)}`);
  tmp?.cleanup();
});

/** The standard AWS variables a worker reads (endpoint, keys, region). */
const awsEnv = (): NodeJS.ProcessEnv => ({
  AWS_ENDPOINT_URL: s3!.endpoint,
  AWS_ACCESS_KEY_ID: s3!.accessKeyId,
  AWS_SECRET_ACCESS_KEY: s3!.secretAccessKey,
  AWS_REGION: s3!.region,
});

function studyInput(name: string, storeDir: string, computeTaskQueue: string, exchange: boolean): StudyInput {
  const path = writeStudyVariant(inputs, 'study.json', name, {
    design: { type: 'cross-validation', folds: FOLDS, ancestry: 'EUR' },
    sbayesrc: { iterations: ITERATIONS, burnIn: Math.floor(ITERATIONS / 5), checkpointEvery: Math.floor(ITERATIONS / 20), baseline: BASELINE },
    execution: { concurrency: FULL ? 4 : 2 },
  });
  return { ...studyInputFor(path, { computeTaskQueue, artifactsDir: storePaths(storeDir).artifacts, heartbeatTimeout: '10 seconds' }), ...(exchange ? { artifactExchange: 's3' as const } : {}) };
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

/** The store worker in S3 mode, on the host. */
const storeWorker = (storeDir: string, prefix: string): Promise<LiveCli> =>
  hostWorker(['--store-only', '--store', storeDir, '--artifacts', `s3://${BUCKET}/${prefix}`], { PGSFLOW_TASK_QUEUE: STORE_QUEUE, ...awsEnv() });

/** A compute-only worker "on another host" in S3 mode: nothing of the test folder visible. */
async function computeWorker(k: number, prefix: string): Promise<Namespaced> {
  const w = await spawnNamespaced({
    bridge: bridge!,
    k,
    hide: tmp.dir,
    visible: [],
    command: [process.execPath, BIN, 'worker', '--compute-only', '--artifacts', `s3://${BUCKET}/${prefix}`, '--cache', `/tmp/pgsflow-cache-${k}`, '--max-concurrent', '1', '--identity', `compute-${k}`],
    env: { TEMPORAL_ADDRESS: temporalAddress, PGSFLOW_COMPUTE_TASK_QUEUE: COMPUTE_QUEUE, ...awsEnv() },
  });
  nsWorkers.push(w);
  await w.waitFor(/compute-only worker on .*S3 mode/, 120_000);
  return w;
}

async function stopComputeWorker(w: Namespaced): Promise<void> {
  w.child.kill('SIGINT');
  await w.exit;
  w.cleanup();
  nsWorkers.splice(nsWorkers.indexOf(w), 1);
}

/** Objects and bytes under a prefix of the bucket (what went through S3 for one run). */
async function bucketUsage(prefix: string): Promise<{ objects: number; bytes: number }> {
  const store = new S3ArtifactStore(BUCKET, prefix, { endpoint: s3!.endpoint, region: s3!.region, credentials: { accessKeyId: s3!.accessKeyId, secretAccessKey: s3!.secretAccessKey } });
  let bytes = 0;
  const keys = await store.list();
  for (const k of keys) bytes += (await store.head(k))?.bytes ?? 0;
  return { objects: keys.length, bytes };
}

let reference: StudyResult;

describe(`compute workers in their own network and mount namespaces, S3 mode (${FULL ? 'full: 10 folds, baseline' : 'small: 2 folds'})`, () => {
  it('single-process reference run (file mode, one `pgsflow worker` serving both queues on the host)', async () => {
    const store = `${tmp.dir}/ref-store`;
    const w = await hostWorker(['--store', store, '--max-concurrent', '2'], { PGSFLOW_TASK_QUEUE: 'ref-store', PGSFLOW_COMPUTE_TASK_QUEUE: 'ref-compute' });
    const t0 = Date.now();
    reference = await client.workflow.execute('crossValidationStudy', { workflowId: 's3-ref', taskQueue: 'ref-store', args: [studyInput('s3_ref', store, 'ref-compute', false)] });
    figures.singleProcessSeconds = (Date.now() - t0) / 1000;
    expect(reference.status).toBe('completed');
    await stopHostWorker(w);
  }, 1_200_000);

  if (FULL) {
    for (const n of [1, 2]) {
      it(`timing: the study in S3 mode on ${n} namespaced compute worker(s)`, async () => {
        const storeDir = `${tmp.dir}/store-t${n}`;
        const prefix = `t${n}`;
        const sw = await storeWorker(storeDir, prefix);
        const ws: Namespaced[] = [];
        for (let k = 1; k <= n; k++) ws.push(await computeWorker(k, prefix));
        const t0 = Date.now();
        const result = await client.workflow.execute('crossValidationStudy', { workflowId: `s3-t${n}`, taskQueue: STORE_QUEUE, args: [studyInput(`s3_t${n}`, storeDir, COMPUTE_QUEUE, true)] });
        figures[`s3Workers${n}Seconds`] = (Date.now() - t0) / 1000;
        expect(values(result)).toEqual(values(reference));
        const stats = await fitStats(client, `s3-t${n}`, FOLDS);
        figures[`s3Workers${n}FitSeconds`] = Math.round(stats.seconds * 10) / 10;
        figures[`s3Workers${n}Fits`] = stats.fits;
        const usage = await bucketUsage(prefix);
        figures[`s3Workers${n}Objects`] = usage.objects;
        figures[`s3Workers${n}Bytes`] = usage.bytes;
        for (const w of ws) await stopComputeWorker(w);
        await stopHostWorker(sw);
      }, 1_800_000);
    }
  }

  it('fits run on both workers with no shared folder; SIGKILL of one mid-fit: the other resumes from the checkpoint in S3, metrics identical', async () => {
    const storeDir = `${tmp.dir}/store-kill`;
    const prefix = 'kill';
    const sw = await storeWorker(storeDir, prefix);
    const a = await computeWorker(1, prefix);
    const b = await computeWorker(2, prefix);
    const runId = 's3-kill';
    const t0 = Date.now();
    const handle = await client.workflow.start('crossValidationStudy', { workflowId: runId, taskQueue: STORE_QUEUE, args: [studyInput('s3_kill', storeDir, COMPUTE_QUEUE, true)] });
    // Both workers running a fit at once, and compute-1's with a checkpoint uploaded (named in its heartbeat).
    const victim = await until('fits on both workers, compute-1 with a checkpoint in S3', async () => {
      const fits = await runningFits(client, runId, FOLDS);
      const identities = new Set([...fits.values()].map((f) => f.identity));
      if (!identities.has('compute-1') || !identities.has('compute-2')) return null;
      for (const [scope, f] of fits) {
        if (f.identity === 'compute-1' && (f.beat?.exchanged?.length ?? 0) > 0 && f.beat!.checkpoint) return { scope, beat: f.beat! };
      }
      return null;
    });
    a.child.kill('SIGKILL');
    expect((await a.exit).signal).toBe('SIGKILL');
    a.cleanup();
    nsWorkers.splice(nsWorkers.indexOf(a), 1);
    const result = (await handle.result()) as StudyResult;
    figures.killRunSeconds = (Date.now() - t0) / 1000;
    expect(values(result)).toEqual(values(reference));
    expect((await fitStats(client, runId, FOLDS)).identities.has('compute-2')).toBe(true);
    await stopComputeWorker(b);
    await stopHostWorker(sw);

    const store = await Store.open(storeDir);
    try {
      const rows = await store.all<{ summary_json: string }>(`SELECT summary_json FROM fits WHERE run_id = '${runId}' AND scope = '${victim.scope}/SBayesRC'`);
      const summary = JSON.parse(rows[0]!.summary_json) as { resumedFromSweep: number | null };
      // Resumed from a checkpoint compute-1 uploaded (compute-2 never saw compute-1's disk), not from sweep 0.
      expect(summary.resumedFromSweep).toBeGreaterThan(0);
      expect(summary.resumedFromSweep).toBeLessThan(ITERATIONS);
    } finally {
      store.close();
    }
    const usage = await bucketUsage(prefix);
    figures.killRunObjects = usage.objects;
    figures.killRunBytes = usage.bytes;
    expect(usage.objects).toBeGreaterThan(0);
    // The compute worker ran on its mirror: it never opened the store.
    expect(b.output()).not.toMatch(/duckdb|store\.duckdb|StoreLockedError/i);
  }, 1_800_000);
});
