// What every `pgsflow study` subcommand runs with: the open session, the output and flags, client
// calls that Ctrl-C cancels; and the lookups they share (describe a run, its progress, live fits).
import type { ArtifactExchangeMode } from '../../contracts/artifactExchange.js';
import { type WorkflowExecutionDescription, type WorkflowHandle, WorkflowNotFoundError } from '@temporalio/client';
import type { EnvConfig } from '../../config/env.js';
import { STUDY_WORKFLOW_TYPES, type StudyProgress, studyProgressQuery } from '../../contracts/study.js';
import type { CommandContext } from '../command.js';
import type { Session } from '../session.js';
import { type LiveFit, liveFitFromPending } from './progressView.js';
import { chooseStoreDir } from './studyInput.js';

export const QUERY_TIMEOUT_MS = 5_000;

export interface StudyCommandContext {
  session: Session;
  /** Run a client call so that Ctrl-C / shutdown cancels it. */
  call<T>(fn: () => Promise<T>): Promise<T>;
  env: EnvConfig;
  ctx: CommandContext;
  json: boolean;
  embedded: boolean;
  withWorker: boolean;
  storeDir: string;
  interrupted: boolean;
  /** The run being watched (for the Ctrl-C advice). */
  watching?: string;
  /** `--artifacts s3://…`: compute workers exchange files through the artifact store. */
  artifactExchange?: ArtifactExchangeMode;
}

/**
 * Client calls that can be cancelled before the session shuts down. One AbortController per
 * call: the SDK adds an abort listener per gRPC request and never removes it, so one signal
 * shared by a watch that polls every second would collect listeners without bound.
 */
export class AbortableCalls {
  private readonly active = new Set<AbortController>();
  private aborted = false;
  constructor(private readonly session: Session) {}

  async run<T>(fn: () => Promise<T>): Promise<T> {
    const c = new AbortController();
    if (this.aborted) c.abort();
    this.active.add(c);
    try {
      return await this.session.client.connection.withAbortSignal(c.signal, fn);
    } finally {
      this.active.delete(c);
    }
  }

  abortAll(): void {
    this.aborted = true;
    for (const c of this.active) c.abort();
  }
}

/** What to tell the user when Ctrl-C stops watching a run: whether it goes on, and how to get back to it. */
export function interruptAdvice(sc: StudyCommandContext, runId: string): string {
  if (sc.embedded) {
    return `stopped watching ${runId}; the study stops with this command (embedded Temporal server). Continue it later with: pgsflow study resume ${runId}${storeFlag(sc)}`;
  }
  const worker = sc.withWorker ? ` once a worker serves task queue ${sc.env.storeTaskQueue} (\`pgsflow worker\`)` : '';
  return `stopped watching ${runId}; the study goes on on ${sc.session.address}${worker}. Watch it again with: pgsflow study status ${runId}`;
}

/** ` --store DIR` for the commands we suggest, unless the store is the default one. */
export function storeFlag(sc: StudyCommandContext): string {
  return sc.storeDir === chooseStoreDir(undefined, undefined, sc.env.store) ? '' : ` --store ${sc.storeDir}`;
}

export async function queryProgress(sc: StudyCommandContext, handle: WorkflowHandle, timeoutMs = QUERY_TIMEOUT_MS): Promise<StudyProgress | undefined> {
  const { session } = sc;
  try {
    return await sc.call(() => session.client.connection.withDeadline(Date.now() + timeoutMs, () => handle.query(studyProgressQuery)));
  } catch {
    return undefined; // not answerable yet (first workflow task pending) or no worker: keep the last one
  }
}

/** The live MCMC state of each running unit, from its pending `fitSbayesrc` activity. */
export async function liveFits(sc: StudyCommandContext, p: StudyProgress): Promise<Map<string, LiveFit>> {
  const { session } = sc;
  const out = new Map<string, LiveFit>();
  await Promise.all(
    p.units
      .filter((u) => u.state === 'running' && u.workflowId)
      .map(async (u) => {
        try {
          const d = await sc.call(() => session.client.workflow.getHandle(u.workflowId).describe());
          const live = liveFitFromPending(d.raw.pendingActivities);
          if (live) out.set(u.workflowId, live);
        } catch {
          // child not started yet, or already closed
        }
      }),
  );
  return out;
}

/** Describe a study run, or print why not (not found, not a study). */
export async function describeStudy(sc: StudyCommandContext, runId: string): Promise<{ handle: WorkflowHandle; desc: WorkflowExecutionDescription } | undefined> {
  const { session, ctx } = sc;
  const handle = session.client.workflow.getHandle(runId);
  try {
    const desc = await sc.call(() => handle.describe());
    if (!(STUDY_WORKFLOW_TYPES as readonly string[]).includes(desc.type)) {
      ctx.stderr(`pgsflow: ${runId} is a ${desc.type} workflow, not a study run\n`);
      return undefined;
    }
    return { handle, desc };
  } catch (e) {
    if (e instanceof WorkflowNotFoundError || (e as { name?: string }).name === 'WorkflowNotFoundError') {
      const where = sc.embedded ? `store ${sc.storeDir}` : `${sc.session.address} namespace ${sc.session.namespace}`;
      ctx.stderr(`pgsflow: no study run '${runId}' (${where}); \`pgsflow study list\` shows the runs\n`);
      return undefined;
    }
    throw e;
  }
}
