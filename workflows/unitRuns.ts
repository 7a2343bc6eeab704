// The units of a study (folds of a cross-validation, training ancestries of a cross-ancestry
// study) each run as a child workflow: at most `execution.concurrency` at once, results in unit
// order, every unit's state shown by the progress query and its cache hits counted for the run.
import { runLimited } from './concurrency.js';
import type { StudyRun } from './studyRun.js';

export async function runUnits<T extends { cacheHits: number }>(
  run: StudyRun,
  scopes: readonly string[],
  child: (scope: string, index: number) => Promise<T>,
): Promise<T[]> {
  const results = await runLimited(
    scopes.map((scope, k) => async () => {
      run.unitState(scope, 'running');
      try {
        const r = await child(scope, k);
        run.unitState(scope, 'completed');
        return r;
      } catch (e) {
        run.unitState(scope, 'failed');
        throw e;
      }
    }),
    run.input.study.execution.concurrency,
  );
  run.ctx.hits.count += results.reduce((s, r) => s + r.cacheHits, 0);
  return results;
}
