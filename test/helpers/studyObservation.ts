// Watching a study on the cluster test's workers through Temporal: which worker runs which fit
// (and its heartbeat), which workers completed fits and for how long, metrics to compare.
import type { Client } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import type { FitHeartbeat } from '../../contracts/fit.js';
import type { StudyResult } from '../../contracts/study.js';

/** A study's metrics as comparable rows. */
export const values = (r: StudyResult): unknown[] => r.metrics.map((m) => [m.scope, m.method, m.metric, m.value, m.se, m.n]);

/** The running fits of a study's folds: fold → worker identity and latest heartbeat. */
export async function runningFits(client: Client, runId: string, folds: number): Promise<Map<string, { identity: string; beat: FitHeartbeat | null }>> {
  const out = new Map<string, { identity: string; beat: FitHeartbeat | null }>();
  for (let k = 1; k <= folds; k++) {
    try {
      const d = await client.workflow.getHandle(`${runId}/fold-${k}`).describe();
      for (const a of d.raw.pendingActivities ?? []) {
        if (a.activityType?.name !== 'fitSbayesrc' || !a.lastWorkerIdentity || a.state !== 2 /* STARTED */) continue;
        const p = a.heartbeatDetails?.payloads?.[0];
        out.set(`fold-${k}`, { identity: a.lastWorkerIdentity, beat: p ? defaultPayloadConverter.fromPayload<FitHeartbeat>(p) : null });
      }
    } catch {
      // not started yet
    }
  }
  return out;
}

/** Completed fitSbayesrc activities of a study's folds: worker identities, and seconds from start to completion. */
export async function fitStats(client: Client, runId: string, folds: number): Promise<{ identities: Set<string>; fits: number; seconds: number }> {
  const identities = new Set<string>();
  let fits = 0;
  let seconds = 0;
  const time = (t: { seconds?: unknown; nanos?: number | null } | null | undefined): number => Number(t?.seconds ?? 0) + (t?.nanos ?? 0) / 1e9;
  for (let k = 1; k <= folds; k++) {
    const h = await client.workflow.getHandle(`${runId}/fold-${k}`).fetchHistory();
    const fitScheduled = new Set<string>();
    const startedAt = new Map<string, number>();
    for (const e of h.events ?? []) {
      const sched = e.activityTaskScheduledEventAttributes;
      if (sched?.activityType?.name === 'fitSbayesrc') fitScheduled.add(String(e.eventId));
      const started = e.activityTaskStartedEventAttributes;
      if (started && fitScheduled.has(String(started.scheduledEventId))) {
        if (started.identity) identities.add(started.identity);
        startedAt.set(String(started.scheduledEventId), time(e.eventTime));
      }
      const completed = e.activityTaskCompletedEventAttributes;
      if (completed && fitScheduled.has(String(completed.scheduledEventId))) {
        fits++;
        seconds += time(e.eventTime) - (startedAt.get(String(completed.scheduledEventId)) ?? time(e.eventTime));
      }
    }
  }
  return { identities, fits, seconds };
}

export async function until<T>(what: string, probe: () => Promise<T | null>, timeoutMs = 600_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    const v = await probe();
    if (v !== null) return v;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}`);
}
