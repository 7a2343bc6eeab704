// Durability of a study against the real dev server with the worker in its own process:
// SIGKILL of the worker during an SBayesRC fit (the chain resumes from its checkpoint and the
// numbers equal an uninterrupted run's), and a dev-server restart on the same SQLite file.
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { simulateStudy } from '../../core/simulate/simulateStudy.js';
import { Store, storePaths } from '../../core/store/store.js';
import { type DevServer, freePort, startDevServer } from '../../client/devServer.js';
import { parseSimulateOptions } from '../../config/simulate.js';
import type { StudyInput, StudyResult } from '../../contracts/study.js';
import { type LiveCli, spawnCli } from '../helpers/cli.js';
import { fitHeartbeat } from '../helpers/fitHeartbeat.js';
import { studyInputFor, writeStudyVariant } from '../helpers/studyFiles.js';
import { makeTmpDir } from '../helpers/tmp.js';

const STORE_QUEUE = 'durable-store';
const COMPUTE_QUEUE = 'durable-compute';

let tmp: { dir: string; cleanup: () => void };
let simDir: string;
let storeDir: string;
let server: DevServer;
let port: number;
let uiPort: number;
let connection: Connection;
let client: Client;
let worker: LiveCli | undefined;

const dbFile = (): string => `${tmp.dir}/temporal.sqlite`;

async function startServer(): Promise<DevServer> {
  return startDevServer({ cli: inject('temporalCli'), dbFile: dbFile(), port, uiPort, strictPorts: true, log: `${tmp.dir}/server.log` });
}

async function startWorker(): Promise<LiveCli> {
  const w = spawnCli(['worker', '--store', storeDir], {
    TEMPORAL_ADDRESS: `127.0.0.1:${port}`,
    PGSFLOW_TASK_QUEUE: STORE_QUEUE,
    PGSFLOW_COMPUTE_TASK_QUEUE: COMPUTE_QUEUE,
  });
  await w.waitFor(/worker on /, 120_000);
  return w;
}

async function stopWorker(): Promise<void> {
  if (!worker) return;
  worker.child.kill('SIGINT');
  await worker.exit;
  worker = undefined;
}

beforeAll(async () => {
  tmp = makeTmpDir('durable');
  simDir = `${tmp.dir}/sim`;
  storeDir = `${tmp.dir}/store`;
  await simulateStudy(parseSimulateOptions({ ancestries: ['EUR'], samples: [2000], refSamples: 400, snps: 1000, blockSnps: 100, seed: 9 }), simDir);
  port = await freePort();
  uiPort = await freePort();
  server = await startServer();
  connection = await Connection.connect({ address: server.address });
  client = new Client({ connection });
}, 180_000);

afterAll(async () => {
  await stopWorker();
  await connection?.close();
  await server?.stop();
  tmp?.cleanup();
});

/** A 2-fold study whose fits are long enough (seconds of sweeps) to be killed mid-chain. */
function studyInput(name: string, iterations: number): StudyInput {
  const path = writeStudyVariant(simDir, 'study.json', name, {
    design: { type: 'cross-validation', folds: 2, ancestry: 'EUR' },
    sbayesrc: { iterations, burnIn: Math.floor(iterations / 5), checkpointEvery: Math.floor(iterations / 10) },
    execution: { concurrency: 1 },
  });
  return studyInputFor(path, { computeTaskQueue: COMPUTE_QUEUE, artifactsDir: storePaths(storeDir).artifacts, heartbeatTimeout: '10 seconds' });
}

const values = (r: StudyResult) => r.metrics.map((m) => [m.scope, m.method, m.metric, m.value, m.se, m.n]);

async function until<T>(what: string, probe: () => Promise<T | null>, timeoutMs = 300_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    const v = await probe();
    if (v !== null) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const ITERATIONS = 8_000;
let reference: StudyResult;

describe('study durability (worker and server in their own processes)', () => {
  it('an uninterrupted run gives the reference numbers', async () => {
    worker = await startWorker();
    reference = await client.workflow.execute('crossValidationStudy', {
      workflowId: 'durable-ref',
      taskQueue: STORE_QUEUE,
      args: [studyInput('durable_ref', ITERATIONS)],
    });
    expect(reference.status).toBe('completed');
  }, 600_000);

  it('SIGKILL of the worker during an SBayesRC fit: the chain resumes from its checkpoint, numbers identical', async () => {
    worker ??= await startWorker();
    const handle = await client.workflow.start('crossValidationStudy', {
      workflowId: 'durable-kill',
      taskQueue: STORE_QUEUE,
      args: [studyInput('durable_kill', ITERATIONS)],
    });
    // Kill once a checkpoint exists and the chain has gone past it.
    const beat = await until('a checkpointed fit', async () => {
      const hb = await fitHeartbeat(client, 'durable-kill/fold-1');
      return hb && hb.checkpoint && hb.sweep > hb.checkpoint.sweep ? hb : null;
    });
    worker.child.kill('SIGKILL');
    await worker.exit;
    worker = await startWorker();
    const result = (await handle.result()) as StudyResult;
    expect(values(result)).toEqual(values(reference));

    await stopWorker();
    const store = await Store.open(storeDir);
    try {
      const fit = await store.all<{ summary_json: string }>(`SELECT summary_json FROM fits WHERE run_id = 'durable-kill' AND scope = 'fold-1/SBayesRC'`);
      const summary = JSON.parse(fit[0]!.summary_json) as { resumedFromSweep: number | null };
      expect(summary.resumedFromSweep).toBeGreaterThanOrEqual(beat.checkpoint!.sweep);
      expect(summary.resumedFromSweep).toBeLessThan(ITERATIONS);
      for (const [table, key] of [
        ['effects', 'run_id, scope, snp'],
        ['scores', 'run_id, cohort, fid, iid, score_name'],
        ['fits', 'run_id, scope'],
        ['metrics', 'run_id, scope, method, metric'],
        ['steps', 'run_id, step_key'],
        ['qc_counts', 'run_id, scope, gwas_set, rule'],
      ] as const) {
        const dup = await store.all<{ n: bigint }>(`SELECT count(*) AS n FROM (SELECT ${key} FROM ${table} GROUP BY ALL HAVING count(*) > 1)`);
        expect(Number(dup[0]!.n), table).toBe(0);
      }
    } finally {
      store.close();
    }
  }, 600_000);

  it('a dev-server restart on the same SQLite file mid-study: the study completes', async () => {
    worker ??= await startWorker();
    const handle = await client.workflow.start('crossValidationStudy', {
      workflowId: 'durable-server',
      taskQueue: STORE_QUEUE,
      args: [studyInput('durable_server', ITERATIONS)],
    });
    await until('a running fit', () => fitHeartbeat(client, 'durable-server/fold-1'));
    await server.stop();
    await new Promise((r) => setTimeout(r, 2_000));
    server = await startServer();
    const result = (await until('the study result', async () => {
      try {
        return (await handle.result()) as StudyResult;
      } catch (e) {
        // The client's connection may need a moment to reach the restarted server.
        if (String(e).includes('UNAVAILABLE') || String(e).includes('Connection')) return null;
        throw e;
      }
    })) as StudyResult;
    expect(values(result)).toEqual(values(reference));
  }, 600_000);
});
