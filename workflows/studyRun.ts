// What both study designs share: the run record (begin, finish as completed / failed /
// cancelled), the progress query with units updated by their children's signals, and the
// context their steps are cached in. The run id is the workflow id.
import { CancellationScope, isCancellation, setHandler, workflowInfo } from '@temporalio/workflow';
import type { StepContext } from './stepCache.js';
import { storeProxies } from './activityProxies.js';
import { type StudyInput, type StudyProgress, type StudyResult, type UnitProgress, studyProgressQuery, unitStepSignal } from '../contracts/study.js';
import type { MetricRow } from '../contracts/evaluation.js';

export interface StudyRun {
  runId: string;
  input: StudyInput;
  ctx: StepContext;
  progress: StudyProgress;
  setUnits(units: UnitProgress[]): void;
  unitState(scope: string, state: UnitProgress['state']): void;
}

export async function runStudy(input: StudyInput, body: (run: StudyRun) => Promise<MetricRow[]>): Promise<StudyResult> {
  const info = workflowInfo();
  const runId = info.workflowId;
  const design = input.study.design.type;
  const store = storeProxies(input.heartbeatTimeout);
  const ctx: StepContext = { runId, codeVersion: input.codeVersion, resumedFrom: input.resumedFrom, store, hits: { count: 0 } };
  const progress: StudyProgress = { runId, design, step: 'starting', units: [], cacheHits: 0 };
  setHandler(studyProgressQuery, () => ({ ...progress, cacheHits: ctx.hits.count }));
  setHandler(unitStepSignal, (p) => {
    const u = progress.units.find((x) => x.scope === p.scope);
    if (u) Object.assign(u, { step: p.step, done: p.done, steps: p.steps });
  });
  const run: StudyRun = {
    runId,
    input,
    ctx,
    progress,
    setUnits: (units) => {
      progress.units = units;
    },
    unitState: (scope, state) => {
      const u = progress.units.find((x) => x.scope === scope);
      if (!u) return;
      u.state = state;
      // The child's last progress signal may not arrive before its result does.
      if (state === 'completed') Object.assign(u, { step: 'done', done: u.steps });
    },
  };

  progress.step = 'record';
  await store.beginRun({
    runId,
    name: input.study.name,
    design,
    studyJson: input.studyText,
    studySha256: input.studySha256,
    codeVersion: input.codeVersion,
    temporalRunId: info.runId,
    ...(input.resumedFrom !== undefined ? { resumedFrom: input.resumedFrom } : {}),
    studyPath: input.studyPath,
  });
  try {
    const metrics = await body(run);
    progress.step = 'record';
    await store.finishRun({ runId, status: 'completed', summary: { metrics, cacheHits: ctx.hits.count } });
    // Parent and children's histories into the store: the audit outlives Temporal's retention.
    progress.step = 'archive';
    await store.archiveHistories({ runId });
    progress.step = 'done';
    return { runId, name: input.study.name, design, status: 'completed', resumedFrom: input.resumedFrom ?? null, metrics, cacheHits: ctx.hits.count };
  } catch (e) {
    const cancelled = isCancellation(e);
    const message = e instanceof Error ? rootMessage(e) : String(e);
    // Recorded even when the study was cancelled: the store must not show it running forever.
    await CancellationScope.nonCancellable(async () => {
      await store.finishRun({ runId, status: cancelled ? 'cancelled' : 'failed', summary: { error: message, step: progress.step, cacheHits: ctx.hits.count } });
      try {
        await store.archiveHistories({ runId });
      } catch {
        // The study's own failure is what the caller must see, not the archive's.
      }
    });
    throw e;
  }
}

/** The innermost cause's message (an activity failure wraps the domain error). */
function rootMessage(e: Error): string {
  let cur: Error = e;
  while (cur.cause instanceof Error) cur = cur.cause;
  return cur.message;
}
