// `pgsflow study run|list|status|cancel|resume`: start a study workflow from a study file,
// watch it (progress per unit, live MCMC sweep from the fit heartbeat), and manage runs.
import { dirname } from 'node:path';
import {
  type WorkflowExecutionDescription,
  type WorkflowExecutionInfo,
  type WorkflowExecutionStatusName,
  type WorkflowHandle,
  WorkflowFailedError,
  WorkflowNotFoundError,
  defaultPayloadConverter,
} from '@temporalio/client';
import { CancelledFailure, TerminatedFailure, TimeoutFailure } from '@temporalio/common';
import { StoreLockedError } from '../../core/errors.js';
import { codeVersionString } from '../../core/provenance/codeVersion.js';
import { type EnvConfig, loadEnv } from '../../config/env.js';
import { STUDY_WORKFLOW_TYPES, type StudyInput, type StudyProgress, type StudyResult, studyProgressQuery, workflowTypeOfDesign } from '../../contracts/study.js';
import { type Command, type CommandContext, EXIT_FAILURE, EXIT_OK, type ParsedArgs, UsageError, intOpt, stringOpt } from '../command.js';
import { type Session, openSession } from '../session.js';
import { formatMetricsTable } from '../study/metricsTable.js';
import { type LiveFit, ProgressView, liveFitFromPending, renderProgress } from '../study/progressView.js';
import { makeRunId } from '../study/runId.js';
import { type StudyStatus, type StudyStatusJson, failureMessage, statusJson, studyStatusOf, temporalStatusWord } from '../study/statusView.js';
import { type StudyFile, buildStudyInput, chooseStoreDir, loadStudyFile } from '../study/studyInput.js';

const POLL_MS = 1_000;
const QUERY_TIMEOUT_MS = 5_000;
/** Say once that no progress came when nothing answered for this long (no worker?). */
const NO_PROGRESS_NOTE_MS = 20_000;
const DEFAULT_CANCEL_WAIT_S = 60;
const DEFAULT_LIST_LIMIT = 100;

const HELP = `Usage: pgsflow study run STUDY.json [--detach] [--json] [--store DIR] [--no-worker]
       pgsflow study resume RUN [--detach] [--json] [--store DIR] [--no-worker]
       pgsflow study status RUN [--json] [--store DIR]
       pgsflow study list [--json] [--limit ${DEFAULT_LIST_LIMIT}] [--store DIR]
       pgsflow study cancel RUN [--wait ${DEFAULT_CANCEL_WAIT_S}] [--json] [--store DIR]

A study (cross-validation or cross-ancestry, from the study file's design) runs as one durable
Temporal workflow whose id is the run id: <name>-<UTC YYYYMMDDTHHMMSSZ>-<4 hex>.

  run STUDY.json   validate the study file (paths relative to its folder), start the study,
                   print the run id and wait: one progress line per fold / training ancestry
                   (redrawn on a TTY, changed lines only otherwise) with the live MCMC sweep;
                   then the metrics table (exit 0) or the failure's root cause (exit 1).
                   Ctrl-C stops watching, not the study (see below).
  resume RUN       a new run of RUN's study file, re-read from disk (fix the inputs or the file
                   first); steps whose inputs did not change are reused from RUN. A run that is
                   still running is refused; a completed one is allowed (all cache hits).
  status RUN       running (with progress), completed (with metrics), failed or cancelled
                   (with the message); exit 0 if the run exists, 1 if not.
  list             study runs: run id, type, status, start and close time (newest first).
  cancel RUN       request cancellation, wait until the run has closed (at most --wait
                   seconds), print its final status.

  --detach         print the run id and return at once; needs TEMPORAL_ADDRESS (a cluster with
                   a \`pgsflow worker\` serving the store). Refused (exit 2) with the embedded
                   server, which lives only as long as this command.
  --json           print one JSON object { runId, status, progress, metrics } on stdout
                   (status: running | completed | failed | cancelled; metrics [] until
                   completed); \`list\`: an array of runs.
  --store DIR      store folder: for \`run\`, --store, else the study file's "store" (relative
                   to the file), else PGSFLOW_STORE or ./.pgsflow; otherwise --store, else
                   PGSFLOW_STORE or ./.pgsflow. With the embedded server the run history lives
                   in the store (temporal.sqlite): status/list/cancel/resume need the same store;
                   while a \`study run\` holds it, they use its server (<store>/temporal-server.json).
  --no-worker      (run, resume with TEMPORAL_ADDRESS) start no in-process worker: a
                   \`pgsflow worker\` already serves the store.
  --limit N        (list) at most N runs (default ${DEFAULT_LIST_LIMIT})
  --wait S         (cancel) seconds to wait for the run to close (default ${DEFAULT_CANCEL_WAIT_S})

Embedded server (TEMPORAL_ADDRESS unset): the study runs only while \`study run\` runs; Ctrl-C
stops it and \`study resume RUN\` continues it later (the interrupted run is terminated and a new
run reuses its finished steps). With TEMPORAL_ADDRESS, Ctrl-C only stops watching: the study goes
on on the cluster (\`study status RUN\` to look again).`;

type Sub = 'run' | 'resume' | 'status' | 'list' | 'cancel';

const ALLOWED: Record<Sub, { args: number; options: string[] }> = {
  run: { args: 1, options: ['detach', 'json', 'store', 'no-worker'] },
  resume: { args: 1, options: ['detach', 'json', 'store', 'no-worker'] },
  status: { args: 1, options: ['json', 'store'] },
  list: { args: 0, options: ['json', 'store', 'limit'] },
  cancel: { args: 1, options: ['json', 'store', 'wait'] },
};

/** Checks the subcommand, its arguments and which options it takes. */
export function parseStudyArgs(parsed: ParsedArgs): { sub: Sub; arg: string | undefined } {
  const [sub, ...args] = parsed.positionals;
  if (sub === undefined) throw new UsageError('study: expected a subcommand: run, resume, status, list or cancel');
  if (!(sub in ALLOWED)) throw new UsageError(`study: unknown subcommand '${sub}' (run, resume, status, list, cancel)`);
  const spec = ALLOWED[sub as Sub];
  if (args.length !== spec.args) {
    throw new UsageError(spec.args === 0 ? `study ${sub}: unexpected argument '${args[0]}'` : `study ${sub}: expected ${sub === 'run' ? 'STUDY.json' : 'RUN'}${args.length > 1 ? `, got '${args.join(' ')}'` : ''}`);
  }
  for (const [name, v] of Object.entries(parsed.values)) {
    if (v !== undefined && name !== 'help' && !spec.options.includes(name)) throw new UsageError(`study ${sub}: --${name} does not apply`);
  }
  return { sub: sub as Sub, arg: args[0] };
}

/** Whether a session needs an in-process worker; refuses what cannot work. */
export function planSession(sub: Sub, opts: { embedded: boolean; detach: boolean; noWorker: boolean }): { withWorker: boolean | 'unless-attached' } {
  if (opts.embedded && opts.detach) {
    throw new UsageError(`study ${sub}: --detach needs TEMPORAL_ADDRESS (the embedded server stops with this command); run \`pgsflow server\` and a \`pgsflow worker\`, or leave out --detach`);
  }
  if (opts.embedded && opts.noWorker) throw new UsageError(`study ${sub}: --no-worker needs TEMPORAL_ADDRESS (nothing else can serve the embedded server)`);
  if (sub === 'run' || sub === 'resume') return { withWorker: !opts.noWorker && !opts.detach };
  // Cancelling on the embedded server: a worker must process the request for the run to close:
  // ours when we start the server, else that of the command whose server we attach to.
  if (sub === 'cancel') return { withWorker: opts.embedded ? 'unless-attached' : false };
  return { withWorker: false };
}

export const studyCommand: Command = {
  name: 'study',
  summary: 'run, resume, watch, list and cancel studies (study run STUDY.json)',
  help: HELP,
  allowPositionals: true,
  options: {
    detach: { type: 'boolean' },
    json: { type: 'boolean' },
    store: { type: 'string' },
    'no-worker': { type: 'boolean' },
    limit: { type: 'string' },
    wait: { type: 'string' },
  },
  async run(parsed, ctx) {
    const { sub, arg } = parseStudyArgs(parsed);
    const env = loadEnv();
    const json = parsed.values.json === true;
    const detach = parsed.values.detach === true;
    const noWorker = parsed.values['no-worker'] === true;
    const embedded = env.temporalAddress === undefined;
    const limit = intOpt(parsed, 'limit', 1, 1_000_000) ?? DEFAULT_LIST_LIMIT;
    const waitS = intOpt(parsed, 'wait', 0, 86_400) ?? DEFAULT_CANCEL_WAIT_S;
    const plan = planSession(sub, { embedded, detach, noWorker });

    // `run` validates the study file before any server starts; its store may come from it.
    let file: StudyFile | undefined;
    let storeDir = chooseStoreDir(stringOpt(parsed, 'store'), undefined, env.store);
    if (sub === 'run') {
      file = await loadStudyFile(arg!);
      storeDir = chooseStoreDir(stringOpt(parsed, 'store'), file.study.store, env.store);
    }
    const log = (line: string): void => ctx.stderr(`${line}\n`);
    const session = await openSession({ env, storeDir, withWorker: plan.withWorker, log }).catch((e: unknown) => {
      if (e instanceof StoreLockedError && !embedded && (sub === 'run' || sub === 'resume')) {
        throw new StoreLockedError(`${e.message}\n(a \`pgsflow worker\` already serves this store? then add --no-worker)`);
      }
      throw e;
    });
    const calls = new Calls(session);
    const w: World = { session, call: (fn) => calls.run(fn), env, ctx, json, embedded, withWorker: session.worker, storeDir, interrupted: false };
    const release = ctx.onInterrupt(async () => {
      w.interrupted = true;
      if (w.watching) log(interruptAdvice(w, w.watching));
      calls.abortAll();
      await session.shutdown();
    });
    try {
      switch (sub) {
        case 'run':
          return await startAndWatch(w, file!, undefined, detach);
        case 'resume':
          return await resume(w, arg!, detach);
        case 'status':
          return await status(w, arg!);
        case 'list':
          return await list(w, limit);
        case 'cancel':
          return await cancel(w, arg!, waitS);
      }
    } finally {
      release();
      calls.abortAll();
      await session.shutdown();
    }
  },
};

/**
 * Client calls that can be cancelled before the session shuts down. One AbortController per
 * call: the SDK adds an abort listener per gRPC request and never removes it, so one signal
 * shared by a watch that polls every second would collect listeners without bound.
 */
class Calls {
  private readonly active = new Set<AbortController>();
  private aborted = false;
  constructor(private readonly session: Session) {}

  async run<T>(fn: () => Promise<T>): Promise<T> {
    const c = new AbortController();
    if (this.aborted) c.abort();
    this.active.add(c);
    try {
      return await this.session.client.connection.withAbortSignal(c.signal, fn);
    } finally {
      this.active.delete(c);
    }
  }

  abortAll(): void {
    this.aborted = true;
    for (const c of this.active) c.abort();
  }
}

interface World {
  session: Session;
  /** Run a client call so that Ctrl-C / shutdown cancels it. */
  call<T>(fn: () => Promise<T>): Promise<T>;
  env: EnvConfig;
  ctx: CommandContext;
  json: boolean;
  embedded: boolean;
  withWorker: boolean;
  storeDir: string;
  interrupted: boolean;
  /** The run being watched (for the Ctrl-C advice). */
  watching?: string;
}

function interruptAdvice(w: World, runId: string): string {
  if (w.embedded) {
    return `stopped watching ${runId}; the study stops with this command (embedded Temporal server). Continue it later with: pgsflow study resume ${runId}${storeFlag(w)}`;
  }
  const worker = w.withWorker ? ` once a worker serves task queue ${w.env.storeTaskQueue} (\`pgsflow worker\`)` : '';
  return `stopped watching ${runId}; the study goes on on ${w.session.address}${worker}. Watch it again with: pgsflow study status ${runId}`;
}

function storeFlag(w: World): string {
  return w.storeDir === chooseStoreDir(undefined, undefined, w.env.store) ? '' : ` --store ${w.storeDir}`;
}

async function startAndWatch(w: World, file: StudyFile, resumedFrom: string | undefined, detach: boolean, storeDir = w.storeDir): Promise<number> {
  const { session, env } = w;
  const input: StudyInput = buildStudyInput(file, { codeVersion: codeVersionString(), computeTaskQueue: env.computeTaskQueue, storeDir, ...(resumedFrom ? { resumedFrom } : {}) });
  const runId = makeRunId(file.study.name);
  const type = workflowTypeOfDesign(file.study.design.type);
  await w.call(() => session.client.workflow.start(type, { workflowId: runId, taskQueue: env.storeTaskQueue, args: [input] }));
  const where = session.uiUrl ? `Temporal UI ${session.uiUrl}` : `cluster ${session.address}`;
  w.ctx.stderr(`started ${type} ${runId}${resumedFrom ? ` (resuming ${resumedFrom})` : ''} from ${file.path} (sha256 ${file.sha256.slice(0, 12)}); ${where}\n`);
  if (w.embedded && storeFlag(w) !== '') w.ctx.stderr(`store ${w.storeDir}: pass --store ${w.storeDir} to study status/list/resume\n`);
  if (detach) {
    if (w.json) w.ctx.stdout(statusJson({ runId, status: 'running', progress: null, metrics: [], workflowType: type, resumedFrom: resumedFrom ?? null }));
    else w.ctx.stdout(`${runId}\n`);
    return EXIT_OK;
  }
  if (!w.json) w.ctx.stdout(`${runId}\n`);
  return watch(w, runId);
}

export type Settled = { ok: true; value: StudyResult } | { ok: false; error: unknown };

/** Wait for a run to close, drawing its progress; print the outcome. */
async function watch(w: World, runId: string): Promise<number> {
  const { session, ctx } = w;
  w.watching = runId;
  const handle = session.client.workflow.getHandle(runId);
  let settled: Settled | undefined;
  const done = w.call(() => handle.result()).then(
    (value) => void (settled = { ok: true, value: value as StudyResult }),
    (error: unknown) => void (settled = { ok: false, error }),
  );
  const tty = process.stderr.isTTY === true;
  const view = w.json && !tty ? undefined : new ProgressView(ctx.stderr, tty, () => process.stderr.columns);
  let progress: StudyProgress | null = null;
  const since = Date.now();
  let noted = false;
  while (settled === undefined && !w.interrupted) {
    const p = await queryProgress(w, handle);
    if (p && settled === undefined && !w.interrupted) {
      progress = p;
      view?.update(p, await liveFits(w, p));
    } else if (!w.withWorker && !progress && !noted && Date.now() - since > NO_PROGRESS_NOTE_MS) {
      noted = true;
      ctx.stderr(`no progress from ${runId} yet: is a \`pgsflow worker\` serving task queue ${w.env.storeTaskQueue} on ${session.address} (or is it busy)?\n`);
    }
    await Promise.race([done, new Promise((r) => setTimeout(r, POLL_MS))]);
  }
  await done;
  if (w.interrupted) return EXIT_FAILURE; // the CLI reports the interruption's own exit code
  const outcome = settled as Settled;
  const desc = await w.call(() => handle.describe()).catch(() => undefined);
  const temporalStatus: WorkflowExecutionStatusName = outcome.ok ? 'COMPLETED' : (desc?.status.name ?? 'FAILED');
  if (outcome.ok) {
    progress = (await queryProgress(w, handle, 3_000)) ?? progress;
    if (progress) view?.update(progress, new Map());
  }
  const report = outcomeReport(runId, temporalStatus, outcome, progress, desc?.type);
  return printOutcome(w, report);
}

export function outcomeReport(runId: string, temporalStatus: WorkflowExecutionStatusName, outcome: Settled, progress: StudyProgress | null, workflowType?: string): StudyStatusJson {
  const status: StudyStatus = outcome.ok ? 'completed' : studyStatusOf(temporalStatus === 'RUNNING' ? 'FAILED' : temporalStatus);
  const base = { runId, status, progress, temporalStatus, ...(workflowType ? { workflowType } : {}) };
  if (outcome.ok) {
    const r = outcome.value;
    return { ...base, metrics: r.metrics ?? [], resumedFrom: r.resumedFrom ?? null, cacheHits: r.cacheHits };
  }
  return { ...base, metrics: [], message: failureMessage(outcome.error instanceof WorkflowFailedError && outcome.error.cause ? outcome.error.cause : outcome.error) };
}

function printOutcome(w: World, r: StudyStatusJson): number {
  if (w.json) w.ctx.stdout(statusJson(r));
  else if (r.status === 'completed') {
    w.ctx.stdout(`run ${r.runId}: completed${r.cacheHits ? ` (${r.cacheHits} cached steps${r.resumedFrom ? ` from ${r.resumedFrom}` : ''})` : ''}\n`);
    w.ctx.stdout(formatMetricsTable(r.metrics));
  } else w.ctx.stderr(`run ${r.runId}: ${r.status === 'cancelled' ? 'cancelled' : `${temporalStatusWord(r.temporalStatus ?? 'FAILED')}`}: ${r.message ?? ''}\n`);
  return r.status === 'completed' ? EXIT_OK : EXIT_FAILURE;
}

async function queryProgress(w: World, handle: WorkflowHandle, timeoutMs = QUERY_TIMEOUT_MS): Promise<StudyProgress | undefined> {
  const { session } = w;
  try {
    return await w.call(() => session.client.connection.withDeadline(Date.now() + timeoutMs, () => handle.query(studyProgressQuery)));
  } catch {
    return undefined; // not answerable yet (first workflow task pending) or no worker: keep the last one
  }
}

/** The live MCMC state of each running unit, from its pending `fitSbayesrc` activity. */
async function liveFits(w: World, p: StudyProgress): Promise<Map<string, LiveFit>> {
  const { session } = w;
  const out = new Map<string, LiveFit>();
  await Promise.all(
    p.units
      .filter((u) => u.state === 'running' && u.workflowId)
      .map(async (u) => {
        try {
          const d = await w.call(() => session.client.workflow.getHandle(u.workflowId).describe());
          const live = liveFitFromPending(d.raw.pendingActivities);
          if (live) out.set(u.workflowId, live);
        } catch {
          // child not started yet, or already closed
        }
      }),
  );
  return out;
}

/** Describe a study run, or print why not (not found, not a study). */
async function describeStudy(w: World, runId: string): Promise<{ handle: WorkflowHandle; desc: WorkflowExecutionDescription } | undefined> {
  const { session, ctx } = w;
  const handle = session.client.workflow.getHandle(runId);
  try {
    const desc = await w.call(() => handle.describe());
    if (!(STUDY_WORKFLOW_TYPES as readonly string[]).includes(desc.type)) {
      ctx.stderr(`pgsflow: ${runId} is a ${desc.type} workflow, not a study run\n`);
      return undefined;
    }
    return { handle, desc };
  } catch (e) {
    if (e instanceof WorkflowNotFoundError || (e as { name?: string }).name === 'WorkflowNotFoundError') {
      const where = w.embedded ? `store ${w.storeDir}` : `${w.session.address} namespace ${w.session.namespace}`;
      ctx.stderr(`pgsflow: no study run '${runId}' (${where}); \`pgsflow study list\` shows the runs\n`);
      return undefined;
    }
    throw e;
  }
}

async function status(w: World, runId: string): Promise<number> {
  const found = await describeStudy(w, runId);
  if (!found) return EXIT_FAILURE;
  const { handle, desc } = found;
  const name = desc.status.name;
  const st = studyStatusOf(name);
  let report: StudyStatusJson;
  if (st === 'running') {
    if (w.embedded) {
      report = {
        runId, status: st, progress: null, metrics: [], temporalStatus: name, workflowType: desc.type,
        message: `interrupted: the embedded Temporal server stopped with the command that ran it; continue with \`pgsflow study resume ${runId}${storeFlag(w)}\``,
      };
    } else {
      const p = await queryProgress(w, handle);
      report = {
        runId, status: st, progress: p ?? null, metrics: [], temporalStatus: name, workflowType: desc.type,
        ...(p ? {} : { message: `no answer to the progress query within ${QUERY_TIMEOUT_MS / 1000} s: the worker is busy (a long step blocks it), or none serves task queue ${desc.taskQueue} (\`pgsflow worker\`)` }),
      };
      if (p && !w.json) {
        w.ctx.stdout(`run ${runId} (${desc.type}): running since ${isoSeconds(desc.startTime)}\n${renderProgress(p, await liveFits(w, p), false).slice(1).join('\n')}\n`);
        return EXIT_OK;
      }
    }
  } else {
    const outcome: Settled = await w.call(() => handle.result()).then(
      (value) => ({ ok: true as const, value: value as StudyResult }),
      (error: unknown) => ({ ok: false as const, error }),
    );
    report = outcomeReport(runId, name, outcome, null, desc.type);
  }
  if (w.json) w.ctx.stdout(statusJson(report));
  else {
    const closed = desc.closeTime ? `, closed ${isoSeconds(desc.closeTime)}` : '';
    w.ctx.stdout(`run ${runId} (${desc.type}): ${report.status === 'failed' && name !== 'FAILED' ? `failed (${temporalStatusWord(name)})` : report.status}, started ${isoSeconds(desc.startTime)}${closed}\n`);
    if (report.message) w.ctx.stdout(`  ${report.message}\n`);
    if (report.status === 'completed') w.ctx.stdout(formatMetricsTable(report.metrics));
  }
  return EXIT_OK;
}

export interface StudyRunRow {
  runId: string;
  type: string;
  status: StudyStatus;
  temporalStatus: WorkflowExecutionStatusName;
  startTime: string;
  closeTime: string | null;
}

export function runRow(i: Pick<WorkflowExecutionInfo, 'workflowId' | 'type' | 'status' | 'startTime' | 'closeTime'>): StudyRunRow {
  return {
    runId: i.workflowId,
    type: i.type,
    status: studyStatusOf(i.status.name),
    temporalStatus: i.status.name,
    startTime: isoSeconds(i.startTime),
    closeTime: i.closeTime ? isoSeconds(i.closeTime) : null,
  };
}

export function formatRunList(rows: readonly StudyRunRow[]): string {
  if (rows.length === 0) return '(no study runs)\n';
  const header = ['run id', 'type', 'status', 'started', 'closed'];
  const body = rows.map((r) => [r.runId, r.type, r.status, r.startTime, r.closeTime ?? '-']);
  const widths = header.map((h, c) => Math.max(h.length, ...body.map((b) => b[c]!.length)));
  return `${[header, ...body].map((cells) => cells.map((x, c) => x.padEnd(widths[c]!)).join('  ').trimEnd()).join('\n')}\n`;
}

function isoSeconds(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

async function list(w: World, limit: number): Promise<number> {
  const { session } = w;
  const collect = async (query: string | undefined): Promise<StudyRunRow[]> => {
    const rows: StudyRunRow[] = [];
    await w.call(async () => {
      for await (const info of session.client.workflow.list(query ? { query } : {})) {
        if (!(STUDY_WORKFLOW_TYPES as readonly string[]).includes(info.type)) continue;
        rows.push(runRow(info));
        if (rows.length >= limit) break;
      }
    });
    return rows;
  };
  let rows: StudyRunRow[];
  try {
    rows = await collect(`WorkflowType IN (${STUDY_WORKFLOW_TYPES.map((t) => `'${t}'`).join(', ')})`);
  } catch {
    rows = await collect(undefined); // a visibility store without that query: filter here
  }
  rows.sort((a, b) => (a.startTime < b.startTime ? 1 : a.startTime > b.startTime ? -1 : 0));
  w.ctx.stdout(w.json ? `${JSON.stringify(rows, null, 2)}\n` : formatRunList(rows));
  return EXIT_OK;
}

async function cancel(w: World, runId: string, waitS: number): Promise<number> {
  const found = await describeStudy(w, runId);
  if (!found) return EXIT_FAILURE;
  const { handle, desc } = found;
  if (studyStatusOf(desc.status.name) !== 'running') {
    w.ctx.stderr(`run ${runId} is already ${temporalStatusWord(desc.status.name)}; nothing to cancel\n`);
    return desc.status.name === 'CANCELLED' ? EXIT_OK : EXIT_FAILURE;
  }
  await w.call(() => handle.cancel());
  w.ctx.stderr(`cancellation of ${runId} requested; waiting up to ${waitS} s for it to close\n`);
  // Wait on the run's result, not by polling describe: when this command is attached to the
  // embedded server of the command running the study, that command ends with its study and its
  // server goes with it, possibly before a poll sees the close; the result arrives with the close.
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<null>((r) => (timer = setTimeout(() => r(null), waitS * 1000)));
  const closed = w.call(() => handle.result()).then(
    (): WorkflowExecutionStatusName => 'COMPLETED',
    (e: unknown): WorkflowExecutionStatusName | null => (e instanceof WorkflowFailedError ? closedStatusOf(e) : null),
  );
  let name: WorkflowExecutionStatusName = (await Promise.race([closed, timedOut])) ?? 'RUNNING';
  clearTimeout(timer);
  if (name === 'RUNNING' && !w.interrupted) name = (await w.call(() => handle.describe())).status.name;
  const st = studyStatusOf(name);
  if (w.json) w.ctx.stdout(statusJson({ runId, status: st, progress: null, metrics: [], temporalStatus: name, workflowType: desc.type }));
  else w.ctx.stdout(`run ${runId}: ${st === 'running' ? 'still running (cancellation requested, not yet processed by a worker)' : temporalStatusWord(name)}\n`);
  return st === 'running' ? EXIT_FAILURE : EXIT_OK;
}

/** How a run that failed to complete closed, from its result's failure. */
export function closedStatusOf(e: WorkflowFailedError): WorkflowExecutionStatusName {
  if (e.cause instanceof CancelledFailure) return 'CANCELLED';
  if (e.cause instanceof TerminatedFailure) return 'TERMINATED';
  if (e.cause instanceof TimeoutFailure) return 'TIMED_OUT';
  return 'FAILED';
}

/** The StudyInput a run was started with (first history event). */
async function originalInput(w: World, handle: WorkflowHandle): Promise<StudyInput> {
  const history = await w.call(() => handle.fetchHistory());
  const payload = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
  if (!payload) throw new Error(`run ${handle.workflowId}: no start input in its history`);
  return defaultPayloadConverter.fromPayload<StudyInput>(payload);
}

async function resume(w: World, runId: string, detach: boolean): Promise<number> {
  const found = await describeStudy(w, runId);
  if (!found) return EXIT_FAILURE;
  const { handle, desc } = found;
  if (studyStatusOf(desc.status.name) === 'running') {
    if (!w.embedded) {
      w.ctx.stderr(`pgsflow: run ${runId} is still running; watch it with \`pgsflow study status ${runId}\` (or cancel it first)\n`);
      return EXIT_FAILURE;
    }
  }
  const original = await originalInput(w, handle);
  const file = await loadStudyFile(original.studyPath);
  if (studyStatusOf(desc.status.name) === 'running') {
    // Embedded server: nothing else can be serving it (we hold the store), so it was interrupted.
    await w.call(() => handle.terminate(`interrupted; resumed by \`pgsflow study resume\``));
    w.ctx.stderr(`run ${runId} was interrupted (embedded server stopped); terminated it, resuming as a new run\n`);
  }
  if (file.sha256 !== original.studySha256) w.ctx.stderr(`note: ${file.path} changed since ${runId} started\n`);
  return startAndWatch(w, file, runId, detach, dirname(original.artifactsDir));
}
