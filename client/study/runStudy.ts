// `pgsflow study run` (and the new run of `resume`): start a study workflow from a study file,
// watch it (progress per unit, live MCMC sweep) until it closes, print the metrics or the failure.
import { type WorkflowExecutionStatusName, WorkflowFailedError } from '@temporalio/client';
import { codeVersionString } from '../../core/provenance/codeVersion.js';
import { type StudyInput, type StudyProgress, type StudyResult, workflowTypeOfDesign } from '../../contracts/study.js';
import { EXIT_FAILURE, EXIT_OK } from '../command.js';
import { formatMetricsTable } from './metricsTable.js';
import { formatNonlinearComparison } from './nonlinearSummary.js';
import { ProgressView } from './progressView.js';
import { makeRunId } from './runId.js';
import { type StudyStatus, type StudyStatusJson, failureMessage, statusJson, studyStatusOf, temporalStatusWord } from './statusView.js';
import { type StudyCommandContext, liveFits, queryProgress, storeFlag } from './studyCommandContext.js';
import { type StudyFile, buildStudyInput } from './studyInput.js';

const POLL_MS = 1_000;
/** Say once that no progress came when nothing answered for this long (no worker?). */
const NO_PROGRESS_NOTE_MS = 20_000;

/** Start a run of `file` (resuming `resumedFrom` if given) and, unless detached, watch it to the end. */
export async function startAndWatch(sc: StudyCommandContext, file: StudyFile, resumedFrom: string | undefined, detach: boolean, storeDir = sc.storeDir, exchange = sc.artifactExchange): Promise<number> {
  const { session, env } = sc;
  const input: StudyInput = buildStudyInput(file, { codeVersion: codeVersionString(), computeTaskQueue: env.computeTaskQueue, mlTaskQueue: env.mlTaskQueue, storeDir, ...(resumedFrom ? { resumedFrom } : {}), ...(exchange ? { artifactExchange: exchange } : {}) });
  const runId = makeRunId(file.study.name);
  const type = workflowTypeOfDesign(file.study.design.type);
  await sc.call(() => session.client.workflow.start(type, { workflowId: runId, taskQueue: env.storeTaskQueue, args: [input] }));
  const where = session.uiUrl ? `Temporal UI ${session.uiUrl}` : `cluster ${session.address}`;
  sc.ctx.stderr(`started ${type} ${runId}${resumedFrom ? ` (resuming ${resumedFrom})` : ''} from ${file.path} (sha256 ${file.sha256.slice(0, 12)}); ${where}\n`);
  if (sc.embedded && storeFlag(sc) !== '') sc.ctx.stderr(`store ${sc.storeDir}: pass --store ${sc.storeDir} to study status/list/resume\n`);
  if (detach) {
    if (sc.json) sc.ctx.stdout(statusJson({ runId, status: 'running', progress: null, metrics: [], workflowType: type, resumedFrom: resumedFrom ?? null }));
    else sc.ctx.stdout(`${runId}\n`);
    return EXIT_OK;
  }
  if (!sc.json) sc.ctx.stdout(`${runId}\n`);
  return watch(sc, runId);
}

export type Settled = { ok: true; value: StudyResult } | { ok: false; error: unknown };

/** Wait for a run to close, drawing its progress; print the outcome. */
async function watch(sc: StudyCommandContext, runId: string): Promise<number> {
  const { session, ctx } = sc;
  sc.watching = runId;
  const handle = session.client.workflow.getHandle(runId);
  let settled: Settled | undefined;
  const done = sc.call(() => handle.result()).then(
    (value) => void (settled = { ok: true, value: value as StudyResult }),
    (error: unknown) => void (settled = { ok: false, error }),
  );
  const tty = process.stderr.isTTY === true;
  const view = sc.json && !tty ? undefined : new ProgressView(ctx.stderr, tty, () => process.stderr.columns);
  let progress: StudyProgress | null = null;
  const since = Date.now();
  let noted = false;
  while (settled === undefined && !sc.interrupted) {
    const p = await queryProgress(sc, handle);
    if (p && settled === undefined && !sc.interrupted) {
      progress = p;
      view?.update(p, await liveFits(sc, p));
    } else if (!sc.withWorker && !progress && !noted && Date.now() - since > NO_PROGRESS_NOTE_MS) {
      noted = true;
      ctx.stderr(`no progress from ${runId} yet: is a \`pgsflow worker\` serving task queue ${sc.env.storeTaskQueue} on ${session.address} (or is it busy)?\n`);
    }
    await Promise.race([done, new Promise((r) => setTimeout(r, POLL_MS))]);
  }
  await done;
  if (sc.interrupted) return EXIT_FAILURE; // the CLI reports the interruption's own exit code
  const outcome = settled as Settled;
  const desc = await sc.call(() => handle.describe()).catch(() => undefined);
  const temporalStatus: WorkflowExecutionStatusName = outcome.ok ? 'COMPLETED' : (desc?.status.name ?? 'FAILED');
  if (outcome.ok) {
    progress = (await queryProgress(sc, handle, 3_000)) ?? progress;
    if (progress) view?.update(progress, new Map());
  }
  const report = outcomeReport(runId, temporalStatus, outcome, progress, desc?.type);
  return printOutcome(sc, report);
}

/** The report of a closed run, from its result or failure (also what `study status` prints for one). */
export function outcomeReport(runId: string, temporalStatus: WorkflowExecutionStatusName, outcome: Settled, progress: StudyProgress | null, workflowType?: string): StudyStatusJson {
  const status: StudyStatus = outcome.ok ? 'completed' : studyStatusOf(temporalStatus === 'RUNNING' ? 'FAILED' : temporalStatus);
  const base = { runId, status, progress, temporalStatus, ...(workflowType ? { workflowType } : {}) };
  if (outcome.ok) {
    const r = outcome.value;
    return { ...base, metrics: r.metrics ?? [], resumedFrom: r.resumedFrom ?? null, cacheHits: r.cacheHits };
  }
  return { ...base, metrics: [], message: failureMessage(outcome.error instanceof WorkflowFailedError && outcome.error.cause ? outcome.error.cause : outcome.error) };
}

function printOutcome(sc: StudyCommandContext, r: StudyStatusJson): number {
  if (sc.json) sc.ctx.stdout(statusJson(r));
  else if (r.status === 'completed') {
    sc.ctx.stdout(`run ${r.runId}: completed${r.cacheHits ? ` (${r.cacheHits} cached steps${r.resumedFrom ? ` from ${r.resumedFrom}` : ''})` : ''}\n`);
    sc.ctx.stdout(formatMetricsTable(r.metrics));
    if (r.metrics.some((m) => m.method.includes(':'))) {
      sc.ctx.stdout(`\n${formatNonlinearComparison(r.metrics, r.metrics.some((m) => m.metric === 'delta_auc') ? 'binary' : 'quantitative')}`);
    }
  } else sc.ctx.stderr(`run ${r.runId}: ${r.status === 'cancelled' ? 'cancelled' : `${temporalStatusWord(r.temporalStatus ?? 'FAILED')}`}: ${r.message ?? ''}\n`);
  return r.status === 'completed' ? EXIT_OK : EXIT_FAILURE;
}
