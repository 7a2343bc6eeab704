// Worker bootstrap: one process serves both task queues. The store queue owns the DuckDB
// store (and runs the workflows); the compute queue runs pure numerics on artifacts and
// can be scaled out on other machines sharing the artifact folder: `createComputeWorker`
// alone is `pgsflow worker --compute-only`, which opens no store at all.
import { fileURLToPath } from 'node:url';
import { NativeConnection, Worker, type WorkflowBundleWithSourceMap, bundleWorkflowCode } from '@temporalio/worker';
import { ComputeExchange, makeArtifactExchangeActivities } from '../activities/artifactExchange.js';
import { type AuditActivityOptions, makeAuditActivities } from '../activities/audit.js';
import { makeFingerprintActivities } from '../activities/fingerprint.js';
import { makeFitActivities } from '../activities/fitSbayesrc.js';
import { makeFoldGwasActivities } from '../activities/foldGwas.js';
import { makeImputeActivities } from '../activities/impute.js';
import { makeIngestActivities } from '../activities/ingest.js';
import { withKeepAlive } from '../activities/keepAlive.js';
import { makeLdEigenActivities } from '../activities/ldEigen.js';
import { makeNonlinearActivities } from '../activities/nonlinear.js';
import { makeQcActivities } from '../activities/qc.js';
import { makeRecordFitActivities } from '../activities/recordFit.js';
import { makeRunActivities } from '../activities/runs.js';
import { makeScoreActivities } from '../activities/score.js';
import { makeSimulateActivities } from '../activities/simulate.js';
import { makeStepStartActivities } from '../activities/stepStart.js';
import { makeStudyStoreActivities } from '../activities/studyStore.js';
import { makeSummaryWeightingActivities } from '../activities/summaryWeighting.js';
import type { ComputeActivities, StoreActivities } from '../contracts/activities.js';
import type { ArtifactStore } from '../core/artifacts/artifactStore.js';
import type { Store } from '../core/store/store.js';
import { guardArtifactFolder } from './artifactFolderGuard.js';
import type { TemporalConnectionOptions } from './connectionOptions.js';

export const WORKFLOWS_PATH = fileURLToPath(new URL('../workflows/index.ts', import.meta.url));

export interface WorkerOptions {
  connection: NativeConnection;
  namespace: string;
  storeTaskQueue: string;
  computeTaskQueue: string;
  store: Store;
  /** Pre-built bundle (tests reuse one); built from WORKFLOWS_PATH otherwise. */
  workflowBundle?: WorkflowBundleWithSourceMap;
  /** Concurrent compute activities (default 2). */
  maxConcurrentComputeActivities?: number;
  /**
   * A connection of its own for `archiveHistories` to fetch histories with; unset, it uses the
   * worker's client (same connection and namespace).
   */
  archiveConnection?: TemporalConnectionOptions;
  /** S3 mode: the artifact store compute workers on other hosts exchange files through. */
  artifacts?: ArtifactStore;
  /** S3 mode for this process's own compute worker (the combined `pgsflow worker`). */
  exchange?: { artifacts: ArtifactStore; cacheDir: string };
}

export interface ComputeWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  computeTaskQueue: string;
  /** Concurrent compute activities (default 2). */
  maxConcurrentActivities?: number;
  /**
   * The artifacts folder as this host sees it (`--artifacts DIR`, file mode): activities whose
   * outputs lie elsewhere are refused (worker/artifactFolderGuard.ts). Unset: no check.
   */
  artifactsDir?: string;
  /** Worker identity in Temporal's history (default the SDK's pid@host). */
  identity?: string;
  /** S3 mode: the artifact store and the local folder mirroring the store host's files. */
  exchange?: { artifacts: ArtifactStore; cacheDir: string };
}

/**
 * What the store queue serves (the implementations of the workflows' `storeProxies`);
 * `artifacts`: the artifact store compute workers exchange files through (S3 mode), if any.
 */
export function makeStoreActivities(store: Store, audit: AuditActivityOptions = {}, artifacts: ArtifactStore | null = null): StoreActivities {
  return withKeepAlive({ ...makeFingerprintActivities(), ...makeArtifactExchangeActivities(artifacts), ...makeRunActivities(store), ...makeStepStartActivities(store), ...makeAuditActivities(store, audit), ...makeIngestActivities(store), ...makeFoldGwasActivities(store), ...makeScoreActivities(store), ...makeQcActivities(store), ...makeRecordFitActivities(store), ...makeStudyStoreActivities(store), ...makeNonlinearActivities(store) });
}

/** What the compute queue serves (the workflows' `computeProxies`); `exchange`: S3 mode, every activity on its mirror. */
export function makeComputeActivities(exchange: ComputeExchange | null = null): ComputeActivities {
  const activities: ComputeActivities = {
    ...makeFingerprintActivities(),
    ...makeSimulateActivities(),
    ...makeImputeActivities(),
    ...makeLdEigenActivities(),
    ...makeFitActivities(exchange ? { checkpointWritten: (path) => exchange.publishCheckpoint(path) } : {}),
    ...makeSummaryWeightingActivities(),
  };
  return exchange ? exchange.wrap(activities as unknown as Record<string, (...args: never[]) => Promise<unknown>>) as unknown as ComputeActivities : activities;
}

let bundlePromise: Promise<WorkflowBundleWithSourceMap> | undefined;

/** Bundle the workflow code once per process (webpack takes a few seconds). */
export function workflowBundle(): Promise<WorkflowBundleWithSourceMap> {
  bundlePromise ??= bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: quietBundlerLogger });
  return bundlePromise;
}

const quietBundlerLogger = {
  log: () => undefined,
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: (message: string) => console.warn(message),
  error: (message: string) => console.error(message),
};

/** The compute queue's worker: activities on files, no store, no workflows. */
export async function createComputeWorker(opts: ComputeWorkerOptions): Promise<Worker> {
  const activities = makeComputeActivities(opts.exchange ? new ComputeExchange(opts.exchange.artifacts, opts.exchange.cacheDir) : null);
  return Worker.create({
    connection: opts.connection,
    namespace: opts.namespace,
    taskQueue: opts.computeTaskQueue,
    activities: opts.artifactsDir !== undefined ? guardArtifactFolder(activities, opts.artifactsDir) : activities,
    maxConcurrentActivityTaskExecutions: opts.maxConcurrentActivities ?? 2,
    // Fit progress (sweep, h²) reaches `study status` within seconds, not at 80 % of the heartbeat timeout.
    maxHeartbeatThrottleInterval: '2 seconds',
    ...(opts.identity !== undefined ? { identity: opts.identity } : {}),
  });
}

/** The store queue's worker: owns the DuckDB store and runs the workflows. */
export async function createStoreWorker(opts: Omit<WorkerOptions, 'computeTaskQueue' | 'maxConcurrentComputeActivities'>): Promise<Worker> {
  return Worker.create({
    connection: opts.connection,
    namespace: opts.namespace,
    taskQueue: opts.storeTaskQueue,
    workflowBundle: opts.workflowBundle ?? (await workflowBundle()),
    activities: makeStoreActivities(opts.store, opts.archiveConnection ? { temporal: { connection: opts.archiveConnection, namespace: opts.namespace } } : {}, opts.artifacts ?? null),
  });
}

/** Both queues in one process (the default `pgsflow worker`, and a CLI session's worker). */
export async function createWorkers(opts: WorkerOptions): Promise<Worker[]> {
  const storeWorker = await createStoreWorker(opts);
  const computeWorker = await createComputeWorker({
    connection: opts.connection,
    namespace: opts.namespace,
    computeTaskQueue: opts.computeTaskQueue,
    ...(opts.maxConcurrentComputeActivities !== undefined ? { maxConcurrentActivities: opts.maxConcurrentComputeActivities } : {}),
    ...(opts.exchange ? { exchange: opts.exchange } : {}),
  });
  return [storeWorker, computeWorker];
}

/** Run workers until shutdown() is called on them (or one fails, which stops the rest). */
export async function runWorkers(workers: Worker[]): Promise<void> {
  try {
    await Promise.all(workers.map((w) => w.run()));
  } catch (e) {
    for (const w of workers) if (w.getState() === 'RUNNING') w.shutdown();
    throw e;
  }
}
