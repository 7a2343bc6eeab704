import { hostname } from 'node:os';
import { NativeConnection, type Worker } from '@temporalio/worker';
import { Store } from '../../core/store/store.js';
import { parseArtifactLocation } from '../../core/artifacts/location.js';
import type { ArtifactStore } from '../../core/artifacts/artifactStore.js';
import { openArtifactStore } from '../../core/artifacts/openArtifactStore.js';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadEnv } from '../../config/env.js';
import { CONNECTION_HELP, CONNECTION_OPTION_SPECS, connectionFlagsOf, describeConnection, resolveConnectionSettings } from '../../config/temporalConnection.js';
import { checkArtifactFolder } from '../../worker/artifactFolderGuard.js';
import { buildConnectionOptions } from '../../worker/connectionOptions.js';
import { installQuietRuntime } from '../../worker/runtime.js';
import { createComputeWorker, createStoreWorker, createWorkers, runWorkers } from '../../worker/workers.js';
import { type Command, EXIT_OK, UsageError, intOpt, stringOpt } from '../command.js';
import { announceKernels } from '../kernelNotice.js';

export const workerCommand: Command = {
  name: 'worker',
  summary: 'serve the store and compute task queues (or, --compute-only, the compute queue alone)',
  help: `Usage: pgsflow worker [--store DIR] [--store-only | --max-concurrent N] [--artifacts s3://B/P] [connection flags]
       pgsflow worker --compute-only [--artifacts DIR|s3://bucket/prefix [--cache DIR]] [--max-concurrent N] [connection flags]

Serves task queues PGSFLOW_TASK_QUEUE (default pgsflow-store; owns the DuckDB store and runs
the workflows) and PGSFLOW_COMPUTE_TASK_QUEUE (default pgsflow-compute) on the cluster at
TEMPORAL_ADDRESS (default 127.0.0.1:7233, e.g. a \`pgsflow server\`). The store is --store,
else PGSFLOW_STORE, else ./.pgsflow. Exactly one worker may own a store. Ctrl-C stops it
after in-flight activities finish.

--store-only          serve only the store queue (the compute queue is served by
                      compute-only workers, here or on other hosts)
--compute-only        serve only the compute queue (QC-free numerics: LD panels, imputation,
                      SBayesRC fits, summary weights), opening no store: run as many as you like,
                      on any host that sees the study's input files and the store's artifacts
                      folder at the same paths as the store worker (docs/cluster.md)
--artifacts DIR       (with --compute-only) the store's artifacts folder as mounted here; an
                      activity writing outside it is refused with a message saying so (in file
                      mode the folder must be mounted at the same path on every host).
--artifacts s3://bucket/prefix
                      S3 mode (no shared filesystem; studies started with \`study run --artifacts
                      s3://…\`): the store worker publishes each compute call's input files to
                      the bucket and fetches its outputs back; a compute-only worker runs the
                      call on a local mirror under --cache, uploads what it wrote, and uploads
                      fit checkpoints as they are written (a fit killed on one host resumes on
                      another). Endpoint and credentials: AWS_ENDPOINT_URL, AWS_ACCESS_KEY_ID,
                      AWS_SECRET_ACCESS_KEY, AWS_REGION (or an AWS profile).
--cache DIR           (S3 mode, compute) local mirror and downloaded inputs (default
                      <tmp>/pgsflow-compute-cache); inputs are fetched once per content
--max-concurrent N    compute activities at once (default 2; each fit takes about its LD
                      panel's size in memory)
--identity NAME       this worker's identity in the Temporal history (default pid@host)

${CONNECTION_HELP}`,
  interruptIsNormalExit: true,
  options: {
    store: { type: 'string' },
    'compute-only': { type: 'boolean' },
    'store-only': { type: 'boolean' },
    artifacts: { type: 'string' },
    cache: { type: 'string' },
    'max-concurrent': { type: 'string' },
    identity: { type: 'string' },
    ...CONNECTION_OPTION_SPECS,
  },
  async run(parsed, ctx) {
    const env = loadEnv();
    const computeOnly = parsed.values['compute-only'] === true;
    const storeOnly = parsed.values['store-only'] === true;
    if (computeOnly && storeOnly) throw new UsageError('worker: --compute-only and --store-only exclude each other');
    const artifactsText = stringOpt(parsed, 'artifacts');
    const maxConcurrent = intOpt(parsed, 'max-concurrent', 1, 1024);
    const identity = stringOpt(parsed, 'identity');
    if (computeOnly && stringOpt(parsed, 'store') !== undefined) {
      throw new UsageError('worker: --compute-only opens no store; leave out --store');
    }
    let artifactsDir: string | undefined;
    let artifacts: ArtifactStore | undefined;
    const loc = artifactsText === undefined ? undefined : parseArtifactLocation(artifactsText);
    if (loc?.kind === 'file') {
      if (!computeOnly) throw new UsageError("worker: --artifacts DIR goes with --compute-only (the store worker's artifacts folder is <store>/artifacts); s3://… sets S3 mode");
      checkArtifactFolder(loc.dir);
      artifactsDir = loc.dir;
    } else if (loc?.kind === 's3') {
      artifacts = openArtifactStore(loc);
    }
    const cacheText = stringOpt(parsed, 'cache');
    if (cacheText !== undefined && artifacts === undefined) throw new UsageError('worker: --cache goes with --artifacts s3://… (S3 mode)');
    const settings = resolveConnectionSettings(connectionFlagsOf(parsed.values), process.env);
    // Read the TLS files before anything starts: a bad path is a clear error, not a failed handshake.
    const connectionOptions = buildConnectionOptions(settings);
    const { namespace } = settings;
    // The store first: a locked store must fail before the SDK runtime exists (see session.ts).
    const store = computeOnly ? undefined : await Store.open(stringOpt(parsed, 'store') ?? env.store);
    const exchange = artifacts ? { artifacts, cacheDir: resolve(cacheText ?? (store ? join(store.paths.root, 'exchange-cache') : join(tmpdir(), 'pgsflow-compute-cache'))) } : undefined;
    installQuietRuntime();
    const connection = await NativeConnection.connect(connectionOptions);
    try {
      let workers: Worker[];
      if (store && storeOnly) {
        workers = [await createStoreWorker({ connection, namespace, storeTaskQueue: env.storeTaskQueue, store, ...(artifacts ? { artifacts } : {}) })];
      } else if (store) {
        workers = await createWorkers({
          connection,
          namespace,
          storeTaskQueue: env.storeTaskQueue,
          computeTaskQueue: env.computeTaskQueue,
          store,
          ...(maxConcurrent !== undefined ? { maxConcurrentComputeActivities: maxConcurrent } : {}),
          ...(exchange ? { artifacts: exchange.artifacts, exchange } : {}),
        });
      } else {
        workers = [
          await createComputeWorker({
            connection,
            namespace,
            computeTaskQueue: env.computeTaskQueue,
            identity: identity ?? `${process.pid}@${hostname()}/compute`,
            ...(maxConcurrent !== undefined ? { maxConcurrentActivities: maxConcurrent } : {}),
            ...(artifactsDir !== undefined ? { artifactsDir } : {}),
            ...(exchange ? { exchange } : {}),
          }),
        ];
      }
      ctx.onInterrupt(async () => {
        for (const w of workers) if (w.getState() === 'RUNNING') w.shutdown();
      });
      announceKernels((line) => ctx.stderr(`${line}\n`));
      const where = describeConnection(settings, connectionOptions.address);
      const concurrency = `${maxConcurrent ?? 2} compute activities at once`;
      ctx.stdout(
        store && storeOnly
          ? `worker on ${where}: queue ${env.storeTaskQueue} (store ${store.paths.database}; compute on compute-only workers)\n`
          : store
          ? `worker on ${where}: queues ${env.storeTaskQueue} (store ${store.paths.database}) and ${env.computeTaskQueue} (${concurrency})\n`
          : `compute-only worker on ${where}: queue ${env.computeTaskQueue} (${concurrency}; no store${artifactsDir !== undefined ? `; artifacts folder ${artifactsDir}` : ''}${exchange ? `; S3 mode via ${exchange.artifacts.location}, cache ${exchange.cacheDir}` : ''})\n`,
      );
      await runWorkers(workers);
      return EXIT_OK;
    } finally {
      await connection.close();
      await store?.closeWhenIdle();
    }
  },
};
