// Nonlinear models against the linear score on the same folds (study key `nonlinear`): after the
// folds' fits, every sample is scored with each fold's own fit (training samples too, so models
// can learn on them), the store writes each fold's feature files, the Python worker fits the
// models on the training samples of each fold (`pgsflow-ml` queue, all folds at once, bounded by
// its own concurrency), and the store judges the held-out predictions beside the linear
// baselines. Only paths, hashes and small summaries pass through history.
import { recordedStep, type StepContext } from './stepCache.js';
import { mlProxies } from './activityProxies.js';
import { type FitNonlinearResult, type FoldFeatures, ML_TASK_QUEUE, type NonlinearInputs, type NonlinearModel } from '../contracts/nonlinear.js';
import { unitDir } from '../contracts/runLayout.js';
import type { MetricRow, Trait } from '../contracts/evaluation.js';
import type { Study, StudyInput } from '../contracts/study.js';

export interface NonlinearComparisonInput {
  input: StudyInput;
  settings: NonNullable<Study['nonlinear']>;
  runId: string;
  cohort: string;
  /** The run whose folds (and fold GWAS sets) these are. */
  foldsRunId: string;
  gwasSets: string[];
  /** The primary method's weight file of each fold (index k − 1). */
  weightFiles: string[];
  method: string;
  trait: Trait;
  phenoDataset: string;
  phenoName: string;
  covarDataset?: string;
  covarNames?: string[];
}

/** Linear baseline of each feature set: always fitted, whatever `models` lists. */
const BASELINE: Record<NonlinearInputs, NonlinearModel> = { 'pgs+covariates': 'linear', 'snps+covariates': 'elasticnet' };

export const modelsFor = (inputs: NonlinearInputs, models: readonly NonlinearModel[]): NonlinearModel[] => {
  const wanted = new Set<NonlinearModel>([BASELINE[inputs], ...models]);
  // linear on SNPs is the elastic net's job; elastic net on one score is plain linear.
  wanted.delete(inputs === 'pgs+covariates' ? 'elasticnet' : 'linear');
  return [...wanted];
};

const slug = (inputs: NonlinearInputs): string => inputs.replace('+', '-');

export async function compareNonlinear(ctx: StepContext, c: NonlinearComparisonInput): Promise<MetricRow[]> {
  const { settings, input } = c;
  const folds = c.gwasSets.length;
  const inputs = [...new Set(settings.inputs)];
  const seed = settings.seed ?? input.study.seed;
  const pgsScoreNames = c.weightFiles.map((_, k) => `nonlinear/${c.method}/all-fold${k + 1}`);
  const sampleInputs = {
    phenoDataset: c.phenoDataset,
    phenoName: c.phenoName,
    ...(c.covarDataset !== undefined ? { covarDataset: c.covarDataset } : {}),
    ...(c.covarNames !== undefined ? { covarNames: c.covarNames } : {}),
  };

  if (inputs.includes('pgs+covariates')) {
    await recordedStep(ctx, 'nonlinearScores', c.method, () =>
      ctx.store.scoreCohort({ runId: c.runId, cohort: c.cohort, weightFiles: c.weightFiles, scoreNames: pgsScoreNames, frequencySets: c.gwasSets }),
    );
  }
  const foldDir = (k: number): string => `${unitDir(input.artifactsDir, c.runId, `fold-${k + 1}`)}/nonlinear`;
  const features = await recordedStep(
    ctx,
    'nonlinearFeatures',
    'folds',
    () =>
      ctx.store.nonlinearFeatures({
        runId: c.runId,
        cohort: c.cohort,
        foldsRunId: c.foldsRunId,
        folds,
        ...sampleInputs,
        trait: c.trait,
        ...(inputs.includes('pgs+covariates') ? { pgsScoreNames } : {}),
        ...(inputs.includes('snps+covariates') ? { snps: { gwasSets: c.gwasSets, topSnps: settings.topSnps, pruneR2: settings.pruneR2, pruneWindowKb: settings.pruneWindowKb } } : {}),
        dirs: Array.from({ length: folds }, (_, k) => Object.fromEntries(inputs.map((i) => [i, `${foldDir(k)}/features/${slug(i)}`]))),
      }),
    (s) => ({ folds: s.folds.map((f) => f.map((x) => ({ inputs: x.inputs, samples: x.samples, heldOut: x.heldOut, features: x.features }))) }),
  );

  const ml = mlProxies(input.mlTaskQueue ?? ML_TASK_QUEUE, input.heartbeatTimeout);
  const fits: { features: FoldFeatures; fit: FitNonlinearResult }[][] = await Promise.all(
    features.folds.map((perInputs, k) =>
      Promise.all(
        perInputs.map(async (f) => {
          const fit = await recordedStep(
            ctx,
            'nonlinearFit',
            `fold-${k + 1}/${f.inputs}`,
            () =>
              ml.fitNonlinear({
                featuresDir: f.dir,
                outDir: `${foldDir(k)}/predictions/${slug(f.inputs)}`,
                inputs: f.inputs,
                models: modelsFor(f.inputs, settings.models),
                trait: c.trait,
                seed,
                innerFraction: settings.innerFraction,
              }),
          );
          return { features: f, fit };
        }),
      ),
    ),
  );

  const evaluated = await recordedStep(ctx, 'evaluateNonlinear', 'folds', () => ctx.store.evaluateNonlinear({ runId: c.runId, trait: c.trait, folds: fits }), (e) => ({ rows: e.rows.length }));
  return evaluated.rows;
}
