// `pgsflow study resume RUN`: a new run of RUN's study file, re-read from disk, in RUN's store;
// steps whose inputs did not change are reused from RUN.
import { dirname } from 'node:path';
import { type WorkflowHandle, defaultPayloadConverter } from '@temporalio/client';
import type { StudyInput } from '../../contracts/study.js';
import { EXIT_FAILURE } from '../command.js';
import { startAndWatch } from './runStudy.js';
import { studyStatusOf } from './statusView.js';
import { type StudyCommandContext, describeStudy } from './studyCommandContext.js';
import { loadStudyFile } from './studyInput.js';

export async function resumeStudy(sc: StudyCommandContext, runId: string, detach: boolean): Promise<number> {
  const found = await describeStudy(sc, runId);
  if (!found) return EXIT_FAILURE;
  const { handle, desc } = found;
  if (studyStatusOf(desc.status.name) === 'running') {
    if (!sc.embedded) {
      sc.ctx.stderr(`pgsflow: run ${runId} is still running; watch it with \`pgsflow study status ${runId}\` (or cancel it first)\n`);
      return EXIT_FAILURE;
    }
  }
  const original = await originalInput(sc, handle);
  const file = await loadStudyFile(original.studyPath);
  if (studyStatusOf(desc.status.name) === 'running') {
    // Embedded server: nothing else can be serving it (we hold the store), so it was interrupted.
    await sc.call(() => handle.terminate(`interrupted; resumed by \`pgsflow study resume\``));
    sc.ctx.stderr(`run ${runId} was interrupted (embedded server stopped); terminated it, resuming as a new run\n`);
  }
  if (file.sha256 !== original.studySha256) sc.ctx.stderr(`note: ${file.path} changed since ${runId} started\n`);
  // In RUN's store (its artifacts folder's parent), where its finished steps are.
  // The original's exchange mode unless --artifacts says otherwise.
  return startAndWatch(sc, file, runId, detach, dirname(original.artifactsDir), sc.artifactExchange ?? original.artifactExchange);
}

/** The StudyInput a run was started with (first history event). */
async function originalInput(sc: StudyCommandContext, handle: WorkflowHandle): Promise<StudyInput> {
  const history = await sc.call(() => handle.fetchHistory());
  const payload = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
  if (!payload) throw new Error(`run ${handle.workflowId}: no start input in its history`);
  return defaultPayloadConverter.fromPayload<StudyInput>(payload);
}
