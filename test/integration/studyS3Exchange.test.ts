// Both study designs in S3 mode against a real S3 server (SeaweedFS) and the dev server, with the
// workers in this process: every compute call's inputs published to the bucket, run on the compute
// worker's mirror, outputs fetched back. The numbers equal the same study in file mode; the
// cross-ancestry study (summary weighting: LD panels built from reference genotypes, the in-silico
// split, the half fit, the mixing weights) covers every compute activity a study uses.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { readdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { SeaweedS3 } from '../../client/seaweedfsServer.js';
import { S3ArtifactStore } from '../../core/artifacts/s3ArtifactStore.js';
import { simulateStudy } from '../../core/simulate/simulateStudy.js';
import { Store } from '../../core/store/store.js';
import { parseSimulateOptions } from '../../config/simulate.js';
import type { StudyFileInput } from '../../config/study.js';
import type { StudyResult } from '../../contracts/study.js';
import { type LocalTemporal, startLocalTemporal } from '../helpers/localTemporal.js';
import { s3OptionsFor, startTestS3 } from '../helpers/seaweedS3.js';
import { values } from '../helpers/studyObservation.js';
import { studyInputFor, writeStudyVariant } from '../helpers/studyFiles.js';
import { type TestExchange, withStudyWorkers } from '../helpers/studyWorkers.js';
import { makeTmpDir } from '../helpers/tmp.js';

const BUCKET = 'pgsflow-exchange';
const SMALL_FIT = { iterations: 150, burnIn: 50, checkpointEvery: 20 };

let tmp: { dir: string; cleanup: () => void };
let simDir: string;
let temporal: LocalTemporal | undefined;
let env: TestWorkflowEnvironment;
let s3: SeaweedS3 | undefined;
let fileStore: Store;
let s3Store: Store;

beforeAll(async () => {
  tmp = makeTmpDir('s3study');
  simDir = `${tmp.dir}/sim`;
  await simulateStudy(parseSimulateOptions({ ancestries: ['EUR', 'EAS'], samples: [3000, 1500], refSamples: 400, snps: 1000, blockSnps: 100, seed: 5 }), simDir);
  s3 = await startTestS3(`${tmp.dir}/s3`, [BUCKET]);
  temporal = await startLocalTemporal(tmp.dir, inject('temporalCli'));
  env = temporal.env;
  fileStore = await Store.open(`${tmp.dir}/store-file`);
  s3Store = await Store.open(`${tmp.dir}/store-s3`);
}, 300_000);

afterAll(async () => {
  fileStore?.close();
  s3Store?.close();
  await temporal?.stop();
  await s3?.stop();
  tmp?.cleanup();
});

async function run(workflow: 'crossValidationStudy' | 'crossAncestryStudy', id: string, base: 'study.json' | 'study-cross-ancestry.json', patch: Partial<StudyFileInput>, mode: 'file' | 's3'): Promise<StudyResult> {
  const store = mode === 's3' ? s3Store : fileStore;
  const path = writeStudyVariant(simDir, base, id.replaceAll('-', '_'), patch);
  const input = { ...studyInputFor(path, { computeTaskQueue: `${id}-compute`, artifactsDir: store.paths.artifacts }), ...(mode === 's3' ? { artifactExchange: 's3' as const } : {}) };
  const exchange: TestExchange | undefined = mode === 's3' ? { artifacts: new S3ArtifactStore(BUCKET, id, s3OptionsFor(s3!)), cacheDir: `${tmp.dir}/cache-${id}` } : undefined;
  return withStudyWorkers(env, store, { store: `${id}-store`, compute: `${id}-compute` }, () => env.client.workflow.execute(workflow, { workflowId: id, taskQueue: `${id}-store`, args: [input] }), exchange);
}

describe('studies in S3 mode (workers in this process, SeaweedFS)', () => {
  it('a cross-ancestry study with summary weights gives the file-mode numbers, every compute file through the bucket', async () => {
    const raw = { sbayesrc: SMALL_FIT, design: { type: 'cross-ancestry', train: ['EUR', 'EAS'], target: 'EAS', weighting: 'summary' } } as Partial<StudyFileInput>;
    const viaFile = await run('crossAncestryStudy', 'xa-file', 'study-cross-ancestry.json', raw, 'file');
    const viaS3 = await run('crossAncestryStudy', 'xa-s3', 'study-cross-ancestry.json', raw, 's3');
    expect(viaS3.status).toBe('completed');
    expect(values(viaS3)).toEqual(values(viaFile));
    expect(viaS3.metrics.some((m) => m.method === 'SBayesRC-multi' && m.metric === 'r2')).toBe(true);
    // Summary weighting ran (its comparison with the tuning-sample weights is reported beside it).
    expect(viaS3.metrics.some((m) => m.method === 'SBayesRC-multi-tuning')).toBe(true);
    // The compute worker worked on its mirror of the store host's paths, from the bucket.
    const mirrored = readdirSync(`${tmp.dir}/cache-xa-s3/fs${s3Store.paths.artifacts}/runs`);
    expect(mirrored).toContain('xa-s3');
    const keys = await new S3ArtifactStore(BUCKET, 'xa-s3', s3OptionsFor(s3!)).list();
    expect(keys.length).toBeGreaterThan(20);
    expect(keys.every((k) => /^sha256\/[0-9a-f]{64}$/.test(k))).toBe(true);
  }, 900_000);
});
