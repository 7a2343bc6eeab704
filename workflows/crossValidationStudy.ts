// Ten-fold (K-fold) cross-validation of SBayesRC in one ancestry: inputs into the store, the
// LD panel, all fold GWAS in one pass, a `foldPipeline` child per fold (up to
// `execution.concurrency` at once), then every held-out fold scored with its own fold's fit in
// one pass per method, and metrics per fold with mean ± SE across folds.
import { executeChild } from '@temporalio/workflow';
import { methodsOf, pipelineSteps } from './fitPipeline.js';
import { foldPipeline, unitRunContext } from './foldPipeline.js';
import { cachedStep, recordedStep } from './stepCache.js';
import { computeProxies, fingerprintProxies } from './activityProxies.js';
import { prepareStudyData } from './studyData.js';
import { runStudy } from './studyRun.js';
import { runUnits } from './unitRuns.js';
import { compareNonlinear } from './nonlinearComparison.js';
import type { StudyInput, StudyResult } from '../contracts/study.js';
import { resumeDirOf, unitDir } from '../contracts/runLayout.js';
import type { GwasModel } from '../contracts/gwas.js';
import type { MetricRow } from '../contracts/evaluation.js';

export async function crossValidationStudy(input: StudyInput): Promise<StudyResult> {
  return runStudy(input, async (run) => {
    const { study } = input;
    if (study.design.type !== 'cross-validation') throw new Error(`crossValidationStudy got a ${study.design.type} design`);
    const design = study.design;
    const { ctx, runId, progress } = run;
    const compute = computeProxies(input.computeTaskQueue, input.heartbeatTimeout, input.artifactExchange);
    const { fingerprintInputs } = fingerprintProxies(input.computeTaskQueue, input.artifactExchange);
    const a = design.ancestry;

    progress.step = 'ingest';
    const data = await prepareStudyData(ctx, compute, fingerprintInputs, study, { cohorts: [a], panels: [a] }, input.artifactsDir);
    const cohort = data.cohorts[a]!;
    const phenotype = study.inputs.phenotype;
    const covarNames = study.inputs.covariates?.columns;
    const model: GwasModel = phenotype.type === 'binary' ? 'logistic' : 'linear';
    const sampleInputs = {
      phenoDataset: data.pheno,
      phenoName: phenotype.column,
      ...(data.covar ? { covarDataset: data.covar } : {}),
      ...(covarNames ? { covarNames } : {}),
    };

    progress.step = 'gwas';
    const folds = { k: design.folds, seed: study.seed };
    const gwas = await cachedStep(ctx, 'gwas', a, { cohort, ...sampleInputs, model, folds }, async () => {
      const s = await ctx.store.foldGwas({ runId, cohort, ...sampleInputs, folds, model });
      return { runId, gwasSets: s.gwasSets, samples: s.samples, variants: s.variants, foldSizes: s.foldSizes };
    });

    const methods = methodsOf(data.annot !== undefined, study.sbayesrc.baseline);
    const scopes = gwas.gwasSets.map((_, k) => `fold-${k + 1}`);
    run.setUnits(scopes.map((scope) => ({ scope, workflowId: `${runId}/${scope}`, step: 'pending', state: 'pending', done: 0, steps: pipelineSteps(methods) })));

    progress.step = 'folds';
    const unitRun = unitRunContext(runId, input);
    const results = await runUnits(run, scopes, (scope, k) =>
      executeChild(foldPipeline, {
        workflowId: `${runId}/${scope}`,
        args: [
          {
            run: unitRun,
            pipeline: {
              scope,
              gwasSet: gwas.gwasSets[k]!,
              panel: data.panels[a]!,
              annot: data.annot,
              methods,
              qc: study.qc,
              impute: study.impute,
              sbayesrc: study.sbayesrc,
              seed: study.seed,
              dir: unitDir(input.artifactsDir, runId, scope),
              ...resumeDirOf(input.artifactsDir, input.resumedFrom, scope),
            },
          },
        ],
      }),
    );

    const metrics: MetricRow[] = [];
    for (const method of methods) {
      progress.step = 'score';
      const weightFiles = results.map((r) => `${r.fits.find((f) => f.method === method)!.prefix}.txt`);
      await recordedStep(ctx, 'scoreHeldOut', method, () =>
        ctx.store.scoreHeldOut({ runId, cohort, weightFiles, frequencySets: gwas.gwasSets, scorePrefix: `${method}/`, foldsRunId: gwas.runId }),
      );
      progress.step = 'evaluate';
      const evaluated = await recordedStep(ctx, 'evaluateFolds', method, () => ctx.store.evaluateFolds({
        runId,
        cohort,
        method,
        scorePrefix: `${method}/`,
        folds: design.folds,
        ...sampleInputs,
        trait: phenotype.type,
        ...(phenotype.prevalence !== undefined ? { prevalence: phenotype.prevalence } : {}),
      }), (e) => ({ rows: e.rows.length }));
      metrics.push(...evaluated.rows);
    }

    if (study.nonlinear) {
      progress.step = 'nonlinear';
      const method = methods[0]!;
      metrics.push(
        ...(await compareNonlinear(ctx, {
          input,
          settings: study.nonlinear,
          runId,
          cohort,
          foldsRunId: gwas.runId,
          gwasSets: gwas.gwasSets,
          weightFiles: results.map((r) => `${r.fits.find((f) => f.method === method)!.prefix}.txt`),
          method,
          trait: phenotype.type,
          phenoDataset: data.pheno,
          phenoName: phenotype.column,
          ...(data.covar ? { covarDataset: data.covar } : {}),
          ...(covarNames ? { covarNames } : {}),
        })),
      );
    }
    return metrics;
  });
}
