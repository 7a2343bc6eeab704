import { NativeConnection } from '@temporalio/worker';
import { Store } from '../../core/store/store.js';
import { loadEnv } from '../../config/env.js';
import { installQuietRuntime } from '../../worker/runtime.js';
import { createWorkers, runWorkers } from '../../worker/workers.js';
import { type Command, EXIT_OK, stringOpt } from '../command.js';
import { announceKernels } from '../kernelNotice.js';

export const workerCommand: Command = {
  name: 'worker',
  summary: 'serve the store and compute task queues',
  help: `Usage: pgsflow worker [--store DIR]

Serves task queues PGSFLOW_TASK_QUEUE (default pgsflow-store; owns the DuckDB store and runs
the workflows) and PGSFLOW_COMPUTE_TASK_QUEUE (default pgsflow-compute) on the cluster at
TEMPORAL_ADDRESS (default 127.0.0.1:7233, e.g. a \`pgsflow server\`). The store is --store,
else PGSFLOW_STORE, else ./.pgsflow. Exactly one worker may own a store. Ctrl-C stops it
after in-flight activities finish.`,
  interruptIsNormalExit: true,
  options: { store: { type: 'string' } },
  async run(parsed, ctx) {
    const env = loadEnv();
    const storeDir = stringOpt(parsed, 'store') ?? env.store;
    const address = env.temporalAddress ?? '127.0.0.1:7233';
    // The store first: a locked store must fail before the SDK runtime exists (see session.ts).
    const store = await Store.open(storeDir);
    installQuietRuntime();
    const connection = await NativeConnection.connect({ address });
    try {
      const workers = await createWorkers({
        connection,
        namespace: env.namespace,
        storeTaskQueue: env.storeTaskQueue,
        computeTaskQueue: env.computeTaskQueue,
        store,
      });
      ctx.onInterrupt(async () => {
        for (const w of workers) if (w.getState() === 'RUNNING') w.shutdown();
      });
      announceKernels((line) => ctx.stderr(`${line}\n`));
      ctx.stdout(
        `worker on ${address} namespace ${env.namespace}: queues ${env.storeTaskQueue} (store ${store.paths.database}) and ${env.computeTaskQueue}\n`,
      );
      await runWorkers(workers);
      return EXIT_OK;
    } finally {
      await connection.close();
      await store.closeWhenIdle();
    }
  },
};
