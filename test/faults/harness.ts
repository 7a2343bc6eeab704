// Fault injection against a real study: the Temporal dev server (SQLite file) and a worker
// process (`pgsflow worker`), one clean reference run of a small 2-fold cross-validation, then
// seeded trials that each inject one fault at a seeded moment:
//   worker   SIGKILL the worker process and start a new one
//   server   SIGKILL the dev server process and start it again on the same SQLite file and port
//   disk     fill the artifact folder's file system (a real tmpfs mounted on it: needs root,
//            as the tests' Debian setup does): the study must fail naming ENOSPC and the path,
//            then a resumed run (resumedFrom, as `pgsflow study resume`) completes once space is freed
//   ckpt     SIGKILL the worker during a fit, flip bytes of the newest MCMC checkpoint, restart:
//            the retry must refuse the checkpoint (fingerprint/digest) and start the chain afresh
// Each trial: completed (or failed clearly + resumed), metrics identical to the reference, no
// duplicate or orphan rows in the store, no orphan server or worker processes.
import { execFileSync } from 'node:child_process';
import { mkdirSync, openSync, closeSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { Client, Connection, WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import { simulateStudy } from '../../core/simulate/simulateStudy.js';
import { Store, storePaths } from '../../core/store/store.js';
import { type DevServer, freePort, startDevServer } from '../../client/devServer.js';
import { resolveStudyPaths } from '../../client/study/studyInput.js';
import { parseSimulateOptions } from '../../config/simulate.js';
import { type StudyFileInput, parseStudy } from '../../config/study.js';
import type { StudyInput, StudyResult } from '../../contracts/study.js';
import { type LiveCli, spawnCli, waitUntil } from '../helpers/cli.js';
import { fitHeartbeat } from '../helpers/fitHeartbeat.js';
import { makeTmpDir } from '../helpers/tmp.js';
import { sha256Text } from '../../core/provenance/fileHash.js';

export const FAULT_KINDS = ['worker', 'server', 'disk', 'ckpt'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/** mulberry32: a small seeded PRNG, enough to pick kinds and moments reproducibly. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** When a fault fires: a delay after the study starts, or a fit reaching a sweep in one fold. */
export type Moment = { at: 'delay'; ms: number } | { at: 'fit'; fold: number; sweep: number };

export interface TrialPlan {
  trial: number;
  kind: FaultKind;
  moment: Moment;
}

export interface TrialOutcome extends TrialPlan {
  runId: string;
  /** The resumed run (disk trials). */
  resumedRunId: string | null;
  injected: boolean;
  completed: boolean;
  identical: boolean;
  /** Disk trials: the failure message (must name ENOSPC and the path). */
  failure: string | null;
  failedClearly: boolean | null;
  /** Checkpoint trials: the corrupted file and whether the retry started that chain afresh. */
  corrupted: string | null;
  corruptRefused: boolean | null;
  duplicates: number;
  orphanRows: number;
  orphanProcesses: number;
  seconds: number;
  note: string;
}

export interface SuiteOptions {
  temporalCli: string;
  trials: number;
  seed: number;
  log?: (line: string) => void;
}

export interface SuiteResult {
  diskMode: 'tmpfs';
  referenceSeconds: number;
  totalSeconds: number;
  outcomes: TrialOutcome[];
  /** Processes of this suite still alive after it shut everything down. */
  leftoverProcesses: number;
  table: string;
}

// Long enough that a fit outlasts several throttled heartbeats: with the faster annotation model
// (issue 18) 6,000 sweeps of fold 1 passed unseen three times in a row.
const ITERATIONS = 20_000;
const CHECKPOINT_EVERY = 300;
const FOLDS = 2;
const TMPFS_SIZE = '128m';
const DUP_KEYS = [
  ['runs', 'run_id'],
  ['steps', 'run_id, step_key'],
  ['fits', 'run_id, scope'],
  ['effects', 'run_id, scope, snp'],
  ['scores', 'run_id, cohort, fid, iid, score_name'],
  ['metrics', 'run_id, scope, method, metric'],
  ['qc_counts', 'run_id, scope, gwas_set, rule'],
] as const;

/** Seeded plan: each block of four trials is a seeded permutation of the four kinds. */
export function planTrials(trials: number, seed: number, refFitSweeps: number, refMs: number): TrialPlan[] {
  const rnd = prng(seed);
  const plans: TrialPlan[] = [];
  let block: FaultKind[] = [];
  for (let t = 0; t < trials; t++) {
    if (block.length === 0) {
      block = [...FAULT_KINDS];
      for (let i = block.length - 1; i > 0; i--) {
        const j = Math.floor(rnd() * (i + 1));
        [block[i], block[j]] = [block[j]!, block[i]!];
      }
    }
    const kind = block.shift()!;
    const fold = 1 + Math.floor(rnd() * FOLDS);
    // Past the first checkpoint (corrupt trials need one), early enough in the chain that a
    // heartbeat (sent at most every 2 s) shows it before the fit ends.
    const sweep = CHECKPOINT_EVERY + 1 + Math.floor(rnd() * (0.6 * refFitSweeps - CHECKPOINT_EVERY));
    const useDelay = (kind === 'worker' || kind === 'server') && rnd() < 0.5;
    const moment: Moment = useDelay ? { at: 'delay', ms: Math.floor(rnd() * refMs * 0.8) } : { at: 'fit', fold, sweep };
    plans.push({ trial: t + 1, kind, moment });
  }
  return plans;
}

/** A fault-injection suite run: everything it starts is stopped before it returns. */
export async function runFaultSuite(opts: SuiteOptions): Promise<SuiteResult> {
  const log = opts.log ?? ((l: string) => process.stderr.write(`${l}\n`));
  const started = Date.now();
  const tmp = makeTmpDir('faults');
  const simDir = `${tmp.dir}/sim`;
  const storeDir = `${tmp.dir}/store`;
  const artifacts = storePaths(storeDir).artifacts;
  const dbFile = `${tmp.dir}/temporal.sqlite`;
  const storeQueue = `faults-store-${process.pid}`;
  const computeQueue = `faults-compute-${process.pid}`;
  mkdirSync(artifacts, { recursive: true });
  const diskMode = 'tmpfs' as const;
  mountTmpfs(artifacts);
  log(`faults: ${opts.trials} trials, seed ${opts.seed}, disk full by a ${TMPFS_SIZE} tmpfs on ${artifacts}`);

  const port = await freePort();
  const uiPort = await freePort();
  let server: DevServer | undefined;
  let worker: LiveCli | undefined;
  let connection: Connection | undefined;
  const outcomes: TrialOutcome[] = [];
  let referenceSeconds = 0;
  let leftoverProcesses = 0;

  const startServer = (): Promise<DevServer> =>
    startDevServer({ cli: opts.temporalCli, dbFile, port, uiPort, strictPorts: true, log: `${tmp.dir}/server.log` });
  const startWorker = async (env: NodeJS.ProcessEnv = {}): Promise<LiveCli> => {
    const w = spawnCli(['worker', '--store', storeDir], {
      TEMPORAL_ADDRESS: `127.0.0.1:${port}`,
      PGSFLOW_TASK_QUEUE: storeQueue,
      PGSFLOW_COMPUTE_TASK_QUEUE: computeQueue,
      ...env,
    });
    await w.waitFor(/worker on /, 120_000);
    return w;
  };
  const stopWorker = async (): Promise<void> => {
    if (!worker) return;
    worker.child.kill('SIGINT');
    const how = await Promise.race([worker.exit.then(() => 'exited'), new Promise((r) => setTimeout(() => r('late'), 30_000))]);
    if (how === 'late') {
      worker.child.kill('SIGKILL');
      await worker.exit;
    }
    worker = undefined;
  };
  const killWorker = async (): Promise<void> => {
    if (!worker) return;
    worker.child.kill('SIGKILL');
    await worker.exit;
    worker = undefined;
  };

  try {
    await simulateStudy(parseSimulateOptions({ ancestries: ['EUR'], samples: [1500], refSamples: 300, snps: 1000, blockSnps: 100, seed: 9 }), simDir);
    server = await startServer();
    connection = await Connection.connect({ address: server.address });
    const client = new Client({ connection });
    worker = await startWorker();

    const studyInput = (name: string): StudyInput => {
      const raw = JSON.parse(readFileSync(`${simDir}/study.json`, 'utf8')) as StudyFileInput;
      const study = {
        ...raw,
        name,
        design: { type: 'cross-validation', folds: FOLDS, ancestry: 'EUR' },
        sbayesrc: { ...(raw.sbayesrc ?? {}), iterations: ITERATIONS, burnIn: ITERATIONS / 4, checkpointEvery: CHECKPOINT_EVERY },
        execution: { concurrency: 1 },
      };
      const path = `${simDir}/${name}.json`;
      const text = JSON.stringify(study, null, 2);
      writeFileSync(path, text);
      return {
        study: resolveStudyPaths(parseStudy(study, path), simDir),
        studyText: text,
        studySha256: sha256Text(text),
        studyPath: path,
        codeVersion: 'faults',
        computeTaskQueue: computeQueue,
        artifactsDir: artifacts,
        heartbeatTimeout: '10 seconds',
      };
    };

    const isRunning = async (h: WorkflowHandle): Promise<boolean> => {
      try {
        return (await h.describe()).status.name === 'RUNNING';
      } catch {
        return true; // unknown (server restarting): keep waiting
      }
    };
    /** Wait for the moment; false when the study closed first (fault not injected). */
    const reach = async (h: WorkflowHandle, runId: string, m: Moment, needCheckpoint: boolean, t0: number): Promise<boolean> => {
      let lastStatus = 0;
      for (;;) {
        if (m.at === 'delay') {
          if (Date.now() - t0 >= m.ms) return true;
        } else {
          // The fold's fit at that sweep; if its heartbeats went by unseen, a later fold's fit.
          for (let f = m.fold; f <= FOLDS; f++) {
            const hb = await fitHeartbeat(client, `${runId}/fold-${f}`);
            if (hb && (hb.sweep >= m.sweep || f > m.fold) && (!needCheckpoint || (hb.checkpoint && hb.sweep > hb.checkpoint.sweep))) return true;
          }
        }
        if (Date.now() - lastStatus > 1_000) {
          lastStatus = Date.now();
          if (!(await isRunning(h))) return false;
        }
        await sleep(100);
      }
    };
    /** The study's result or failure, riding out a restarting server. */
    const settle = async (h: WorkflowHandle, timeoutMs = 600_000): Promise<{ ok: true; value: StudyResult } | { ok: false; error: Error }> => {
      const end = Date.now() + timeoutMs;
      while (Date.now() < end) {
        try {
          return { ok: true, value: (await h.result()) as StudyResult };
        } catch (e) {
          if (e instanceof WorkflowFailedError) return { ok: false, error: e };
          await sleep(500); // UNAVAILABLE while the server restarts
        }
      }
      throw new Error(`timed out waiting for ${h.workflowId}`);
    };

    // The reference: no fault.
    const refStart = Date.now();
    const refHandle = await client.workflow.start('crossValidationStudy', { workflowId: 'fault-ref', taskQueue: storeQueue, args: [studyInput('fault_ref')] });
    const ref = await settle(refHandle);
    if (!ref.ok) throw new Error(`the reference run failed: ${rootMessage(ref.error)}`);
    referenceSeconds = (Date.now() - refStart) / 1000;
    const reference = values(ref.value);
    log(`reference run: ${referenceSeconds.toFixed(1)} s, ${ref.value.metrics.length} metric rows`);

    const plans = planTrials(opts.trials, opts.seed, ITERATIONS, referenceSeconds * 1000);
    const rnd = prng(opts.seed ^ 0x5eed);
    for (const planned of plans) {
      let plan = planned;
      // A fit moment can pass unseen when the fit outruns its throttled heartbeats (a quiet
      // machine): then the trial runs again with the moment earlier in fold 1, at most twice, so
      // every trial injects its fault rather than counting a run that met none.
      for (let attempt = 0; ; attempt++) {
        const t0 = Date.now();
        const runId = attempt === 0 ? `fault-${plan.trial}` : `fault-${plan.trial}-retry${attempt}`;
        const out: TrialOutcome = {
          ...plan, runId, resumedRunId: null, injected: false, completed: false, identical: false, failure: null, failedClearly: null,
          corrupted: null, corruptRefused: null, duplicates: 0, orphanRows: 0, orphanProcesses: 0, seconds: 0, note: '',
        };
        try {
          const input = studyInput(`fault_${plan.trial}`);
          const handle = await client.workflow.start('crossValidationStudy', { workflowId: runId, taskQueue: storeQueue, args: [input] });
          out.injected = await reach(handle, runId, plan.moment, plan.kind === 'ckpt', t0);
          if (out.injected) {
            switch (plan.kind) {
              case 'worker':
                await killWorker();
                worker = await startWorker();
                break;
              case 'server': {
                const pid = serverProcess(server.pid, opts.temporalCli);
                if (pid === null) throw new Error('no temporal server process under the watchdog');
                process.kill(pid, 'SIGKILL');
                await server.exited;
                server = await startServer();
                break;
              }
              case 'disk':
                fillDisk(artifacts);
                break;
              case 'ckpt': {
                await killWorker();
                const newest = newestCheckpoint(join(artifacts, 'runs', runId));
                if (newest) {
                  flipBytes(newest, rnd);
                  out.corrupted = newest;
                } else out.note = 'no checkpoint on disk when killed';
                worker = await startWorker();
                break;
              }
            }
          }
          const r = await settle(handle);
          if (r.ok) {
            out.completed = true;
            out.identical = same(values(r.value), reference);
            if (plan.kind === 'disk' && out.injected) out.note = 'no write reached the full disk';
          } else {
            out.failure = rootMessage(r.error);
            if (plan.kind === 'disk' && out.injected) {
              out.failedClearly = /ENOSPC/.test(out.failure) && out.failure.startsWith(`${artifacts}/`);
              // Free the space, then resume: a new run reusing every completed step.
              rmSync(join(artifacts, FILLER), { force: true });
              out.resumedRunId = `${runId}-resumed`;
              const resumed = await client.workflow.start('crossValidationStudy', {
                workflowId: out.resumedRunId, taskQueue: storeQueue, args: [{ ...input, resumedFrom: runId }],
              });
              const rr = await settle(resumed);
              if (rr.ok) {
                out.completed = true;
                out.identical = same(values(rr.value), reference);
              } else out.note = `resumed run failed: ${rootMessage(rr.error)}`;
            } else out.note = `failed: ${out.failure}`;
          }
        } catch (e) {
          out.note = `harness: ${(e as Error).message.split('\n')[0]}`;
        } finally {
          if (plan.kind === 'disk') rmSync(join(artifacts, FILLER), { force: true });
          worker ??= await startWorker();
        }
        // Orphan processes: a server or worker of this suite that is not the live one.
        await waitUntil(() => orphans(dbFile, storeDir, server!.pid, worker!.child.pid!).length === 0, 10_000);
        out.orphanProcesses = orphans(dbFile, storeDir, server.pid, worker.child.pid!).length;
        out.seconds = (Date.now() - t0) / 1000;
        const retry = !out.injected && out.completed && plan.moment.at === 'fit' && attempt < 2;
        log(`trial ${plan.trial}/${opts.trials} ${plan.kind} @${momentText(plan.moment)}: ${out.injected ? 'injected' : 'not injected'}, ${out.completed ? 'completed' : 'NOT completed'}, ${out.identical ? 'identical' : 'DIFFERENT'} (${out.seconds.toFixed(1)} s)${out.note ? ` — ${out.note}` : ''}${retry ? ' — the moment passed unseen: again, earlier' : ''}`);
        if (!retry || plan.moment.at !== 'fit') {
          if (attempt > 0) out.note = [out.note, `attempt ${attempt + 1} (earlier ones: the moment passed unseen)`].filter(Boolean).join('; ');
          outcomes.push(out);
          break;
        }
        plan = { ...plan, moment: { at: 'fit', fold: 1, sweep: CHECKPOINT_EVERY + 1 + Math.floor((plan.moment.sweep - CHECKPOINT_EVERY - 1) / 2) } };
      }
    }

    // Rows: open the store once the worker has let go of it.
    await stopWorker();
    const store = await Store.open(storeDir);
    try {
      for (const out of outcomes) {
        const ids = [out.runId, ...(out.resumedRunId ? [out.resumedRunId] : [])];
        for (const id of ids) {
          out.duplicates += await duplicateGroups(store, id);
          out.orphanRows += await orphanRows(store, id);
        }
        if (out.corrupted) {
          // `<run>/<scope>/<method>_<scope>.ckpt`: that fit must have started afresh.
          const m = /([^/]+)_(fold-\d+)\.ckpt$/.exec(out.corrupted)!;
          const rows = await store.all<{ summary_json: string }>(`SELECT summary_json FROM fits WHERE run_id = ? AND scope = ?`, [out.runId, `${m[2]}/${m[1]}`]);
          const summary = rows[0] ? (JSON.parse(rows[0].summary_json) as { resumedFromSweep: number | null }) : null;
          out.corruptRefused = summary !== null && summary.resumedFromSweep === null;
        }
        if (out.failure !== null && out.kind === 'disk') {
          const st = await store.all<{ status: string }>(`SELECT status FROM runs WHERE run_id = ?`, [out.runId]);
          if (st[0]?.status !== 'failed') out.note += ` run status ${st[0]?.status ?? 'missing'}`;
        }
      }
    } finally {
      store.close();
    }
  } finally {
    await stopWorker();
    await connection?.close();
    await server?.stop();
    await waitUntil(() => orphans(dbFile, storeDir, -1, -1).length === 0, 10_000);
    leftoverProcesses = orphans(dbFile, storeDir, -1, -1).length;
    unmount(artifacts);
    tmp.cleanup();
  }
  const totalSeconds = (Date.now() - started) / 1000;
  return { diskMode, referenceSeconds, totalSeconds, outcomes, leftoverProcesses, table: faultTable(outcomes, diskMode, referenceSeconds, totalSeconds, leftoverProcesses) };
}

export function faultTable(outcomes: TrialOutcome[], diskMode: string, refS: number, totalS: number, leftover: number): string {
  const lines: string[] = [];
  const pad = (s: string | number, n: number): string => String(s).padEnd(n);
  lines.push(`${pad('trial', 6)}${pad('fault', 8)}${pad('moment', 18)}${pad('injected', 9)}${pad('completed', 10)}${pad('identical', 10)}${pad('dup', 5)}${pad('orphRow', 8)}${pad('orphProc', 9)}${pad('sec', 7)}note`);
  for (const o of outcomes) {
    const extra = [
      o.kind === 'disk' && o.failure !== null ? `failed ${o.failedClearly ? 'clearly' : 'UNCLEARLY'}: "${o.failure.slice(0, 110)}" → resumed ${o.resumedRunId}` : '',
      o.corrupted ? `corrupt ${o.corrupted.split('/').slice(-2).join('/')} ${o.corruptRefused ? 'refused, chain restarted' : 'NOT REFUSED'}` : '',
      o.note,
    ].filter(Boolean).join('; ');
    lines.push(`${pad(o.trial, 6)}${pad(o.kind, 8)}${pad(momentText(o.moment), 18)}${pad(yes(o.injected), 9)}${pad(yes(o.completed), 10)}${pad(yes(o.identical), 10)}${pad(o.duplicates, 5)}${pad(o.orphanRows, 8)}${pad(o.orphanProcesses, 9)}${pad(o.seconds.toFixed(0), 7)}${extra}`);
  }
  const by = (k: FaultKind): string => `${k} ${outcomes.filter((o) => o.kind === k && o.injected).length}/${outcomes.filter((o) => o.kind === k).length}`;
  lines.push('');
  lines.push(`trials ${outcomes.length}; faults injected ${outcomes.filter((o) => o.injected).length} (${FAULT_KINDS.map(by).join(', ')}); ` +
    `completed ${outcomes.filter((o) => o.completed).length}; identical ${outcomes.filter((o) => o.identical).length}; ` +
    `duplicates ${outcomes.reduce((s, o) => s + o.duplicates, 0)}; orphan rows ${outcomes.reduce((s, o) => s + o.orphanRows, 0)}; ` +
    `orphan processes ${outcomes.reduce((s, o) => s + o.orphanProcesses, 0)} (after shutdown ${leftover})`);
  lines.push(`disk full by ${diskMode}; reference run ${refS.toFixed(1)} s; suite ${totalS.toFixed(0)} s`);
  return lines.join('\n');
}

const yes = (b: boolean): string => (b ? 'yes' : 'NO');
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const momentText = (m: Moment): string => (m.at === 'delay' ? `+${(m.ms / 1000).toFixed(1)}s` : `fold-${m.fold} sweep ${m.sweep}`);
const values = (r: StudyResult): unknown[] => r.metrics.map((m) => [m.scope, m.method, m.metric, m.value, m.se, m.n]);
const same = (a: unknown[], b: unknown[]): boolean => JSON.stringify(a) === JSON.stringify(b);

function rootMessage(e: Error): string {
  let cur: Error = e;
  while (cur.cause instanceof Error) cur = cur.cause;
  return cur.message;
}

const FILLER = '.fault-filler';

/** A real full disk needs a real small file system: root may mount a tmpfs (never skipped). */
function mountTmpfs(dir: string): void {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${TMPFS_SIZE}`, 'tmpfs', dir], { stdio: 'pipe' });
  } catch (e) {
    throw new Error(`the fault suite mounts a ${TMPFS_SIZE} tmpfs on ${dir} to fill it (needs root): ${(e as Error).message}`);
  }
}

function unmount(dir: string): void {
  for (let i = 0; i < 20; i++) {
    try {
      execFileSync('umount', [dir], { stdio: 'ignore' });
      return;
    } catch {
      execFileSync('sleep', ['0.5']);
    }
  }
  execFileSync('umount', ['-l', dir], { stdio: 'ignore' });
}

/** Write until the file system says ENOSPC: the next write anywhere on it fails. */
function fillDisk(dir: string): void {
  const fd = openSync(join(dir, FILLER), 'w');
  try {
    for (const size of [1 << 20, 4096, 1]) {
      const chunk = Buffer.alloc(size, 0xaa);
      for (;;) {
        try {
          writeSync(fd, chunk);
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code === 'ENOSPC') break;
          throw e;
        }
      }
    }
  } finally {
    closeSync(fd);
  }
}

function newestCheckpoint(dir: string): string | null {
  let best: { path: string; mtime: number } | null = null;
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.ckpt')) {
        const mtime = statSync(p).mtimeMs;
        if (!best || mtime > best.mtime) best = { path: p, mtime };
      }
    }
  };
  try {
    walk(dir);
  } catch {
    return null;
  }
  return (best as { path: string } | null)?.path ?? null;
}

/** Flip a few seeded bytes anywhere in the file (fingerprint, header, arrays or digest). */
function flipBytes(path: string, rnd: () => number): void {
  const bytes = readFileSync(path);
  for (let i = 0; i < 4; i++) {
    const at = Math.floor(rnd() * bytes.length);
    bytes[at] = bytes[at]! ^ 0xff;
  }
  writeFileSync(path, bytes);
}

interface Proc {
  pid: number;
  pgid: number;
  args: string;
}

function processes(): Proc[] {
  const out = execFileSync('ps', ['-eo', 'pid=,pgid=,args='], { encoding: 'utf8' });
  return out.split('\n').filter(Boolean).map((l) => {
    const m = /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(l)!;
    return { pid: Number(m[1]), pgid: Number(m[2]), args: m[3]! };
  });
}

/** The `temporal` process the watchdog shell (`watchdogPid`, its group leader) started. */
function serverProcess(watchdogPid: number, cli: string): number | null {
  const p = processes().find((x) => x.pgid === watchdogPid && x.pid !== watchdogPid && x.args.startsWith(cli));
  return p?.pid ?? null;
}

/** This suite's servers outside the live server's group, and workers other than the live one. */
function orphans(dbFile: string, storeDir: string, serverGroup: number, workerPid: number): Proc[] {
  return processes().filter((p) =>
    p.pid !== process.pid &&
    ((p.args.includes(dbFile) && p.pgid !== serverGroup) || (p.args.includes(`worker --store ${storeDir}`) && p.pid !== workerPid)));
}

async function duplicateGroups(store: Store, runId: string): Promise<number> {
  let n = 0;
  for (const [table, key] of DUP_KEYS) {
    const r = await store.all<{ n: bigint }>(`SELECT count(*) AS n FROM (SELECT ${key} FROM ${table} WHERE run_id = ? GROUP BY ALL HAVING count(*) > 1)`, [runId]);
    n += Number(r[0]!.n);
  }
  return n;
}

/** Rows of a run that hang off nothing: no `runs` row, effects without their fit, a run left 'running'. */
async function orphanRows(store: Store, runId: string): Promise<number> {
  let n = 0;
  const has = await store.all<{ n: bigint }>(`SELECT count(*) AS n FROM runs WHERE run_id = ?`, [runId]);
  if (Number(has[0]!.n) === 0) {
    for (const [table] of DUP_KEYS.slice(1)) {
      const r = await store.all<{ n: bigint }>(`SELECT count(*) AS n FROM ${table} WHERE run_id = ?`, [runId]);
      n += Number(r[0]!.n);
    }
    return n;
  }
  const eff = await store.all<{ n: bigint }>(
    `SELECT count(*) AS n FROM effects e WHERE e.run_id = ? AND NOT EXISTS (SELECT 1 FROM fits f WHERE f.run_id = e.run_id AND f.scope = e.scope)`, [runId]);
  n += Number(eff[0]!.n);
  const running = await store.all<{ n: bigint }>(`SELECT count(*) AS n FROM runs WHERE run_id = ? AND status = 'running'`, [runId]);
  n += Number(running[0]!.n);
  return n;
}
