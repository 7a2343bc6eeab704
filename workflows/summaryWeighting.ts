// SBayesRC-multi mixing weights without a target tuning sample (design.weighting "summary"): the
// target's GWAS (as its fit read it: QC'd, imputed, on the panel) split in silico into training
// and validation halves → the target ancestry refitted on the training half (unit
// `<target>.pseudo`; its full-GWAS fit still scores the target) → the weights that maximise the
// combination's R² in the target implied by the target GWAS and LD: other ancestries' scores
// against the whole target GWAS, the target's own from its half fit's calibration on the
// validation half (summaryMixingFiles.ts).
import { type FitMethod, type FitPipelineResult, fitStep } from './fitPipeline.js';
import type { StepContext } from './stepCache.js';
import { cachedStep, recordedStep } from './stepCache.js';
import type { LdPanelRef } from './studyData.js';
import { resumeDirOf, unitDir } from '../contracts/runLayout.js';
import type { ComputeActivities } from '../contracts/activities.js';
import type { MixingWeighting } from '../contracts/evaluation.js';
import type { Study } from '../contracts/study.js';

export interface SummaryWeightingInput {
  target: string;
  /** Training ancestries in order, and each one's fit pipeline result (same order). */
  train: string[];
  results: (FitPipelineResult & { ancestry: string })[];
  method: FitMethod;
  panel: LdPanelRef;
  annot: { file: string; sha256: string } | undefined;
  sbayesrc: Study['sbayesrc'];
  seed: number;
  trainFraction: number;
  artifactsDir: string;
  resumedFrom: string | undefined;
}

/** Scope of the target's refit on the training half. */
export const pseudoScope = (target: string): string => `${target}.pseudo`;

export async function learnSummaryWeights(ctx: StepContext, compute: ComputeActivities, input: SummaryWeightingInput): Promise<MixingWeighting> {
  const { target, panel, seed, trainFraction } = input;
  const own = input.results.find((r) => r.ancestry === target);
  if (own === undefined) throw new Error(`summary weighting: the target '${target}' has no fit of its own GWAS`);
  const scope = pseudoScope(target);
  const dir = unitDir(input.artifactsDir, ctx.runId, scope);
  const splitParts = { sumstats: own.sumstatsKey, panel: panel.name, seed, trainFraction };
  const split = await cachedStep(
    ctx,
    'splitSumstats',
    target,
    splitParts,
    () => compute.splitSumstats({ sumstats: own.sumstats, ld: panel.folder, seed, trainFraction, outTrain: `${dir}/gwas.pseudo-train.ma`, outValid: `${dir}/gwas.pseudo-valid.ma` }),
    [{ field: 'outTrain' }, { field: 'outValid' }],
  );
  const half = await fitStep(ctx, compute, {
    scope,
    method: input.method,
    sumstats: split.outTrain,
    sumstatsKey: { pseudoTrainOf: splitParts },
    panel,
    annot: input.annot,
    sbayesrc: input.sbayesrc,
    seed,
    dir,
    ...resumeDirOf(input.artifactsDir, input.resumedFrom, scope),
  });
  const effects = input.train.map((a) => {
    const r = input.results.find((x) => x.ancestry === a);
    if (r === undefined) throw new Error(`summary weighting: no fit for training ancestry '${a}'`);
    return `${r.fits[0]!.prefix}.txt`;
  });
  const w = await recordedStep(ctx, 'summaryMixingWeights', target, () =>
    compute.summaryMixingWeights({
      sumstats: own.sumstats,
      validSumstats: split.outValid,
      ld: panel.folder,
      effects,
      names: input.train,
      targetHalf: { index: input.train.indexOf(target), effects: `${half.prefix}.txt`, trainFraction },
      out: `${dir}/summary-weights.json`,
    }),
  );
  return { kind: 'summary', raw: w.rawWeights, rawSe: w.rawWeightSe, pseudoR2: w.r2, nValid: w.nValid };
}
