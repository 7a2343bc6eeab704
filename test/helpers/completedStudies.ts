// A store holding two small completed studies (3-fold cross-validation with the SBayesR baseline,
// and a cross-ancestry EUR+EAS study), run by the real workflows on a dev server, for tests that
// read results (report, exports). Same pattern and settings as studyWorkflow.test.ts (~20 s).
import { Worker } from '@temporalio/worker';
import { simulateStudy } from '../../core/simulate/simulateStudy.js';
import { Store } from '../../core/store/store.js';
import { parseSimulateOptions } from '../../config/simulate.js';
import type { StudyFileInput } from '../../config/study.js';
import { makeComputeActivities, makeStoreActivities, workflowBundle } from '../../worker/workers.js';
import { crossAncestryStudy } from '../../workflows/crossAncestryStudy.js';
import { crossValidationStudy } from '../../workflows/crossValidationStudy.js';
import type { StudyInput } from '../../contracts/study.js';
import { studyInputFor, writeStudyVariant } from './studyFiles.js';
import { startLocalTemporal } from './localTemporal.js';

export const CV_RUN = 'cv-report';
export const MULTI_RUN = 'multi-report';

/** Runs both studies into `<dir>/store` and closes everything; the store is left closed. */
export async function makeCompletedStudies(dir: string, temporalCli: string): Promise<string> {
  const simDir = `${dir}/sim`;
  await simulateStudy(parseSimulateOptions({ ancestries: ['EUR', 'EAS'], samples: [3000, 1500], refSamples: 400, snps: 1000, blockSnps: 100, seed: 5 }), simDir);
  const temporal = await startLocalTemporal(dir, temporalCli);
  const env = temporal.env;
  const storeDir = `${dir}/store`;
  const store = await Store.open(storeDir);
  try {
    const small = { iterations: 150, burnIn: 50, checkpointEvery: 20 };
    const file = (name: string, base: string, patch: Partial<StudyFileInput>): string => writeStudyVariant(simDir, base, name, patch);
    const input = (path: string): StudyInput => studyInputFor(path, { computeTaskQueue: 'report-compute', artifactsDir: store.paths.artifacts });
    const cvPath = file('cv_small', 'study.json', { design: { type: 'cross-validation', folds: 3, ancestry: 'EUR' }, sbayesrc: { ...small, baseline: true } });
    const multiPath = file('multi_small', 'study-cross-ancestry.json', { sbayesrc: small });
    const storeWorker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue: 'report-store',
      workflowBundle: await workflowBundle(),
      activities: makeStoreActivities(store),
    });
    const computeWorker = await Worker.create({ connection: env.nativeConnection, taskQueue: 'report-compute', activities: makeComputeActivities(), maxConcurrentActivityTaskExecutions: 2 });
    await storeWorker.runUntil(
      computeWorker.runUntil(async () => {
        await env.client.workflow.execute(crossValidationStudy, { workflowId: CV_RUN, taskQueue: 'report-store', args: [input(cvPath)] });
        await env.client.workflow.execute(crossAncestryStudy, { workflowId: MULTI_RUN, taskQueue: 'report-store', args: [input(multiPath)] });
      }),
    );
  } finally {
    store.close();
    await temporal.stop();
  }
  return storeDir;
}
