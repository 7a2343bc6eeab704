// Nonlinear models against the linear score on the same folds (issue 20): what crosses the line
// to the Python worker on the `pgsflow-ml` task queue. Features and predictions travel as `.npy`
// files in the fold's artifact folder; only paths, names and hashes travel through history.

export const ML_TASK_QUEUE = 'pgsflow-ml';
/** The Python activity's registered name (`@activity.defn(name=...)`). */
export const FIT_NONLINEAR_ACTIVITY = 'fitNonlinear';

import type { NonlinearInputs, NonlinearModel } from '../config/nonlinearModels.js';

export { NONLINEAR_INPUTS, NONLINEAR_MODELS, type NonlinearInputs, type NonlinearModel } from '../config/nonlinearModels.js';

/** `<model>:<inputs>`, the method name in metrics, exports and the report. */
export const nonlinearMethod = (model: NonlinearModel, inputs: NonlinearInputs): string => `${model}:${inputs}`;

/**
 * One fold's feature set, written by the store worker in `dir`:
 *  - `X.npy`      float64 (n, p), C order: the covariates first (`covariates` columns), then the
 *                 fold's score (pgs+covariates) or the selected SNPs' dosages (snps+covariates);
 *  - `y.npy`      float64 (n,): the phenotype (binary: 0 control, 1 case);
 *  - `split.npy`  int8 (n,): 0 the fold's training samples, 1 its held-out samples;
 *  - `columns.json` {"names": string[], "covariates": number}.
 * n counts the samples with a phenotype, every covariate and (pgs) a score; held-out samples are
 * never seen by fitting, early stopping or hyper-parameter choice.
 */
export interface FitNonlinearRequest {
  /** Folder of the feature files above. */
  featuresDir: string;
  /** Where predictions go (created if missing). */
  outDir: string;
  inputs: NonlinearInputs;
  /** Models to fit; the linear baseline of these inputs is `linear` (pgs+covariates) or `elasticnet` (snps+covariates). */
  models: NonlinearModel[];
  trait: 'quantitative' | 'binary';
  seed: number;
  /** Fraction of the training samples held back for early stopping and hyper-parameter choice. */
  innerFraction: number;
}

export interface NonlinearPrediction {
  model: NonlinearModel;
  /**
   * `<outDir>/<model>.npy`, float64 (n,): the prediction for every row of X (training and
   * held-out): the expected phenotype (quantitative) or the probability of a case (binary).
   */
  path: string;
  sha256: string;
  /** Chosen hyper-parameters and the number of boosting rounds/epochs kept, for the audit. */
  hyper: Record<string, number | string | boolean>;
  seconds: number;
}

export interface FitNonlinearResult {
  predictions: NonlinearPrediction[];
  /** `<outDir>/covariates.npy`: the covariates-only linear (logistic) model's prediction, for incremental R². */
  covariatesOnly: { path: string; sha256: string };
  /** Library versions the fits ran with (python, numpy, scikit-learn, lightgbm, …), for provenance. */
  versions: Record<string, string>;
}

/** A written artifact and its hash (the audit records both). */
export interface HashedFile {
  path: string;
  sha256: string;
}

/** Store side: every fold's feature files, from the store's genotypes, scores and sample values. */
export interface NonlinearFeaturesRequest {
  runId: string;
  cohort: string;
  /** The run whose `folds` rows assign samples to folds. */
  foldsRunId: string;
  folds: number;
  phenoDataset: string;
  phenoName: string;
  covarDataset?: string;
  covarNames?: string[];
  trait: 'quantitative' | 'binary';
  /** pgs+covariates: score_name of fold k's score of every sample (index k − 1), in `runId`'s scores. */
  pgsScoreNames?: string[];
  /** snps+covariates: each fold's training GWAS set (index k − 1) and the selection. */
  snps?: { gwasSets: string[]; topSnps: number; pruneR2: number; pruneWindowKb: number };
  /** Feature folder of fold k (index k − 1) per inputs. */
  dirs: Partial<Record<NonlinearInputs, string>>[];
}

export interface FoldFeatures {
  inputs: NonlinearInputs;
  dir: string;
  samples: number;
  training: number;
  heldOut: number;
  /** Feature columns after the covariates (1 for pgs+covariates, the kept SNPs otherwise). */
  features: number;
  files: HashedFile[];
}

export interface NonlinearFeaturesSummary {
  /** Per fold (index k − 1), per inputs. */
  folds: FoldFeatures[][];
}

/** Store side: held-out metrics of every model from the Python worker's predictions. */
export interface EvaluateNonlinearRequest {
  runId: string;
  trait: 'quantitative' | 'binary';
  /** Per fold (index k − 1): each inputs' features and the fits on them. */
  folds: { features: FoldFeatures; fit: FitNonlinearResult }[][];
}
