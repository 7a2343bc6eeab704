// Where `pgsflow audit` reads from (DESIGN §2): the store file directly when no process holds it;
// when a worker owns it (DuckDB allows one writer process), through Temporal — a short
// `auditReadWorkflow` on the store task queue whose activity reads the store in that worker.
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { Client, Connection } from '@temporalio/client';
import { type AuditRequest, type AuditResponse, answerAudit } from '../../activities/audit.js';
import { BadInputError, StoreLockedError } from '../../activities/errors.js';
import { Store, storePaths } from '../../activities/store/store.js';
import type { EnvConfig } from '../../config/env.js';

export interface AuditSource {
  /** 'store' (opened directly) or 'temporal' (through the worker that owns the store). */
  via: 'store' | 'temporal';
  ask(req: AuditRequest): Promise<AuditResponse>;
  close(): Promise<void>;
}

/** How long the CLI waits for the worker to answer before giving up. */
export const AUDIT_READ_TIMEOUT = '10 minutes';

export async function openAuditSource(storeDir: string, env: EnvConfig): Promise<AuditSource> {
  const paths = storePaths(storeDir);
  if (!existsSync(paths.database)) throw new BadInputError(paths.database, 'no store here (pass --store DIR, or set PGSFLOW_STORE)');
  try {
    const store = await Store.open(storeDir);
    return {
      via: 'store',
      ask: (req) => answerAudit(store, req),
      close: async () => store.close(),
    };
  } catch (e) {
    if (!(e instanceof StoreLockedError)) throw e;
    if (env.temporalAddress === undefined) {
      throw new StoreLockedError(
        `store ${paths.database} is held by another process (a worker or a running \`pgsflow study run\`); ` +
          `set TEMPORAL_ADDRESS to the cluster that worker serves and audit reads the store through it`,
      );
    }
    return temporalSource(env);
  }
}

async function temporalSource(env: EnvConfig): Promise<AuditSource> {
  const connection = await Connection.connect({ address: env.temporalAddress! });
  const client = new Client({ connection, namespace: env.namespace });
  return {
    via: 'temporal',
    ask: (req) =>
      client.workflow.execute('auditReadWorkflow', {
        taskQueue: env.storeTaskQueue,
        workflowId: `audit-${randomUUID()}`,
        args: [req],
        workflowExecutionTimeout: AUDIT_READ_TIMEOUT,
      }) as Promise<AuditResponse>,
    close: () => connection.close(),
  };
}
