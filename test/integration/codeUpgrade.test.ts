// Surviving a code upgrade, task-queue-per-version (docs/cluster.md): a study started for the old
// compute workers (queue …-v1) keeps every compute activity on them while the new compute workers
// (queue …-v2) start and serve a study started after the upgrade; each study's activities run
// only on its own version's workers, and both give the same numbers. Real processes on the dev
// server: one store worker, two `pgsflow worker --compute-only` generations.
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { simulateStudy } from '../../core/simulate/simulateStudy.js';
import { storePaths } from '../../core/store/store.js';
import { type DevServer, freePort, startDevServer } from '../../client/devServer.js';
import { parseSimulateOptions } from '../../config/simulate.js';
import type { StudyInput, StudyResult } from '../../contracts/study.js';
import { type LiveCli, spawnCli } from '../helpers/cli.js';
import { runningFits, until, values } from '../helpers/studyObservation.js';
import { studyInputFor, writeStudyVariant } from '../helpers/studyFiles.js';
import { makeTmpDir } from '../helpers/tmp.js';

const STORE_QUEUE = 'upgrade-store';
const V1 = 'upgrade-compute-v1';
const V2 = 'upgrade-compute-v2';
const FOLDS = 2;

let tmp: { dir: string; cleanup: () => void };
let simDir: string;
let storeDir: string;
let server: DevServer;
let connection: Connection;
let client: Client;
const workers: LiveCli[] = [];

beforeAll(async () => {
  tmp = makeTmpDir('upgrade');
  simDir = `${tmp.dir}/sim`;
  storeDir = `${tmp.dir}/store`;
  await simulateStudy(parseSimulateOptions({ ancestries: ['EUR'], samples: [2000], refSamples: 400, snps: 1000, blockSnps: 100, seed: 31 }), simDir);
  server = await startDevServer({ cli: inject('temporalCli'), dbFile: `${tmp.dir}/temporal.sqlite`, port: await freePort(), uiPort: await freePort(), headless: true, log: `${tmp.dir}/server.log` });
  connection = await Connection.connect({ address: server.address });
  client = new Client({ connection });
}, 300_000);

afterAll(async () => {
  for (const w of workers) {
    w.child.kill('SIGINT');
    await w.exit;
  }
  await connection?.close();
  await server?.stop();
  tmp?.cleanup();
});

async function worker(args: string[], env: NodeJS.ProcessEnv, ready: RegExp): Promise<LiveCli> {
  const w = spawnCli(['worker', ...args], { TEMPORAL_ADDRESS: server.address, PGSFLOW_TASK_QUEUE: STORE_QUEUE, ...env });
  workers.push(w);
  await w.waitFor(ready, 120_000);
  return w;
}

function studyInput(name: string, computeTaskQueue: string, codeVersion: string): StudyInput {
  const path = writeStudyVariant(simDir, 'study.json', name, {
    design: { type: 'cross-validation', folds: FOLDS, ancestry: 'EUR' },
    sbayesrc: { iterations: 3000, burnIn: 600, checkpointEvery: 300 },
  });
  return { ...studyInputFor(path, { computeTaskQueue, artifactsDir: storePaths(storeDir).artifacts }), codeVersion };
}

/** Every activity a study ran (its workflow and the fold children): queue, type and the worker that started it. */
async function activitiesOf(runId: string): Promise<{ queue: string; type: string; identity: string }[]> {
  const out: { queue: string; type: string; identity: string }[] = [];
  for (const id of [runId, ...Array.from({ length: FOLDS }, (_, k) => `${runId}/fold-${k + 1}`)]) {
    const scheduled = new Map<string, { queue: string; type: string }>();
    for (const e of (await client.workflow.getHandle(id).fetchHistory()).events ?? []) {
      const s = e.activityTaskScheduledEventAttributes;
      if (s) scheduled.set(String(e.eventId), { queue: s.taskQueue?.name ?? '', type: s.activityType?.name ?? '' });
      const started = e.activityTaskStartedEventAttributes;
      if (started) out.push({ ...scheduled.get(String(started.scheduledEventId))!, identity: started.identity ?? '' });
    }
  }
  return out;
}

describe('code upgrade, task queue per version', () => {
  it('a study started on the old compute workers finishes on them while a new study runs on the new ones', async () => {
    await worker(['--store-only', '--store', storeDir], {}, /worker on /);
    const v1 = await worker(['--compute-only', '--identity', 'compute-v1'], { PGSFLOW_COMPUTE_TASK_QUEUE: V1 }, /compute-only worker on /);
    const old = await client.workflow.start('crossValidationStudy', { workflowId: 'upgrade-old', taskQueue: STORE_QUEUE, args: [studyInput('upgrade_old', V1, 'v1')] });
    // The old study is fitting when the new generation comes up.
    await until('a fit of the old study running', async () => ((await runningFits(client, 'upgrade-old', FOLDS)).size > 0 ? true : null));
    await worker(['--compute-only', '--identity', 'compute-v2'], { PGSFLOW_COMPUTE_TASK_QUEUE: V2 }, /compute-only worker on /);
    const fresh = await client.workflow.start('crossValidationStudy', { workflowId: 'upgrade-new', taskQueue: STORE_QUEUE, args: [studyInput('upgrade_new', V2, 'v2')] });
    const [a, b] = (await Promise.all([old.result(), fresh.result()])) as [StudyResult, StudyResult];
    // The old generation is drained once its studies have closed.
    v1.child.kill('SIGINT');
    expect((await v1.exit).code).toBe(0);

    const oldActs = await activitiesOf('upgrade-old');
    const newActs = await activitiesOf('upgrade-new');
    const computeOf = (acts: typeof oldActs): { queue: string; identity: string }[] => acts.filter((x) => x.queue !== STORE_QUEUE).map(({ queue, identity }) => ({ queue, identity }));
    expect(computeOf(oldActs).length).toBeGreaterThanOrEqual(FOLDS * 2); // imputation and a fit per fold at least
    expect(new Set(computeOf(oldActs).map((x) => `${x.queue} ${x.identity}`))).toEqual(new Set([`${V1} compute-v1`]));
    expect(new Set(computeOf(newActs).map((x) => `${x.queue} ${x.identity}`))).toEqual(new Set([`${V2} compute-v2`]));
    expect(oldActs.filter((x) => x.type === 'fitSbayesrc').length).toBe(FOLDS);
    expect(values(a)).toEqual(values(b));
    expect(a.status).toBe('completed');
  }, 900_000);
});
