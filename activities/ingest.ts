// Activity adapter: ingest inputs into the store (store task queue; heartbeats between inputs).
import { Context } from '@temporalio/activity';
import { withFailureMapping } from './failures.js';
import { ingestInputs } from '../core/ingest/ingestInputs.js';
import type { Store } from '../core/store/store.js';
import type { IngestInput, IngestReport } from '../contracts/ingest.js';
import type { IngestActivities } from '../contracts/activities.js';

export function makeIngestActivities(store: Store): IngestActivities {
  return withFailureMapping({
    async ingest(inputs: IngestInput[]): Promise<IngestReport[]> {
      Context.current().heartbeat({ inputs: inputs.length });
      return ingestInputs(store, inputs);
    },
  });
}
