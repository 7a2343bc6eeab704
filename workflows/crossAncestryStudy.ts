// Cross-ancestry SBayesRC-multi: an `ancestryFit` child per training ancestry (GWAS or given
// summary statistics → QC against that ancestry's LD → impute → fit), the target cohort scored
// with every ancestry's effects in one pass, then a seeded tuning/test split of the target
// sample: mixing weights of the standardised scores fitted on tuning samples, and every metric
// (each single-ancestry score and the combination) on test samples only. The combined score of
// every scored target sample is stored (`SBayesRC-multi`) and the mixing model recorded in the
// step's output, from which the report's exports build the combined scoring file. The weights
// come from the tuning samples, from the target's GWAS alone (summaryWeighting.ts) or the study
// file, as `design.weighting` says; the combine step records which.
import { executeChild } from '@temporalio/workflow';
import { ancestryFit } from './ancestryFit.js';
import { methodsOf, pipelineSteps } from './fitPipeline.js';
import { unitRunContext } from './foldPipeline.js';
import { computeProxies, fingerprintProxies } from './activityProxies.js';
import { prepareStudyData } from './studyData.js';
import { recordedStep } from './stepCache.js';
import { runStudy } from './studyRun.js';
import { runUnits } from './unitRuns.js';
import { learnSummaryWeights } from './summaryWeighting.js';
import type { MixingWeighting } from '../contracts/evaluation.js';
import type { StudyInput, StudyResult } from '../contracts/study.js';
import { resumeDirOf, unitDir } from '../contracts/runLayout.js';
import type { GwasModel } from '../contracts/gwas.js';

export async function crossAncestryStudy(input: StudyInput): Promise<StudyResult> {
  return runStudy(input, async (run) => {
    const { study } = input;
    if (study.design.type !== 'cross-ancestry') throw new Error(`crossAncestryStudy got a ${study.design.type} design`);
    const design = study.design;
    const { ctx, runId, progress } = run;
    const compute = computeProxies(input.computeTaskQueue, input.heartbeatTimeout, input.artifactExchange);
    const { fingerprintInputs } = fingerprintProxies(input.computeTaskQueue, input.artifactExchange);
    const given = study.inputs.sumstats ?? {};
    const target = design.target;
    const gwasCohorts = design.train.filter((a) => !(a in given));
    const cohorts = [...new Set([...gwasCohorts, target])];

    progress.step = 'ingest';
    const data = await prepareStudyData(ctx, compute, fingerprintInputs, study, { cohorts, panels: design.train }, input.artifactsDir);
    const phenotype = study.inputs.phenotype;
    const covarNames = study.inputs.covariates?.columns;
    const model: GwasModel = phenotype.type === 'binary' ? 'logistic' : 'linear';
    // One method scores each ancestry: SBayesRC with annotations, SBayesR without.
    const method = methodsOf(data.annot !== undefined, false)[0]!;

    run.setUnits(
      design.train.map((a) => ({ scope: a, workflowId: `${runId}/${a}`, step: 'pending', state: 'pending', done: 0, steps: 1 + pipelineSteps([method]) })),
    );
    progress.step = 'ancestries';
    const unitRun = unitRunContext(runId, input);
    const results = await runUnits(run, design.train, (a) =>
      executeChild(ancestryFit, {
        workflowId: `${runId}/${a}`,
        args: [
          {
            run: unitRun,
            ancestry: a,
            gwas:
              a in given
                ? { kind: 'given', gwasSet: data.sumstats[a]! }
                : {
                    kind: 'cohort',
                    cohort: data.cohorts[a]!,
                    pheno: data.pheno,
                    phenoName: phenotype.column,
                    ...(data.covar ? { covar: data.covar } : {}),
                    ...(covarNames ? { covarNames } : {}),
                    model,
                    ...(a === target ? { splitSeed: study.seed } : {}),
                  },
            pipeline: {
              scope: a,
              panel: data.panels[a]!,
              annot: data.annot,
              methods: [method],
              qc: study.qc,
              impute: study.impute,
              sbayesrc: study.sbayesrc,
              seed: study.seed,
              dir: unitDir(input.artifactsDir, runId, a),
              ...resumeDirOf(input.artifactsDir, input.resumedFrom, a),
            },
          },
        ],
      }),
    );

    progress.step = 'score';
    const targetCohort = data.cohorts[target]!;
    const split = results.find((r) => r.ancestry === target && r.foldsRunId !== null);
    await recordedStep(ctx, 'scoreCohort', target, () => ctx.store.scoreCohort({
      runId,
      cohort: targetCohort,
      weightFiles: results.map((r) => `${r.fits[0]!.prefix}.txt`),
      scoreNames: design.train,
      frequencySets: results.map((r) => r.gwasSet),
      ...(split ? { only: { foldsRunId: split.foldsRunId!, fold: 1 } } : {}),
    }));

    // Mixing weights learnt without the tuning samples' phenotypes (design.weighting).
    let weighting: MixingWeighting | undefined;
    if (design.weighting === 'summary') {
      progress.step = 'summary weights';
      weighting = await learnSummaryWeights(ctx, compute, {
        target,
        train: design.train,
        results,
        method,
        panel: data.panels[target]!,
        annot: data.annot,
        sbayesrc: study.sbayesrc,
        seed: study.seed,
        trainFraction: design.summaryTrainFraction,
        artifactsDir: input.artifactsDir,
        resumedFrom: input.resumedFrom,
      });
    } else if (design.weighting === 'fixed') {
      weighting = { kind: 'fixed', standardised: design.train.map((a) => design.weights![a]!) };
    }

    progress.step = 'combine';
    const combined = await recordedStep(ctx, 'combineAncestries', target, () => ctx.store.combineAncestries({
      runId,
      cohort: targetCohort,
      scoreNames: design.train,
      ancestries: design.train,
      fitScopes: results.map((r) => `${r.scope}/${r.fits[0]!.method}`),
      phenoDataset: data.pheno,
      phenoName: phenotype.column,
      ...(data.covar ? { covarDataset: data.covar } : {}),
      ...(covarNames ? { covarNames } : {}),
      trait: phenotype.type,
      ...(phenotype.prevalence !== undefined ? { prevalence: phenotype.prevalence } : {}),
      tuningFraction: design.tuningFraction,
      seed: study.seed,
      ...(weighting ? { weighting } : {}),
    }), (c) => ({ weights: c.weights, tuning: c.tuning, test: c.test, scored: c.scored, model: c.model }));
    return combined.rows;
  });
}
