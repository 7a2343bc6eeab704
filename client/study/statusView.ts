// What `study status` / `study run --json` report: Temporal's execution status mapped to the
// four study states, a failure's cause chain, and the one JSON object of the CLI contract.
import type { WorkflowExecutionStatusName } from '@temporalio/client';
import type { StudyProgress } from '../../contracts/study.js';
import type { MetricRow } from '../../contracts/evaluation.js';

export type StudyStatus = 'running' | 'completed' | 'failed' | 'cancelled';

/** Terminated and timed-out runs count as failed; paused or continued-as-new ones as running. */
export function studyStatusOf(name: WorkflowExecutionStatusName): StudyStatus {
  switch (name) {
    case 'RUNNING':
    case 'PAUSED':
    case 'CONTINUED_AS_NEW':
      return 'running';
    case 'COMPLETED':
      return 'completed';
    case 'CANCELLED':
      return 'cancelled';
    case 'FAILED':
    case 'TERMINATED':
    case 'TIMED_OUT':
    case 'UNSPECIFIED':
    case 'UNKNOWN':
      return 'failed';
  }
}

/** Human wording of a closed execution's Temporal status (`terminated`, `timed out`, …). */
export function temporalStatusWord(name: WorkflowExecutionStatusName): string {
  return name.toLowerCase().replace(/_/g, ' ');
}

/** A run's start or close time as `status` and `list` show it: ISO 8601 to the second. */
export function isoSeconds(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * The messages along an error's `cause` chain, outermost first, skipping empty and repeated
 * ones (WorkflowFailedError → ChildWorkflowFailure → ActivityFailure → ApplicationFailure).
 */
export function failureChain(err: unknown): string[] {
  const out: string[] = [];
  const seen = new Set<unknown>();
  let e: unknown = err;
  while (e !== undefined && e !== null && !seen.has(e)) {
    seen.add(e);
    const msg = e instanceof Error ? e.message : String(e);
    if (msg.trim() !== '' && out[out.length - 1] !== msg) out.push(msg);
    e = e instanceof Error ? (e as Error & { cause?: unknown }).cause : undefined;
  }
  return out;
}

/** One line for the user: the root cause first, then where it came from. */
export function failureMessage(err: unknown): string {
  const chain = failureChain(err);
  if (chain.length === 0) return 'unknown failure';
  const root = chain[chain.length - 1]!;
  const context = chain.slice(0, -1).reverse();
  return context.length === 0 ? root : `${root}\n  ${context.map((m) => `via: ${m}`).join('\n  ')}`;
}

/** The JSON object `study run --json` and `study status --json` print. */
export interface StudyStatusJson {
  runId: string;
  status: StudyStatus;
  progress: StudyProgress | null;
  metrics: MetricRow[];
  /** Temporal's own status name (RUNNING, COMPLETED, TERMINATED, …), when known. */
  temporalStatus?: WorkflowExecutionStatusName;
  /** Failure or cancellation message, or a note on a run no worker is serving. */
  message?: string;
  workflowType?: string;
  resumedFrom?: string | null;
  cacheHits?: number;
}

export function statusJson(s: StudyStatusJson): string {
  const ordered: StudyStatusJson = {
    runId: s.runId,
    status: s.status,
    progress: s.progress,
    metrics: s.metrics,
    ...(s.temporalStatus !== undefined ? { temporalStatus: s.temporalStatus } : {}),
    ...(s.workflowType !== undefined ? { workflowType: s.workflowType } : {}),
    ...(s.message !== undefined ? { message: s.message } : {}),
    ...(s.resumedFrom !== undefined ? { resumedFrom: s.resumedFrom } : {}),
    ...(s.cacheHits !== undefined ? { cacheHits: s.cacheHits } : {}),
  };
  return `${JSON.stringify(ordered, null, 2)}\n`;
}
