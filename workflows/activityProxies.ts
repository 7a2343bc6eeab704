// Activity proxies for the study workflows, with retry policies by error class: bad input and
// failed guards are non-retryable (their ApplicationFailure type is listed); anything else —
// a crashed or OOM-killed worker, a timeout, a transient I/O error — is retried with backoff.
// Store activities run on the workflow's own task queue (the process owning the DuckDB store);
// numerics on the compute queue. Every long activity heartbeats, so a dead worker is noticed
// within its heartbeat timeout, not after start-to-close.
import { proxyActivities } from '@temporalio/workflow';
import { NON_RETRYABLE_ERROR_TYPES } from '../contracts/errorTypes.js';
import type { ComputeActivities, FingerprintActivities, MlActivities, StoreActivities } from '../contracts/activities.js';
import type { ArtifactExchangeMode } from '../contracts/artifactExchange.js';
import { exchangedThroughArtifacts } from './artifactExchange.js';

const retry = {
  initialInterval: '1 second',
  backoffCoefficient: 2,
  maximumInterval: '1 minute',
  maximumAttempts: 10,
  nonRetryableErrorTypes: [...NON_RETRYABLE_ERROR_TYPES],
};

export const DEFAULT_HEARTBEAT_TIMEOUT = '1 minute';

/** Store queue: the store activities heartbeat every few seconds while they run (withKeepAlive). */
export const storeProxies = (heartbeatTimeout = DEFAULT_HEARTBEAT_TIMEOUT): StoreActivities =>
  proxyActivities<StoreActivities>({ startToCloseTimeout: '2 hours', heartbeatTimeout, retry });

/**
 * Compute queue. Fits heartbeat every 10 sweeps and at each checkpoint, LD builds and
 * imputation per block; a minute without one means the worker is gone (or a block is stuck).
 */
export const computeProxies = (taskQueue: string, heartbeatTimeout = DEFAULT_HEARTBEAT_TIMEOUT, exchange: ArtifactExchangeMode = 'file'): ComputeActivities => {
  const compute = proxyActivities<ComputeActivities>({ taskQueue, startToCloseTimeout: '24 hours', heartbeatTimeout, retry });
  return exchange === 's3' ? exchangedThroughArtifacts(compute, storeProxies(heartbeatTimeout)) : compute;
};

/**
 * Hashing inputs does not heartbeat; bounded by start-to-close instead. In S3 mode the store
 * worker hashes them (the study's input files are on its host, not on the compute hosts).
 */
export const fingerprintProxies = (taskQueue: string, exchange: ArtifactExchangeMode = 'file'): FingerprintActivities =>
  proxyActivities<FingerprintActivities>({ ...(exchange === 's3' ? {} : { taskQueue }), startToCloseTimeout: '30 minutes', retry });

/**
 * ML queue (the Python worker). It heartbeats between models and while one trains; a killed
 * worker's fit is retried on another from the same feature files (identical by seed).
 */
export const mlProxies = (taskQueue: string, heartbeatTimeout = DEFAULT_HEARTBEAT_TIMEOUT): MlActivities =>
  proxyActivities<MlActivities>({ taskQueue, startToCloseTimeout: '12 hours', heartbeatTimeout, retry });
