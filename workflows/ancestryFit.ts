// One training ancestry of a cross-ancestry study (child workflow `<run>/<ancestry>`): its GWAS
// (on the ancestry's cohort, or given summary statistics), then QC against that ancestry's LD,
// imputation and the fits. When the target ancestry also trains, its cohort is split in two by
// seed: the GWAS uses one half (fold 2) and the other half (fold 1) is the target sample.
import { type FitPipelineInput, type FitPipelineResult, fitPipeline, pipelineSteps } from './fitPipeline.js';
import { type UnitRunContext, stepContextOf } from './foldPipeline.js';
import { cachedStep } from './stepCache.js';
import { computeProxies } from './activityProxies.js';
import { unitReporter } from './unitReporter.js';
import type { GwasModel } from '../contracts/gwas.js';

export interface AncestryGwas {
  /** Given summary statistics already in the store, or a GWAS on the cohort. */
  kind: 'given' | 'cohort';
  gwasSet?: string;
  cohort?: string;
  pheno?: string;
  phenoName?: string;
  covar?: string;
  covarNames?: string[];
  model?: GwasModel;
  /** Split the cohort in two folds with this seed and train on fold 2 (target = fold 1). */
  splitSeed?: number;
}

export interface AncestryFitInput {
  run: UnitRunContext;
  ancestry: string;
  gwas: AncestryGwas;
  pipeline: Omit<FitPipelineInput, 'gwasSet'>;
}

export interface AncestryFitResult extends FitPipelineResult {
  ancestry: string;
  /** GWAS set whose frequencies impute missing calls when scoring with this ancestry's weights. */
  gwasSet: string;
  /** Run whose `folds` rows hold the target split (when the target also trains). */
  foldsRunId: string | null;
  cacheHits: number;
}

export async function ancestryFit(input: AncestryFitInput): Promise<AncestryFitResult> {
  const ctx = stepContextOf(input.run);
  const report = unitReporter(input.pipeline.scope, 1 + pipelineSteps(input.pipeline.methods));
  report('gwas', 0);
  const g = input.gwas;
  let gwasSet: string;
  let foldsRunId: string | null = null;
  if (g.kind === 'given') gwasSet = g.gwasSet!;
  else {
    const folds = g.splitSeed === undefined ? undefined : { k: 2, seed: g.splitSeed };
    const parts = { cohort: g.cohort, pheno: g.pheno, phenoName: g.phenoName, covar: g.covar, covarNames: g.covarNames, model: g.model, folds };
    const out = await cachedStep(ctx, 'gwas', input.ancestry, parts, async () => {
      const s = await ctx.store.foldGwas({
        runId: ctx.runId,
        cohort: g.cohort!,
        phenoDataset: g.pheno!,
        phenoName: g.phenoName!,
        ...(g.covar ? { covarDataset: g.covar } : {}),
        ...(g.covarNames ? { covarNames: g.covarNames } : {}),
        ...(folds ? { folds } : {}),
        model: g.model!,
      });
      return { runId: ctx.runId, gwasSets: s.gwasSets, samples: s.samples, variants: s.variants, foldSizes: s.foldSizes };
    });
    // Fold 1's GWAS trains on fold 2: fold 1 stays out as the target sample.
    gwasSet = out.gwasSets[0]!;
    if (folds) foldsRunId = out.runId;
  }
  const result = await fitPipeline(ctx, computeProxies(input.run.computeTaskQueue, input.run.heartbeatTimeout, input.run.artifactExchange), { ...input.pipeline, gwasSet }, (step, done) => report(step, done + 1));
  return { ...result, ancestry: input.ancestry, gwasSet, foldsRunId, cacheHits: ctx.hits.count };
}
