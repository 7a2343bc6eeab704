// The per-unit science after a GWAS set exists (a fold's training GWAS, or an ancestry's):
// QC against the unit's LD panel → export the cleaned set → impute missing panel SNPs →
// SBayesRC (and SBayesR as the baseline) → record each fit in the store. Every step is cached
// by content so `study resume` reruns only what changed or failed.
import type { Study } from '../contracts/study.js';
import type { LdPanelRef } from './studyData.js';
import { type StepContext, cachedStep } from './stepCache.js';
import type { ComputeActivities } from '../contracts/activities.js';
import type { FitSummaryJson } from '../contracts/fit.js';

export type FitMethod = 'SBayesRC' | 'SBayesR';

/** SBayesRC with annotations (SBayesR beside it as the baseline when asked), SBayesR without. */
export const methodsOf = (hasAnnotations: boolean, baseline: boolean): FitMethod[] =>
  hasAnnotations ? (baseline ? ['SBayesRC', 'SBayesR'] : ['SBayesRC']) : ['SBayesR'];

export interface FitPipelineInput {
  scope: string;
  gwasSet: string;
  panel: LdPanelRef;
  annot: { file: string; sha256: string } | undefined;
  methods: FitMethod[];
  qc: Study['qc'];
  impute: Study['impute'];
  sbayesrc: Study['sbayesrc'];
  seed: number;
  /** Folder for this unit's files (`<artifacts>/runs/<run>/<scope>`). */
  dir: string;
  /** This unit's folder in the run being resumed: fits it left unfinished continue from its checkpoints. */
  resumeDir?: string;
}

export interface UnitFit {
  method: FitMethod;
  /** Output prefix: PREFIX.txt holds the effects that score the unit. */
  prefix: string;
  h2: number;
  nnz: number;
  cutoff: number;
  snps: number;
}

export interface FitPipelineResult {
  scope: string;
  qcSet: string;
  qcKept: number;
  imputed: number;
  fits: UnitFit[];
  /** The .ma the fits read (imputed when imputation is on) and its content key for later steps. */
  sumstats: string;
  sumstatsKey: unknown;
}

export async function fitPipeline(
  ctx: StepContext,
  compute: ComputeActivities,
  input: FitPipelineInput,
  onStep: (step: string, done: number) => void,
): Promise<FitPipelineResult> {
  const { scope, dir } = input;
  onStep('qc', 0);
  const qcThresholds = { ...input.qc, noImpute: input.qc.noImpute || !input.impute.enabled };
  const qc = await cachedStep(ctx, 'qc', scope, { gwasSet: input.gwasSet, panel: input.panel.name, qcThresholds }, async () => {
    const r = await ctx.store.qc({ runId: ctx.runId, scope, gwasSet: input.gwasSet, panel: input.panel.name, ...qcThresholds });
    return { outputSet: r.outputSet, kept: r.remaining };
  });

  onStep('export', 1);
  const exported = await cachedStep(
    ctx,
    'exportGwas',
    scope,
    { set: qc.outputSet },
    () => ctx.store.exportGwasSet({ gwasSet: qc.outputSet, out: `${dir}/gwas.qc.ma` }),
    [{ field: 'out', sha256Field: 'sha256' }],
  );

  let sumstats = exported.out;
  let imputed = 0;
  if (input.impute.enabled) {
    onStep('impute', 2);
    const r = await cachedStep(
      ctx,
      'impute',
      scope,
      { sumstats: exported.sha256, panel: input.panel.name, cutoff: input.impute.cutoff },
      async () => {
        const s = await compute.impute({ sumstats: exported.out, ld: input.panel.folder, out: `${dir}/gwas.imputed.ma`, cutoff: input.impute.cutoff });
        return { out: s.out, imputed: s.totals.imputed };
      },
      [{ field: 'out' }],
    );
    sumstats = r.out;
    imputed = r.imputed;
  }

  const sumstatsKey = input.impute.enabled ? { imputedFrom: exported.sha256, cutoff: input.impute.cutoff } : exported.sha256;
  const fits: UnitFit[] = [];
  for (const [i, method] of input.methods.entries()) {
    onStep(method, 3 + i);
    fits.push(await fitStep(ctx, compute, { ...input, method, sumstats, sumstatsKey }));
  }
  onStep('done', 3 + input.methods.length);
  return { scope, qcSet: qc.outputSet, qcKept: qc.kept, imputed, fits, sumstats, sumstatsKey };
}

export interface FitStepInput extends Omit<FitPipelineInput, 'gwasSet' | 'methods' | 'qc' | 'impute'> {
  method: FitMethod;
  /** The .ma the fit reads, and what identifies its content in step keys. */
  sumstats: string;
  sumstatsKey: unknown;
}

/** One fit of a unit, cached by content and recorded under this run (also when reused). */
export async function fitStep(ctx: StepContext, compute: ComputeActivities, input: FitStepInput): Promise<UnitFit> {
  const { scope, dir, method } = input;
  const annot = method === 'SBayesRC' ? input.annot : undefined;
  const s = input.sbayesrc;
  const settings = {
    iterations: s.iterations,
    burnIn: s.burnIn,
    cutoff: s.cutoff,
    tune: s.tune,
    chains: s.chains,
    seed: input.seed,
  };
  const fit = await cachedStep(
    ctx,
    'fitSbayesrc',
    `${scope}/${method}`,
    { sumstats: input.sumstatsKey, panel: input.panel.name, annot: annot?.sha256, settings },
    async (): Promise<UnitFit> => {
      // Unique stems: scoring several units' effect files in one pass names each score by its stem.
      const prefix = `${dir}/${method}_${scope}`;
      const summary: FitSummaryJson = await compute.fitSbayesrc({
        sumstats: input.sumstats,
        ld: input.panel.folder,
        ...(annot ? { annot: annot.file } : {}),
        out: prefix,
        ...(input.resumeDir !== undefined ? { resumeFrom: `${input.resumeDir}/${method}_${scope}` } : {}),
        ...settings,
        ...(s.tune ? { tune: s.tune } : {}),
        threads: s.threads,
        checkpointEvery: s.checkpointEvery,
      });
      return { method, prefix, h2: summary.h2.mean, nnz: summary.nnz.mean, cutoff: summary.cutoff, snps: summary.snps };
    },
    [
      { field: 'prefix', suffix: '.txt' },
      { field: 'prefix', suffix: '.json' },
    ],
  );
  // Recorded under this run even when the fit itself was reused: the run's tables are complete.
  await ctx.store.recordFit({ runId: ctx.runId, scope: `${scope}/${method}`, prefix: fit.prefix });
  return fit;
}

/** Steps a unit reports (QC, export, impute, one per method). */
export const pipelineSteps = (methods: readonly FitMethod[]): number => 3 + methods.length;
