// `pgsflow demo` (= `npm start`): simulate a three-ancestry cohort (EUR, EAS, AFR) with
// annotations, LD references and ancestry-specific effects, ingest it, then run the two study
// designs on it — a ten-fold cross-validation of SBayesRC with SBayesR alongside, and a
// cross-ancestry SBayesRC-multi study per non-EUR target (EAS, AFR) — printing progress and the
// metrics tables. Embedded dev server unless TEMPORAL_ADDRESS is set.
import { randomUUID } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { codeVersionString } from '../../core/provenance/codeVersion.js';
import { loadEnv } from '../../config/env.js';
import { simulatedStudyFiles } from '../../core/simulate/simulateStudy.js';
import type { SimulateOptionsInput } from '../../config/simulate.js';
import { demoWorkflow } from '../../workflows/demo.js';
import { type StudyProgress, type StudyResult, studyProgressQuery, workflowTypeOfDesign } from '../../contracts/study.js';
import { type Command, EXIT_OK, stringOpt } from '../command.js';
import { type Session, openSession } from '../session.js';
import { formatMetricsSummary } from '../study/metricsSummary.js';
import { formatNonlinearComparison } from '../study/nonlinearSummary.js';
import { makeRunId } from '../study/runId.js';
import { buildStudyInput, loadStudyFile } from '../study/studyInput.js';

/**
 * Realistic cross-ancestry architecture: causal effects correlated 0.8 (not equal) between
 * ancestries, 20 % of each ancestry's causal variants causal there only, each ancestry its own
 * Balding–Nichols frequencies and AFR shorter LD.
 */
const DEMO_ARCHITECTURE = { ancestries: ['EUR', 'EAS', 'AFR'], ldRho: [0.95, 0.95, 0.9], rg: 0.8, privateCausal: 0.2 } as const satisfies SimulateOptionsInput;

/**
 * Sized to finish in a few minutes on two cores: 5,000 SNPs in 25 blocks, 4,000 EUR, 3,000 EAS
 * and 2,000 AFR samples, h² = 0.5 with four functional annotations driving the causal effects.
 */
const DEMO_SIMULATION: SimulateOptionsInput = {
  ...DEMO_ARCHITECTURE,
  ancestries: [...DEMO_ARCHITECTURE.ancestries],
  ldRho: [...DEMO_ARCHITECTURE.ldRho],
  samples: [4000, 3000, 2000],
  refSamples: 1000,
  snps: 5000,
  blockSnps: 200,
  h2: 0.5,
  seed: 1,
};

/** `--quick`: a smoke-test size (tens of seconds): fewer samples and SNPs, 3 folds, short chains. */
const QUICK_SIMULATION: SimulateOptionsInput = {
  ...DEMO_ARCHITECTURE,
  ancestries: [...DEMO_ARCHITECTURE.ancestries],
  ldRho: [...DEMO_ARCHITECTURE.ldRho],
  samples: [1500, 1000, 800],
  causalFraction: 0.05,
  refSamples: 300,
  snps: 800,
  blockSnps: 100,
  h2: 0.5,
  seed: 1,
};
const QUICK_STUDY = { folds: 3, sbayesrc: { iterations: 300, burnIn: 100 } } as const;

const POLL_MS = 2_000;

/** The comparison `--nonlinear` adds: both models on both feature sets, at a size for the demo. */
const DEMO_NONLINEAR = { models: ['gbdt', 'mlp'], inputs: ['pgs+covariates', 'snps+covariates'], topSnps: 300, seed: 1 } as const;

export const demoCommand: Command = {
  name: 'demo',
  summary: 'simulate a cohort and run both study designs on it (embedded Temporal when TEMPORAL_ADDRESS is unset)',
  help: `Usage: pgsflow demo [--store DIR] [--quick] [--nonlinear] [--no-worker] [--json]

Simulates a three-ancestry cohort (EUR, EAS, AFR; effects correlated ${DEMO_ARCHITECTURE.rg} across
ancestries, ${DEMO_ARCHITECTURE.privateCausal * 100} % of causal variants ancestry-specific) with annotations and LD
references, ingests it, then runs a ten-fold cross-validation (SBayesRC and SBayesR) on EUR and
a cross-ancestry SBayesRC-multi study for each of the targets EAS and AFR (all three ancestries
training), printing progress and the metrics tables. Without TEMPORAL_ADDRESS the
Temporal dev server runs embedded (SQLite under the store folder) with an in-process worker,
and everything stops on exit or Ctrl-C (resume a study with \`pgsflow study resume RUN\`).
  --store DIR    store folder (default PGSFLOW_STORE or ./.pgsflow)
  --quick        smoke-test size (${QUICK_SIMULATION.snps} SNPs, 3 folds, 300 sweeps): tens of seconds
  --nonlinear    also compare gradient-boosted trees and an MLP with the linear score on the
                 cross-validation's folds (pgs+covariates and the top ${DEMO_NONLINEAR.topSnps} SNPs+covariates),
                 on the Python ML worker (its pinned environment is created under .tools/ on first use)
  --no-worker    do not start an in-process worker (one is already serving the store)
  --json         print every study result as JSON`,
  options: { store: { type: 'string' }, quick: { type: 'boolean' }, nonlinear: { type: 'boolean' }, 'no-worker': { type: 'boolean' }, json: { type: 'boolean' } },
  async run(parsed, ctx) {
    const env = loadEnv();
    const storeDir = resolve(stringOpt(parsed, 'store') ?? env.store);
    const log = (line: string): void => ctx.stderr(`${line}\n`);
    const started = performance.now();
    const nonlinear = parsed.values.nonlinear === true;
    const session = await openSession({ env, storeDir, withWorker: parsed.values['no-worker'] !== true, log, mlWorker: nonlinear });
    const release = ctx.onInterrupt(() => session.shutdown());
    try {
      if (session.uiUrl) log(`Temporal UI: ${session.uiUrl} (while this command runs; server ${session.address})`);
      else log(`Temporal cluster: ${session.address}, namespace ${session.namespace}`);
      const quick = parsed.values.quick === true;
      const simulation = quick ? QUICK_SIMULATION : DEMO_SIMULATION;
      const studyDir = join(storeDir, 'demo-study');
      log(`simulating ${simulation.snps} SNPs × ${simulation.samples!.join(' + ')} samples into ${studyDir}`);
      await session.call(() =>
        session.client.workflow.execute(demoWorkflow, {
          workflowId: `demo-${randomUUID()}`,
          taskQueue: env.storeTaskQueue,
          args: [{ name: 'demo', codeVersion: codeVersionString(), computeTaskQueue: env.computeTaskQueue, studyDir, simulate: simulation }],
        }),
      );
      const studyFiles = simulatedStudyFiles(simulation.ancestries!);
      if (quick) for (const file of studyFiles) await shrinkStudy(join(studyDir, file));
      if (nonlinear) await addNonlinear(join(studyDir, studyFiles[0]!));

      const results: StudyResult[] = [];
      for (const file of studyFiles) {
        const study = await loadStudyFile(join(studyDir, file));
        const input = buildStudyInput(study, { codeVersion: codeVersionString(), computeTaskQueue: env.computeTaskQueue, mlTaskQueue: env.mlTaskQueue, storeDir });
        const runId = makeRunId(study.study.name);
        const type = workflowTypeOfDesign(study.study.design.type);
        log(`study ${runId} (${type}) from ${study.path}`);
        const handle = await session.call(() => session.client.workflow.start(type, { workflowId: runId, taskQueue: env.storeTaskQueue, args: [input] }));
        const result = await waitWithProgress(session, handle.workflowId, log, () => handle.result() as Promise<StudyResult>);
        results.push(result);
        if (parsed.values.json !== true) {
          ctx.stdout(`\n${study.study.name}: ${result.design} run ${result.runId}\n${formatMetricsSummary(result.metrics)}`);
          if (study.study.nonlinear) ctx.stdout(`\n${formatNonlinearComparison(result.metrics, study.study.inputs.phenotype.type)}`);
        }
      }
      if (parsed.values.json === true) ctx.stdout(`${JSON.stringify(results, null, 2)}\n`);
      const seconds = (performance.now() - started) / 1000;
      log(`demo finished in ${seconds.toFixed(0)} s; store ${storeDir}. Inspect a run with \`pgsflow study status RUN --store ${storeDir}\`.`);
      return EXIT_OK;
    } finally {
      release();
      await session.shutdown();
    }
  },
};


async function addNonlinear(path: string): Promise<void> {
  const study = JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
  study.nonlinear = DEMO_NONLINEAR;
  await writeFile(path, `${JSON.stringify(study, null, 2)}\n`);
}

/** The simulator's study file with the quick settings (the file stays a valid, complete study). */
async function shrinkStudy(path: string): Promise<void> {
  const study = JSON.parse(await readFile(path, 'utf8')) as { design: { type: string; folds?: number }; sbayesrc?: Record<string, unknown> };
  if (study.design.type === 'cross-validation') study.design.folds = QUICK_STUDY.folds;
  study.sbayesrc = { ...study.sbayesrc, ...QUICK_STUDY.sbayesrc };
  await writeFile(path, `${JSON.stringify(study, null, 2)}\n`);
}

/** Await the result, logging a one-line progress summary whenever it changes. */
async function waitWithProgress(session: Session, workflowId: string, log: (line: string) => void, result: () => Promise<StudyResult>): Promise<StudyResult> {
  let last = '';
  let done = false;
  const poll = async (): Promise<void> => {
    while (!done) {
      await new Promise((r) => setTimeout(r, POLL_MS));
      if (done) return;
      try {
        const p: StudyProgress = await session.client.workflow.getHandle(workflowId).query(studyProgressQuery);
        const finished = p.units.filter((u) => u.state === 'completed').length;
        const running = p.units.filter((u) => u.state === 'running').map((u) => `${u.scope}:${u.step}`);
        const line = `  ${p.step}${p.units.length > 0 ? ` — ${finished}/${p.units.length} done${running.length > 0 ? `; running ${running.join(', ')}` : ''}` : ''}`;
        if (line !== last) log(line);
        last = line;
      } catch {
        // A query can time out while the worker is busy; the next poll tries again.
      }
    }
  };
  const polling = poll();
  try {
    return await session.call(result);
  } finally {
    done = true;
    await polling;
  }
}
