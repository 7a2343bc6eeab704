// `pgsflow study cancel RUN`: request cancellation, wait (at most --wait seconds) for the run to
// close, print its final status.
import { type WorkflowExecutionStatusName, WorkflowFailedError } from '@temporalio/client';
import { CancelledFailure, TerminatedFailure, TimeoutFailure } from '@temporalio/common';
import { EXIT_FAILURE, EXIT_OK } from '../command.js';
import { statusJson, studyStatusOf, temporalStatusWord } from './statusView.js';
import { type StudyCommandContext, describeStudy } from './studyCommandContext.js';

/** Exit 0 if the run is closed now (or was cancelled before); 1 if it still runs or had closed otherwise. */
export async function cancelStudy(sc: StudyCommandContext, runId: string, waitS: number): Promise<number> {
  const found = await describeStudy(sc, runId);
  if (!found) return EXIT_FAILURE;
  const { handle, desc } = found;
  if (studyStatusOf(desc.status.name) !== 'running') {
    sc.ctx.stderr(`run ${runId} is already ${temporalStatusWord(desc.status.name)}; nothing to cancel\n`);
    return desc.status.name === 'CANCELLED' ? EXIT_OK : EXIT_FAILURE;
  }
  await sc.call(() => handle.cancel());
  sc.ctx.stderr(`cancellation of ${runId} requested; waiting up to ${waitS} s for it to close\n`);
  // Wait on the run's result, not by polling describe: when this command is attached to the
  // embedded server of the command running the study, that command ends with its study and its
  // server goes with it, possibly before a poll sees the close; the result arrives with the close.
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<null>((r) => (timer = setTimeout(() => r(null), waitS * 1000)));
  const closed = sc.call(() => handle.result()).then(
    (): WorkflowExecutionStatusName => 'COMPLETED',
    (e: unknown): WorkflowExecutionStatusName | null => (e instanceof WorkflowFailedError ? closedStatusOf(e) : null),
  );
  let name: WorkflowExecutionStatusName = (await Promise.race([closed, timedOut])) ?? 'RUNNING';
  clearTimeout(timer);
  if (name === 'RUNNING' && !sc.interrupted) name = (await sc.call(() => handle.describe())).status.name;
  const st = studyStatusOf(name);
  if (sc.json) sc.ctx.stdout(statusJson({ runId, status: st, progress: null, metrics: [], temporalStatus: name, workflowType: desc.type }));
  else sc.ctx.stdout(`run ${runId}: ${st === 'running' ? 'still running (cancellation requested, not yet processed by a worker)' : temporalStatusWord(name)}\n`);
  return st === 'running' ? EXIT_FAILURE : EXIT_OK;
}

/** How a run that failed to complete closed, from its result's failure. */
export function closedStatusOf(e: WorkflowFailedError): WorkflowExecutionStatusName {
  if (e.cause instanceof CancelledFailure) return 'CANCELLED';
  if (e.cause instanceof TerminatedFailure) return 'TERMINATED';
  if (e.cause instanceof TimeoutFailure) return 'TIMED_OUT';
  return 'FAILED';
}
