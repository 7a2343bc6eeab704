// A child pipeline's progress: answered by its own `unitProgress` query and pushed to the parent
// study as a signal on each step change (a few signals per unit keep the parent's history small).
import { getExternalWorkflowHandle, setHandler, workflowInfo } from '@temporalio/workflow';
import { type UnitPipelineProgress, unitProgressQuery, unitStepSignal } from '../contracts/study.js';

export function unitReporter(scope: string, steps: number): (step: string, done: number) => void {
  const progress: UnitPipelineProgress = { scope, step: 'starting', done: 0, steps };
  setHandler(unitProgressQuery, () => progress);
  const parent = workflowInfo().parent;
  const parentHandle = parent ? getExternalWorkflowHandle(parent.workflowId, parent.runId) : undefined;
  return (step, done) => {
    progress.step = step;
    progress.done = done;
    // Fire and forget: a lost progress signal (parent closing) must not fail the unit.
    parentHandle?.signal(unitStepSignal, { ...progress }).catch(() => undefined);
  };
}
