import { randomUUID } from 'node:crypto';
import { join, resolve } from 'node:path';
import { codeVersionString } from '../../activities/provenance/codeVersion.js';
import { loadEnv } from '../../config/env.js';
import type { SimulateOptionsInput } from '../../config/simulate.js';
import { demoWorkflow } from '../../workflows/demo.js';
import { type Command, EXIT_OK, stringOpt } from '../command.js';
import { openSession } from '../session.js';

/** The demo: a small simulated cohort (with an LD reference), big enough to be a real study. */
const DEMO_SIMULATION: SimulateOptionsInput = { ancestries: ['EUR'], samples: [2000], refSamples: 500, snps: 2000, blockSnps: 100, h2: 0.5, seed: 1 };

export const demoCommand: Command = {
  name: 'demo',
  summary: 'run the demo study end to end (embedded Temporal when TEMPORAL_ADDRESS is unset)',
  help: `Usage: pgsflow demo [--store DIR] [--no-worker] [--json]

Without TEMPORAL_ADDRESS: starts the Temporal dev server (SQLite under the store folder),
an in-process worker, runs the demo workflow, prints the Temporal UI address and stops
everything on exit or Ctrl-C. With TEMPORAL_ADDRESS: uses that cluster and starts no server.
  --store DIR    store folder (default PGSFLOW_STORE or ./.pgsflow)
  --no-worker    do not start an in-process worker (one is already serving the store)
  --json         print the run record as JSON`,
  options: { store: { type: 'string' }, 'no-worker': { type: 'boolean' }, json: { type: 'boolean' } },
  async run(parsed, ctx) {
    const env = loadEnv();
    const storeDir = stringOpt(parsed, 'store') ?? env.store;
    const log = (line: string): void => ctx.stderr(`${line}\n`);
    const session = await openSession({ env, storeDir, withWorker: parsed.values['no-worker'] !== true, log });
    const release = ctx.onInterrupt(() => session.shutdown());
    try {
      if (session.uiUrl) log(`Temporal UI: ${session.uiUrl} (while this command runs; server ${session.address})`);
      else log(`Temporal cluster: ${session.address}, namespace ${session.namespace}`);
      const workflowId = `demo-${randomUUID()}`;
      log(`starting workflow ${workflowId} on task queue ${env.storeTaskQueue}`);
      const record = await session.call(() => session.client.workflow.execute(demoWorkflow, {
        workflowId,
        taskQueue: env.storeTaskQueue,
        args: [
          {
            name: 'demo',
            codeVersion: codeVersionString(),
            computeTaskQueue: env.computeTaskQueue,
            studyDir: join(resolve(storeDir), 'demo-study'),
            simulate: DEMO_SIMULATION,
          },
        ],
      }));
      if (parsed.values.json === true) ctx.stdout(`${JSON.stringify(record, null, 2)}\n`);
      else {
        ctx.stdout(
          `run ${record.runId}: ${record.status}\n` +
            `  study ${join(resolve(storeDir), 'demo-study', 'study.json')} (sha256 ${record.studySha256})\n` +
            `  code ${record.codeVersion}\n` +
            `  steps: ${record.steps.map((s) => s.step).join(', ')}\n` +
            `  summary: ${JSON.stringify(record.summary)}\n`,
        );
      }
      return EXIT_OK;
    } finally {
      release();
      await session.shutdown();
    }
  },
};
