// A CLI session: a Temporal client on the configured cluster, or on an embedded dev server
// when TEMPORAL_ADDRESS is unset (the store's, if another command already runs one:
// serverRecord.ts), plus (optionally) an in-process worker owning the store.
// shutdown() stops things in reverse order: worker, store, connections, server.
import { setMaxListeners } from 'node:events';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, type Worker } from '@temporalio/worker';
import { Store } from '../core/store/store.js';
import type { EnvConfig } from '../config/env.js';
import { type ConnectionSettings, resolveConnectionSettings } from '../config/temporalConnection.js';
import { buildConnectionOptions } from '../worker/connectionOptions.js';
import { ensureTemporalCli } from './temporalCli.js';
import { installQuietRuntime } from '../worker/runtime.js';
import { createWorkers, runWorkers } from '../worker/workers.js';
import { type DevServer, DevServerError, startDevServer } from './devServer.js';
import { awaitServerRecord, claimServerStart, liveServerRecord, releaseServerStart, removeServerRecord, writeServerRecord } from './serverRecord.js';
import { announceKernels } from './kernelNotice.js';
import { ensureMlEnv } from './mlEnv.js';
import { startMlWorker } from './mlWorkerProcess.js';

/** How long a command waits for another command's embedded server to come up (it starts in seconds). */
const SERVER_START_WAIT_MS = 90_000;

export interface SessionOptions {
  env: EnvConfig;
  storeDir: string;
  /**
   * Run a worker owning the store in this process. 'unless-attached': only when this session
   * started the embedded server itself; attached to another command's server, that command's
   * worker holds the store and serves the queues (`study cancel` beside a running `study run`).
   */
  withWorker: boolean | 'unless-attached';
  log: (line: string) => void;
  /**
   * Also run the Python ML worker (nonlinear models) beside this session's worker, creating its
   * pinned environment under .tools/ on first use. Only with a worker in this session.
   */
  mlWorker?: boolean;
  /**
   * TLS and API key for a cluster at TEMPORAL_ADDRESS (default: from the environment,
   * config/temporalConnection.ts); the embedded dev server is always plain gRPC.
   */
  connection?: ConnectionSettings;
}

export interface Session {
  client: Client;
  /**
   * Run client calls so that shutdown() can cancel them first: closing a connection under a
   * call that is still retrying would otherwise throw from a gRPC timer.
   */
  call<T>(fn: () => Promise<T>): Promise<T>;
  address: string;
  namespace: string;
  uiUrl?: string;
  server?: DevServer;
  /** Whether a worker owning the store runs in this session. */
  worker: boolean;
  shutdown(): Promise<void>;
}

export async function openSession(opts: SessionOptions): Promise<Session> {
  const { env } = opts;
  const cleanups: (() => Promise<void> | void)[] = [];
  const calls = new AbortController();
  // One shutdown, however many callers: Ctrl-C's handler and the command's own `finally` both
  // call it. Two interleaved runs would each pop the next cleanup, so the second closed the
  // worker's connection, the store and the server while the first still awaited the workers'
  // drain, which then never ended (a CLI hung after Ctrl-C with its server already stopped).
  let stopping: Promise<void> | undefined;
  const shutdown = (): Promise<void> =>
    (stopping ??= (async () => {
      calls.abort();
      while (cleanups.length > 0) {
        const fn = cleanups.pop();
        try {
          await fn?.();
        } catch (e) {
          opts.log(`warning: during shutdown: ${(e as Error).message}`);
        }
      }
    })());
  try {
    let address = env.temporalAddress;
    let server: DevServer | undefined;
    let uiUrl: string | undefined;
    // Without TEMPORAL_ADDRESS: the store's embedded server if one runs (another command's), else
    // our own — unless another command is starting one right now: then wait for it.
    for (let attempt = 0; address === undefined && attempt < 3; attempt++) {
      let running = await liveServerRecord(opts.storeDir);
      if (!running && !claimServerStart(opts.storeDir)) {
        running = await awaitServerRecord(opts.storeDir, SERVER_START_WAIT_MS);
        if (!running) continue; // the other starter gave up: try to claim again
      }
      // Claimed: one more look, in case a starter finished between our look and our claim.
      running ??= await liveServerRecord(opts.storeDir);
      if (running) {
        releaseServerStart(opts.storeDir);
        address = running.address;
        uiUrl = running.uiUrl;
        break;
      }
      try {
        const cli = ensureTemporalCli(opts.log);
        server = await startDevServer({
          cli,
          dbFile: join(opts.storeDir, 'temporal.sqlite'),
          port: env.devServerPort,
          uiPort: env.devServerUiPort,
          namespace: env.namespace,
          log: join(opts.storeDir, 'temporal-server.log'),
        });
        const s = server;
        cleanups.push(() => s.stop());
        address = server.address;
        uiUrl = server.uiUrl;
        writeServerRecord(opts.storeDir, { address, uiUrl, serverPid: server.pid, ownerPid: process.pid, startedAt: new Date().toISOString() });
        cleanups.push(() => removeServerRecord(opts.storeDir));
      } finally {
        releaseServerStart(opts.storeDir);
      }
    }
    if (address === undefined) throw new DevServerError(`no Temporal dev server for store ${opts.storeDir}: another command kept starting one and gave up`);
    // A cluster named by TEMPORAL_ADDRESS gets its TLS and API key; an embedded server is plain.
    const connectionOptions =
      env.temporalAddress !== undefined ? buildConnectionOptions({ ...(opts.connection ?? resolveConnectionSettings({}, process.env)), address }) : { address };
    const connection = await Connection.connect(connectionOptions);
    cleanups.push(() => connection.close());
    const client = new Client({ connection, namespace: env.namespace });

    const worker = opts.withWorker === true || (opts.withWorker === 'unless-attached' && (server !== undefined || env.temporalAddress !== undefined));
    if (worker) {
      // The store first: a locked store must fail before the SDK runtime exists, whose idle
      // log poller would otherwise keep the process alive after the error.
      const store = await Store.open(opts.storeDir);
      cleanups.push(() => store.closeWhenIdle());
      // The command prints its workflows' failures (file:line:column): the SDK's WARN lines for
      // them only with PGSFLOW_LOG_LEVEL set (worker/runtime.ts).
      installQuietRuntime({ callerReportsFailures: true });
      const nativeConnection = await NativeConnection.connect(connectionOptions);
      cleanups.push(() => nativeConnection.close());
      const workers = await createWorkers({
        connection: nativeConnection,
        namespace: env.namespace,
        storeTaskQueue: env.storeTaskQueue,
        computeTaskQueue: env.computeTaskQueue,
        store,
      });
      announceKernels(opts.log);
      const running = runWorkers(workers);
      cleanups.push(() => stopWorkers(workers, running));
      if (opts.mlWorker === true) {
        const python = await ensureMlEnv(opts.log);
        const ml = await startMlWorker({ python, address, namespace: env.namespace, taskQueue: env.mlTaskQueue, log: opts.log });
        cleanups.push(() => ml.stop());
      }
    }
    return {
      client,
      call: async (fn) => {
        // One signal per call, linked to the session's: the SDK adds an abort listener per gRPC
        // request (a long result() poll makes many) and never removes them.
        const c = new AbortController();
        setMaxListeners(0, c.signal);
        const onAbort = (): void => c.abort();
        calls.signal.addEventListener('abort', onAbort, { once: true });
        try {
          return await connection.withAbortSignal(c.signal, fn);
        } finally {
          calls.signal.removeEventListener('abort', onAbort);
        }
      },
      address,
      namespace: env.namespace,
      ...(uiUrl !== undefined ? { uiUrl } : {}),
      ...(server ? { server } : {}),
      worker,
      shutdown,
    };
  } catch (e) {
    await shutdown();
    throw e;
  }
}

async function stopWorkers(workers: Worker[], running: Promise<void>): Promise<void> {
  for (const w of workers) if (w.getState() === 'RUNNING') w.shutdown();
  await running;
}
