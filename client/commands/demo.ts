import { randomUUID } from 'node:crypto';
import { codeVersionString } from '../../activities/provenance/codeVersion.js';
import { loadEnv } from '../../config/env.js';
import { type StudyInput, parseStudy } from '../../config/study.js';
import { demoWorkflow } from '../../workflows/demo.js';
import { type Command, EXIT_OK, stringOpt } from '../command.js';
import { openSession } from '../session.js';

/** The placeholder demo study; replaced by a simulated end-to-end study when workflows land. */
const DEMO_STUDY: StudyInput = {
  name: 'demo',
  seed: 1,
  inputs: {
    cohorts: [{ ancestry: 'EUR', bfile: ['geno/EUR'] }],
    phenotype: { file: 'pheno.tsv', column: 'trait' },
    covariates: { file: 'covar.tsv' },
    annotations: 'annot.tsv',
    ld: { type: 'build', blocks: 'blocks.tsv', reference: { EUR: ['ref/EUR'] } },
  },
  design: { type: 'cross-validation', folds: 10, ancestry: 'EUR' },
};

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
    const study = parseStudy(DEMO_STUDY, 'demo study');
    const log = (line: string): void => ctx.stderr(`${line}\n`);
    const session = await openSession({ env, storeDir, withWorker: parsed.values['no-worker'] !== true, log });
    const release = ctx.onInterrupt(() => session.shutdown());
    try {
      if (session.uiUrl) log(`Temporal UI: ${session.uiUrl} (while this command runs; server ${session.address})`);
      else log(`Temporal cluster: ${session.address}, namespace ${session.namespace}`);
      const workflowId = `demo-${randomUUID()}`;
      log(`starting workflow ${workflowId} on task queue ${env.storeTaskQueue}`);
      const record = await session.client.workflow.execute(demoWorkflow, {
        workflowId,
        taskQueue: env.storeTaskQueue,
        args: [
          {
            name: study.name,
            studyJson: JSON.stringify(study),
            codeVersion: codeVersionString(),
            computeTaskQueue: env.computeTaskQueue,
          },
        ],
      });
      if (parsed.values.json === true) ctx.stdout(`${JSON.stringify(record, null, 2)}\n`);
      else {
        ctx.stdout(
          `run ${record.runId}: ${record.status}\n` +
            `  study sha256 ${record.studySha256}\n` +
            `  code ${record.codeVersion}\n` +
            `  steps: ${record.steps.map((s) => s.step).join(', ')}\n`,
        );
      }
      return EXIT_OK;
    } finally {
      release();
      await session.shutdown();
    }
  },
};
