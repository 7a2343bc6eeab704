// A study's timeline from its Temporal histories (the parent and every child workflow): when each
// activity ran, per activity type, and how much of the study's wall time no activity was running
// (orchestration overhead: workflow tasks, scheduling, queue waits between steps).
import type { Client } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

export interface ActivitySpan {
  workflowId: string;
  type: string;
  startMs: number;
  endMs: number;
}

export interface StudyTimeline {
  startMs: number;
  endMs: number;
  spans: ActivitySpan[];
  /** Milliseconds of [start, end] covered by at least one running activity. */
  coveredMs: number;
}

const eventMs = (e: HistoryEvent): number => {
  const t = e.eventTime;
  if (!t) return NaN;
  return Number(t.seconds ?? 0) * 1000 + (t.nanos ?? 0) / 1e6;
};

/** Activity spans of `workflowId` and, recursively, of the children it started. */
export async function studyTimeline(client: Client, workflowId: string): Promise<StudyTimeline> {
  const spans: ActivitySpan[] = [];
  let startMs = NaN;
  let endMs = NaN;
  const visit = async (id: string, runId: string | undefined, root: boolean): Promise<void> => {
    const history = await client.workflow.getHandle(id, runId).fetchHistory();
    const events = history.events ?? [];
    const scheduled = new Map<string, string>();
    const started = new Map<string, number>();
    const children: { id: string; runId: string | undefined }[] = [];
    for (const e of events) {
      const key = String(e.eventId);
      if (e.activityTaskScheduledEventAttributes) scheduled.set(key, e.activityTaskScheduledEventAttributes.activityType?.name ?? '?');
      else if (e.activityTaskStartedEventAttributes) started.set(String(e.activityTaskStartedEventAttributes.scheduledEventId), eventMs(e));
      else {
        const closed =
          e.activityTaskCompletedEventAttributes ?? e.activityTaskFailedEventAttributes ?? e.activityTaskTimedOutEventAttributes ?? e.activityTaskCanceledEventAttributes;
        if (closed) {
          const sid = String(closed.scheduledEventId);
          const s = started.get(sid);
          if (s !== undefined) spans.push({ workflowId: id, type: scheduled.get(sid) ?? '?', startMs: s, endMs: eventMs(e) });
        }
      }
      const child = e.childWorkflowExecutionStartedEventAttributes?.workflowExecution;
      if (child?.workflowId) children.push({ id: child.workflowId, runId: child.runId ?? undefined });
    }
    if (root && events.length > 0) {
      startMs = eventMs(events[0]!);
      endMs = eventMs(events[events.length - 1]!);
    }
    for (const c of children) await visit(c.id, c.runId, false);
  };
  await visit(workflowId, undefined, true);
  return { startMs, endMs, spans, coveredMs: coveredMs(spans, startMs, endMs) };
}

/** Length of the union of the spans clipped to [from, to]. */
export function coveredMs(spans: readonly ActivitySpan[], from: number, to: number): number {
  const sorted = spans.map((s) => [Math.max(from, s.startMs), Math.min(to, s.endMs)] as const).filter(([a, b]) => b > a);
  sorted.sort((x, y) => x[0] - y[0]);
  let total = 0;
  let curA = -Infinity;
  let curB = -Infinity;
  for (const [a, b] of sorted) {
    if (a > curB) {
      if (curB > curA) total += curB - curA;
      curA = a;
      curB = b;
    } else if (b > curB) curB = b;
  }
  if (curB > curA) total += curB - curA;
  return total;
}

export interface ActivityTypeRow {
  type: string;
  count: number;
  /** Sum of the activities' own durations. */
  seconds: number;
  /** Offsets of the first start and last end from the study's start. */
  firstS: number;
  lastS: number;
}

/** Per activity type, in order of first start. */
export function activityTypeRows(t: StudyTimeline): ActivityTypeRow[] {
  const byType = new Map<string, ActivityTypeRow>();
  for (const s of t.spans) {
    const row = byType.get(s.type) ?? { type: s.type, count: 0, seconds: 0, firstS: Infinity, lastS: -Infinity };
    row.count++;
    row.seconds += (s.endMs - s.startMs) / 1000;
    row.firstS = Math.min(row.firstS, (s.startMs - t.startMs) / 1000);
    row.lastS = Math.max(row.lastS, (s.endMs - t.startMs) / 1000);
    byType.set(s.type, row);
  }
  return [...byType.values()].sort((a, b) => a.firstS - b.firstS);
}
