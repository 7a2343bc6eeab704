// The running SBayesRC fit's latest heartbeat in a study's child workflow (what `study status`
// shows), for tests that inject faults at a given sweep.
import type { Client } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import type { FitHeartbeat } from '../../contracts/fit.js';

export async function fitHeartbeat(client: Client, workflowId: string): Promise<FitHeartbeat | null> {
  try {
    const d = await client.workflow.getHandle(workflowId).describe();
    for (const a of d.raw.pendingActivities ?? []) {
      if (a.activityType?.name !== 'fitSbayesrc') continue;
      const p = a.heartbeatDetails?.payloads?.[0];
      if (p) return defaultPayloadConverter.fromPayload<FitHeartbeat>(p);
    }
  } catch {
    // The child may not exist yet, or the server is restarting.
  }
  return null;
}
