// Where `pgsflow audit` reads from (DESIGN §2): the store file directly when no process holds it;
// when a worker owns it (DuckDB allows one writer process), through Temporal — a short
// `auditReadWorkflow` on the store task queue whose activity reads the store in that worker.
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { Client, Connection } from '@temporalio/client';
import { answerAudit } from '../../core/runRecords/answerAudit.js';
import { BadInputError, StoreLockedError } from '../../core/errors.js';
import { liveServerRecord } from '../serverRecord.js';
import { Store, storePaths } from '../../core/store/store.js';
import type { EnvConfig } from '../../config/env.js';
import { resolveConnectionSettings } from '../../config/temporalConnection.js';
import { buildConnectionOptions } from '../../worker/connectionOptions.js';
import type { AuditRequest, AuditResponse } from '../../contracts/audit.js';

export interface AuditSource {
  /** 'store' (opened directly) or 'temporal' (through the worker that owns the store). */
  via: 'store' | 'temporal';
  ask(req: AuditRequest): Promise<AuditResponse>;
  close(): Promise<void>;
}

/** How long the CLI waits for the worker to answer before giving up. */
export const AUDIT_READ_TIMEOUT = '30 minutes';
/** How long a started audit read may wait for a worker to pick it up. */
const NO_WORKER_MS = 20_000;

export async function openAuditSource(storeDir: string, env: EnvConfig): Promise<AuditSource> {
  const paths = storePaths(storeDir);
  if (!existsSync(paths.database)) {
    // No local store: with a cluster, ask the worker that owns the store (wherever it runs).
    if (env.temporalAddress !== undefined) return temporalSource(env, undefined);
    throw new BadInputError(paths.database, 'no store here (pass --store DIR, or set PGSFLOW_STORE; or TEMPORAL_ADDRESS to read through a worker)');
  }
  try {
    const store = await Store.open(storeDir);
    return {
      via: 'store',
      ask: (req) => answerAudit(store, req),
      close: async () => store.close(),
    };
  } catch (e) {
    if (!(e instanceof StoreLockedError)) throw e;
    // Held by a running `study run` with its embedded server: read through that server.
    const embedded = env.temporalAddress === undefined ? await liveServerRecord(storeDir) : null;
    if (env.temporalAddress === undefined && embedded === null) {
      throw new StoreLockedError(
        `store ${paths.database} is held by another process (a worker or a running \`pgsflow study run\`); ` +
          `set TEMPORAL_ADDRESS to the cluster that worker serves and audit reads the store through it`,
      );
    }
    // The same file, held by a worker on this machine: it must answer for exactly this store.
    return temporalSource(embedded ? { ...env, temporalAddress: embedded.address } : env, paths.database, embedded !== null);
  }
}

async function temporalSource(env: EnvConfig, store: string | undefined, embedded = false): Promise<AuditSource> {
  // An embedded server (this store's) is plain gRPC; a cluster gets TEMPORAL_TLS_* / TEMPORAL_API_KEY.
  const connection = await Connection.connect(
    !embedded ? buildConnectionOptions({ ...resolveConnectionSettings({}, process.env), address: env.temporalAddress! }) : { address: env.temporalAddress! },
  );
  const client = new Client({ connection, namespace: env.namespace });
  return {
    via: 'temporal',
    ask: async (req) => {
      const handle = await client.workflow.start('auditReadWorkflow', {
        taskQueue: env.storeTaskQueue,
        workflowId: `audit-${randomUUID()}`,
        args: [store === undefined ? req : { ...req, store }],
        workflowExecutionTimeout: AUDIT_READ_TIMEOUT,
      });
      const result = handle.result() as Promise<AuditResponse>;
      // No worker on the queue would leave the CLI waiting out the whole timeout: give up early.
      let settled = false;
      void result.then(
        () => (settled = true),
        () => (settled = true),
      );
      const deadline = Date.now() + NO_WORKER_MS;
      while (!settled && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 500));
        if (settled) break;
        const d = await handle.describe();
        if (d.historyLength > 2) break; // a worker picked up the workflow task
      }
      if (!settled && (await handle.describe()).historyLength <= 2) {
        await handle.terminate('no worker answered the audit read').catch(() => undefined);
        await result.catch(() => undefined);
        throw new StoreLockedError(
          `no worker answered on task queue ${env.storeTaskQueue} at ${env.temporalAddress} within ${NO_WORKER_MS / 1000} s ` +
            `(is \`pgsflow worker\` running for this store? PGSFLOW_TASK_QUEUE must name its queue)`,
        );
      }
      const res = await result;
      if (res.kind === 'wrongStore') throw new StoreLockedError(`${res.message} (task queue ${env.storeTaskQueue}; set PGSFLOW_TASK_QUEUE to the queue of the worker that owns it)`);
      return res;
    },
    close: () => connection.close(),
  };
}
