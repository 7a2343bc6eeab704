// One fold of a cross-validation (child workflow `<run>/fold-<k>`): the fold's training GWAS set
// through QC, imputation and the fits. Scoring the held-out samples and metrics happen in the
// parent, in one pass over the genotypes for all folds.
import type { StudyInput } from '../contracts/study.js';
import type { ArtifactExchangeMode } from '../contracts/artifactExchange.js';
import { type FitPipelineInput, type FitPipelineResult, fitPipeline, pipelineSteps } from './fitPipeline.js';
import type { StepContext } from './stepCache.js';
import { computeProxies, storeProxies } from './activityProxies.js';
import { unitReporter } from './unitReporter.js';

export interface UnitRunContext {
  runId: string;
  codeVersion: string;
  computeTaskQueue: string;
  resumedFrom: string | undefined;
  heartbeatTimeout: string | undefined;
  artifactExchange?: ArtifactExchangeMode;
}

export const unitRunContext = (runId: string, input: StudyInput): UnitRunContext => ({
  runId,
  codeVersion: input.codeVersion,
  computeTaskQueue: input.computeTaskQueue,
  resumedFrom: input.resumedFrom,
  heartbeatTimeout: input.heartbeatTimeout,
  ...(input.artifactExchange ? { artifactExchange: input.artifactExchange } : {}),
});

export interface FoldPipelineInput {
  run: UnitRunContext;
  pipeline: FitPipelineInput;
}

export function stepContextOf(run: UnitRunContext): StepContext {
  return { runId: run.runId, codeVersion: run.codeVersion, resumedFrom: run.resumedFrom, store: storeProxies(run.heartbeatTimeout), hits: { count: 0 } };
}

export async function foldPipeline(input: FoldPipelineInput): Promise<FitPipelineResult & { cacheHits: number }> {
  const ctx = stepContextOf(input.run);
  const report = unitReporter(input.pipeline.scope, pipelineSteps(input.pipeline.methods));
  const result = await fitPipeline(ctx, computeProxies(input.run.computeTaskQueue, input.run.heartbeatTimeout, input.run.artifactExchange), input.pipeline, report);
  return { ...result, cacheHits: ctx.hits.count };
}
