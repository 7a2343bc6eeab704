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
import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { BIN, type LiveCli } from '../helpers/cli.js';
import { s3OptionsFor, startTestS3 } from '../helpers/seaweedS3.js';
import { S3ArtifactStore } from '../../core/artifacts/s3ArtifactStore.js';
import { storePaths } from '../../core/store/store.js';
import type { SeaweedS3 } from '../../client/seaweedfsServer.js';
import type { StudyInput, StudyResult } from '../../contracts/study.js';
import { studyInputFor, writeStudyVariant } from '../helpers/studyFiles.js';
import { fitStats, values } from '../helpers/studyObservation.js';
import { CLUSTER_FOLDS as FOLDS, CLUSTER_FULL as FULL, CLUSTER_ITERATIONS as ITERATIONS, ClusterHarness, resumedFromSweep } from './clusterHarness.js';
import { type Namespaced, spawnNamespaced } from './namespaces.js';

const BASELINE = FULL;
const BUCKET = 'pgsflow-cluster';

const STORE_QUEUE = 's3-store';
const COMPUTE_QUEUE = 's3-compute';

let h: ClusterHarness;
let s3: SeaweedS3 | undefined;
const figures: Record<string, number> = {};

beforeAll(async () => {
  // SeaweedFS at the bridge address, which every process, on the host or in a namespace, dials alike.
  h = await ClusterHarness.start('cluster-s3', inject('temporalCli'), async (harness) => {
    s3 = await startTestS3(`${harness.tmp.dir}/s3`, [BUCKET], harness.bridge.hostIp);
  });
}, 600_000);

afterAll(async () => {
  await h?.stop();
  await s3?.stop();
  if (FULL) writeFileSync(`${h?.tmp.dir ?? '.'}/figures.json`, JSON.stringify(figures, null, 2));
  if (Object.keys(figures).length > 0) console.log(`cluster S3 figures: ${JSON.stringify(figures)}`);
  h?.tmp.cleanup();
});

/** The standard AWS variables a worker reads (endpoint, keys, region). */
const awsEnv = (): NodeJS.ProcessEnv => ({
  AWS_ENDPOINT_URL: s3!.endpoint,
  AWS_ACCESS_KEY_ID: s3!.accessKeyId,
  AWS_SECRET_ACCESS_KEY: s3!.secretAccessKey,
  AWS_REGION: s3!.region,
});

function studyInput(name: string, storeDir: string, computeTaskQueue: string, exchange: boolean): StudyInput {
  const path = writeStudyVariant(h.inputs, 'study.json', name, {
    design: { type: 'cross-validation', folds: FOLDS, ancestry: 'EUR' },
    sbayesrc: { iterations: ITERATIONS, burnIn: Math.floor(ITERATIONS / 5), checkpointEvery: Math.floor(ITERATIONS / 20), baseline: BASELINE },
    execution: { concurrency: FULL ? 4 : 2 },
  });
  return { ...studyInputFor(path, { computeTaskQueue, artifactsDir: storePaths(storeDir).artifacts, heartbeatTimeout: '10 seconds' }), ...(exchange ? { artifactExchange: 's3' as const } : {}) };
}

/** The store worker in S3 mode, on the host. */
const storeWorker = (storeDir: string, prefix: string): Promise<LiveCli> =>
  h.hostWorker(['--store-only', '--store', storeDir, '--artifacts', `s3://${BUCKET}/${prefix}`], { PGSFLOW_TASK_QUEUE: STORE_QUEUE, ...awsEnv() });

/** A compute-only worker "on another host" in S3 mode: nothing of the test folder visible. */
async function computeWorker(k: number, prefix: string): Promise<Namespaced> {
  const w = await spawnNamespaced({
    bridge: h.bridge,
    k,
    hide: h.tmp.dir,
    visible: [],
    command: [process.execPath, BIN, 'worker', '--compute-only', '--artifacts', `s3://${BUCKET}/${prefix}`, '--cache', `/tmp/pgsflow-cache-${k}`, '--max-concurrent', '1', '--identity', `compute-${k}`],
    env: { TEMPORAL_ADDRESS: h.temporalAddress, PGSFLOW_COMPUTE_TASK_QUEUE: COMPUTE_QUEUE, ...awsEnv() },
  });
  h.nsWorkers.push(w);
  await w.waitFor(/compute-only worker on .*S3 mode/, 120_000);
  return w;
}

/** Objects and bytes under a prefix of the bucket (what went through S3 for one run). */
async function bucketUsage(prefix: string): Promise<{ objects: number; bytes: number; misnamed: string[] }> {
  const store = new S3ArtifactStore(BUCKET, prefix, s3OptionsFor(s3!));
  let bytes = 0;
  const misnamed: string[] = [];
  const keys = await store.list();
  for (const k of keys) {
    const ref = await store.head(k);
    bytes += ref?.bytes ?? 0;
    // Every object under the key of its own content: none can have been written with two contents.
    if (k !== `sha256/${ref?.sha256}`) misnamed.push(k);
  }
  return { objects: keys.length, bytes, misnamed };
}

let reference: StudyResult;

describe(`compute workers in their own network and mount namespaces, S3 mode (${FULL ? 'full: 10 folds, baseline' : 'small: 2 folds'})`, () => {
  it('single-process reference run (file mode, one `pgsflow worker` serving both queues on the host)', async () => {
    const store = `${h.tmp.dir}/ref-store`;
    const w = await h.hostWorker(['--store', store, '--max-concurrent', '2'], { PGSFLOW_TASK_QUEUE: 'ref-store', PGSFLOW_COMPUTE_TASK_QUEUE: 'ref-compute' });
    const t0 = Date.now();
    reference = await h.client.workflow.execute('crossValidationStudy', { workflowId: 's3-ref', taskQueue: 'ref-store', args: [studyInput('s3_ref', store, 'ref-compute', false)] });
    figures.singleProcessSeconds = (Date.now() - t0) / 1000;
    expect(reference.status).toBe('completed');
    await h.stopHostWorker(w);
  }, 1_200_000);

  if (FULL) {
    for (const n of [1, 2]) {
      it(`timing: the study in S3 mode on ${n} namespaced compute worker(s)`, async () => {
        const storeDir = `${h.tmp.dir}/store-t${n}`;
        const prefix = `t${n}`;
        const sw = await storeWorker(storeDir, prefix);
        const ws: Namespaced[] = [];
        for (let k = 1; k <= n; k++) ws.push(await computeWorker(k, prefix));
        const t0 = Date.now();
        const result = await h.client.workflow.execute('crossValidationStudy', { workflowId: `s3-t${n}`, taskQueue: STORE_QUEUE, args: [studyInput(`s3_t${n}`, storeDir, COMPUTE_QUEUE, true)] });
        figures[`s3Workers${n}Seconds`] = (Date.now() - t0) / 1000;
        expect(values(result)).toEqual(values(reference));
        const stats = await fitStats(h.client, `s3-t${n}`, FOLDS);
        figures[`s3Workers${n}FitSeconds`] = Math.round(stats.seconds * 10) / 10;
        figures[`s3Workers${n}Fits`] = stats.fits;
        const usage = await bucketUsage(prefix);
        figures[`s3Workers${n}Objects`] = usage.objects;
        figures[`s3Workers${n}Bytes`] = usage.bytes;
        for (const w of ws) await h.stopNamespaced(w);
        await h.stopHostWorker(sw);
      }, 1_800_000);
    }
  }

  it('no shared folder: a fit on one worker, SIGKILLed mid-fit, resumes on the other from the checkpoint in S3; metrics identical', async () => {
    const storeDir = `${h.tmp.dir}/store-kill`;
    const prefix = 'kill';
    const sw = await storeWorker(storeDir, prefix);
    const a = await computeWorker(1, prefix);
    const b = await computeWorker(2, prefix);
    const runId = 's3-kill';
    const t0 = Date.now();
    const handle = await h.client.workflow.start('crossValidationStudy', { workflowId: runId, taskQueue: STORE_QUEUE, args: [studyInput('s3_kill', storeDir, COMPUTE_QUEUE, true)] });
    // compute-1 running a fit with a checkpoint uploaded (named in its heartbeat); compute-2 polling.
    const victim = await h.runningFitOn('compute-1', runId, FOLDS, (beat) => (beat.exchanged?.length ?? 0) > 0 && beat.checkpoint !== null);
    const result = await h.killAndFinish(a, handle);
    figures.killRunSeconds = (Date.now() - t0) / 1000;
    expect(values(result)).toEqual(values(reference));
    expect((await fitStats(h.client, runId, FOLDS)).identities.has('compute-2')).toBe(true);
    await h.stopNamespaced(b);
    await h.stopHostWorker(sw);

    // Resumed from a checkpoint compute-1 uploaded (compute-2 never saw compute-1's disk), not from sweep 0.
    const resumed = await resumedFromSweep(storeDir, runId, `${victim.scope}/SBayesRC`);
    expect(resumed).toBeGreaterThan(0);
    expect(resumed).toBeLessThan(ITERATIONS);
    const usage = await bucketUsage(prefix);
    figures.killRunObjects = usage.objects;
    figures.killRunBytes = usage.bytes;
    expect(usage.objects).toBeGreaterThan(0);
    expect(usage.misnamed).toEqual([]);
    // The compute worker ran on its mirror: it never opened the store.
    expect(b.output()).not.toMatch(/duckdb|store\.duckdb|StoreLockedError/i);
  }, 1_800_000);
});
