// Load: five small cross-validation studies submitted at once to ONE worker pair (`pgsflow worker`,
// a real process: store queue + compute queue with maxConcurrentActivityTaskExecutions 2) on the
// real dev server. All must complete; from the archived histories (parents and fold children) no
// more than 2 compute activities may ever overlap; the worker's peak RSS (VmHWM) is reported and
// bounded; no SQLite/DuckDB lock error appears in the worker's log or any failure.
import { readFileSync } from 'node:fs';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { simulateStudy } from '../../core/simulate/simulateStudy.js';
import { parseSimulateOptions } from '../../config/simulate.js';
import type { StudyResult } from '../../contracts/study.js';
import { type LiveCli, spawnCli, waitUntil } from '../helpers/cli.js';
import { studyInputFor, writeStudyVariant } from '../helpers/studyFiles.js';
import { makeTmpDir } from '../helpers/tmp.js';
import { type LocalTemporal, startLocalTemporal } from '../helpers/localTemporal.js';

const STUDIES = 5;
const STORE_QUEUE = 'load-store';
const COMPUTE_QUEUE = 'load-compute';
const COMPUTE_LIMIT = 2;

let env: TestWorkflowEnvironment;
let temporal: LocalTemporal | undefined;
let tmp: { dir: string; cleanup: () => void };
let worker: LiveCli | undefined;

beforeAll(async () => {
  tmp = makeTmpDir('load');
  await simulateStudy(parseSimulateOptions({ ancestries: ['EUR'], samples: [800], refSamples: 200, snps: 400, blockSnps: 100, seed: 9 }), `${tmp.dir}/sim`);
  temporal = await startLocalTemporal(tmp.dir, inject('temporalCli'));
  env = temporal.env;
}, 120_000);

afterAll(async () => {
  if (worker && worker.child.exitCode === null) {
    worker.child.kill('SIGINT');
    await Promise.race([worker.exit, new Promise((r) => setTimeout(r, 10_000))]);
    if (worker.child.exitCode === null) worker.child.kill('SIGKILL');
  }
  await temporal?.stop();
  tmp?.cleanup();
});

/** VmHWM (peak resident set) of a live process, in bytes. */
function peakRss(pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m?.[1] ?? 0) * 1024;
}

interface Interval {
  start: number;
  end: number;
  what: string;
}

/** The most intervals open at one instant (an end at t closes before a start at t opens). */
function maxOverlap(xs: Interval[]): number {
  const ev = xs.flatMap((x) => [[x.start, 1], [x.end, -1]] as [number, number][]).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let cur = 0;
  let max = 0;
  for (const [, d] of ev) max = Math.max(max, (cur += d));
  return max;
}

const ms = (t: unknown): number => {
  const ts = t as { seconds?: { toNumber(): number } | number | null; nanos?: number | null } | null | undefined;
  const s = typeof ts?.seconds === 'number' ? ts.seconds : (ts?.seconds?.toNumber() ?? 0);
  return s * 1000 + (ts?.nanos ?? 0) / 1e6;
};

describe('load: five studies at once on one worker pair', () => {
  it('completes all, never runs more than 2 compute activities at once, peak RSS bounded, no lock errors', async () => {
    const store = `${tmp.dir}/store`;
    worker = spawnCli(['worker', '--store', store], {
      TEMPORAL_ADDRESS: env.address,
      PGSFLOW_TASK_QUEUE: STORE_QUEUE,
      PGSFLOW_COMPUTE_TASK_QUEUE: COMPUTE_QUEUE,
      PGSFLOW_LOG_LEVEL: 'WARN',
    });
    await worker.waitFor(/: queues /, 60_000);
    const pid = worker.child.pid!;

    const t0 = Date.now();
    const ids: string[] = [];
    const handles = [];
    for (let i = 1; i <= STUDIES; i++) {
      // Different seeds: different folds and chains, so no study reuses another's steps.
      const path = writeStudyVariant(`${tmp.dir}/sim`, 'study.json', `load_${i}`, {
        seed: 100 + i,
        design: { type: 'cross-validation', folds: 2, ancestry: 'EUR' },
        sbayesrc: { iterations: 60, burnIn: 20, checkpointEvery: 20 },
      });
      const id = `load-${i}`;
      ids.push(id);
      handles.push(
        await env.client.workflow.start('crossValidationStudy', {
          workflowId: id,
          taskQueue: STORE_QUEUE,
          args: [studyInputFor(path, { computeTaskQueue: COMPUTE_QUEUE, artifactsDir: `${store}/artifacts` })],
        }),
      );
    }
    let peak = 0;
    const sampler = setInterval(() => {
      try {
        peak = Math.max(peak, peakRss(pid));
      } catch {
        /* exited */
      }
    }, 250);
    let results: StudyResult[];
    try {
      results = (await Promise.all(handles.map((h) => h.result()))) as StudyResult[];
    } finally {
      clearInterval(sampler);
    }
    const wallS = (Date.now() - t0) / 1000;
    peak = Math.max(peak, peakRss(pid));
    for (const r of results) expect(r.status).toBe('completed');

    // Every compute activity of every workflow (parents and fold children), from the histories.
    const intervals: Interval[] = [];
    const workflowIds = [...ids, ...ids.flatMap((id) => [1, 2].map((k) => `${id}/fold-${k}`))];
    let computeActivities = 0;
    /** Retried, failed or timed-out activities (a lock error would surface as one). */
    const failedAttempts: string[] = [];
    for (const wid of workflowIds) {
      const history = await env.client.workflow.getHandle(wid).fetchHistory();
      const scheduled = new Map<string, { type: string; queue: string }>();
      const started = new Map<string, number>();
      for (const e of history.events ?? []) {
        const eid = String(e.eventId);
        const a = e.activityTaskScheduledEventAttributes;
        if (a) scheduled.set(eid, { type: a.activityType?.name ?? '?', queue: a.taskQueue?.name ?? '?' });
        const s = e.activityTaskStartedEventAttributes;
        if (s) started.set(String(s.scheduledEventId), ms(e.eventTime));
        // Retries are not events: a retried activity's started event carries its attempt number.
        if (s && (s.attempt ?? 1) > 1) failedAttempts.push(`${wid}#${String(e.eventId)} attempt ${s.attempt}`);
        if (e.activityTaskFailedEventAttributes || e.activityTaskTimedOutEventAttributes) failedAttempts.push(`${wid}#${String(e.eventId)}`);
        const done = e.activityTaskCompletedEventAttributes ?? e.activityTaskFailedEventAttributes ?? e.activityTaskTimedOutEventAttributes ?? e.activityTaskCanceledEventAttributes;
        if (done) {
          const sid = String(done.scheduledEventId);
          const sch = scheduled.get(sid);
          const st = started.get(sid);
          if (sch?.queue === COMPUTE_QUEUE && st !== undefined) {
            intervals.push({ start: st, end: ms(e.eventTime), what: `${wid}:${sch.type}` });
            computeActivities++;
          }
        }
      }
    }
    const overlap = maxOverlap(intervals);

    worker.child.kill('SIGINT');
    await worker.exit;
    const log = worker.output();
    const lockErrors = log.split('\n').filter((l) => /database is locked|SQLITE_BUSY|Could not set lock|Conflicting lock|StoreLockedError/i.test(l));

    console.log(
      `load: ${STUDIES} studies (${workflowIds.length} workflows) completed in ${wallS.toFixed(1)} s; ` +
        `${computeActivities} compute activities, at most ${overlap} at once (limit ${COMPUTE_LIMIT}); ` +
        `worker peak RSS ${(peak / 2 ** 20).toFixed(0)} MiB; lock errors ${lockErrors.length}`,
    );
    expect(computeActivities).toBeGreaterThanOrEqual(STUDIES * 2);
    expect(overlap).toBeGreaterThanOrEqual(1);
    expect(overlap).toBeLessThanOrEqual(COMPUTE_LIMIT);
    expect(lockErrors).toEqual([]);
    expect(failedAttempts).toEqual([]);
    expect(peak).toBeGreaterThan(0);
    expect(peak).toBeLessThan(2 * 2 ** 30);
    expect(await waitUntil(() => worker!.child.exitCode !== null, 15_000)).toBe(true);
  }, 300_000);
});
