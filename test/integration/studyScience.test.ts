// The science check of the study workflows (simulated truth, h² = 0.5, annotation-driven causal
// effects, ≥ 5,000 people): ten-fold CV R² of SBayesRC ≥ SBayesR on the same folds, both within
// reach of the true genetic values' R², and the cross-ancestry combination at least as good
// as the best single-ancestry score on the same test samples (EAS: 2,500 train its GWAS,
// 1,250 tune the mixing weights, 1,250 test).
import { readFileSync, writeFileSync } from 'node:fs';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { simulateStudy } from '../../core/simulate/simulateStudy.js';
import { Store } from '../../core/store/store.js';
import { parseSimulateOptions } from '../../config/simulate.js';
import type { StudyInput, StudyResult } from '../../contracts/study.js';
import { studyInputFor, writeStudyVariant } from '../helpers/studyFiles.js';
import { makeTmpDir } from '../helpers/tmp.js';
import { withStudyWorkers } from '../helpers/studyWorkers.js';
import { type LocalTemporal, startLocalTemporal } from '../helpers/localTemporal.js';
import type { SimulationSummary } from '../../contracts/simulate.js';

let env: TestWorkflowEnvironment;
let temporal: LocalTemporal | undefined;
let store: Store;
let tmp: { dir: string; cleanup: () => void };
let sim: SimulationSummary;

beforeAll(async () => {
  tmp = makeTmpDir('science');
  sim = await simulateStudy(
    parseSimulateOptions({ ancestries: ['EUR', 'EAS'], samples: [5000, 5000], refSamples: 1000, snps: 3000, blockSnps: 200, h2: 0.5, seed: 11 }),
    `${tmp.dir}/sim`,
  );
  temporal = await startLocalTemporal(tmp.dir, inject('temporalCli'));
  env = temporal.env;
  store = await Store.open(`${tmp.dir}/store`);
}, 300_000);

afterAll(async () => {
  store?.close();
  await temporal?.stop();
  tmp?.cleanup();
});

function input(file: string): StudyInput {
  const path = writeStudyVariant(`${tmp.dir}/sim`, file, file.replace(/\.json$/, '').replace(/-/g, '_'));
  const raw = JSON.parse(readFileSync(path, 'utf8')) as { sbayesrc?: object };
  writeFileSync(path, JSON.stringify({ ...raw, sbayesrc: { ...raw.sbayesrc, iterations: 1000, burnIn: 300 } }, null, 2));
  return studyInputFor(path, { computeTaskQueue: 'science-compute', artifactsDir: store.paths.artifacts });
}

const run = (type: 'crossValidationStudy' | 'crossAncestryStudy', file: string, id: string): Promise<StudyResult> =>
  withStudyWorkers(env, store, { store: 'science-store', compute: 'science-compute' }, () => env.client.workflow.execute(type, { workflowId: id, taskQueue: 'science-store', args: [input(file)] }));

const value = (r: StudyResult, scope: string, method: string, metric: string): number => {
  const m = r.metrics.find((x) => x.scope === scope && x.method === method && x.metric === metric);
  if (m?.value == null) throw new Error(`no ${metric} for ${scope}/${method}`);
  return m.value;
};

describe('study science (simulated truth)', () => {
  it('ten-fold CV: SBayesRC ≥ SBayesR on the same folds, both near the true-effect R²', async () => {
    const r = await run('crossValidationStudy', 'study.json', 'science-cv');
    const h2 = sim.cohorts.find((c) => c.ancestry === 'EUR')!.realisedH2;
    const rc = value(r, 'folds', 'SBayesRC', 'r2');
    const r0 = value(r, 'folds', 'SBayesR', 'r2');
    console.log(`science CV: realised h2 ${h2.toFixed(4)}; mean R² SBayesRC ${rc.toFixed(4)}, SBayesR ${r0.toFixed(4)}`);
    expect(rc).toBeGreaterThanOrEqual(r0);
    // The true genetic values explain h² of the phenotype; a GWAS of 4,500 on 3,000 SNPs gets most of it.
    for (const x of [rc, r0]) {
      expect(x).toBeGreaterThan(0.7 * h2);
      expect(x).toBeLessThan(h2 + 0.05);
    }
    expect(value(r, 'folds', 'SBayesRC', 'calibration_slope')).toBeGreaterThan(0.85);
    expect(value(r, 'folds', 'SBayesRC', 'calibration_slope')).toBeLessThan(1.15);
  }, 1_200_000);

  it('cross-ancestry: the combined score is at least as good as the best single-ancestry score', async () => {
    const r = await run('crossAncestryStudy', 'study-cross-ancestry.json', 'science-multi');
    const single = ['EUR', 'EAS'].map((a) => value(r, a, 'SBayesRC', 'r2'));
    const combined = value(r, 'combined', 'SBayesRC-multi', 'r2');
    console.log(`science cross-ancestry: test R² EUR ${single[0]!.toFixed(4)}, EAS ${single[1]!.toFixed(4)}, combined ${combined.toFixed(4)}`);
    expect(combined).toBeGreaterThanOrEqual(Math.max(...single));
  }, 1_200_000);
});
