// Evaluation across the Temporal line: the phenotype a score is judged against, held-out fold
// metrics and the cross-ancestry combination, and the metric row every view shares.
/** The phenotype a score is evaluated against, and the covariates adjusted for (store datasets). */
export interface PhenotypeInputs {
  phenoDataset: string;
  phenoName: string;
  covarDataset?: string;
  /** Default: every numeric column of the covariate dataset. */
  covarNames?: string[];
  trait: Trait;
  /** Population prevalence of a binary trait (liability-scale R²). */
  prevalence?: number;
}

export interface EvaluateFoldsRequest extends PhenotypeInputs {
  runId: string;
  cohort: string;
  method: string;
  scorePrefix: string;
  folds: number;
}

export interface CombineAncestriesRequest extends PhenotypeInputs {
  runId: string;
  cohort: string;
  /** score_name of each ancestry's PGS, in the order of `ancestries`. */
  scoreNames: string[];
  ancestries: string[];
  tuningFraction: number;
  seed: number;
  /**
   * Scope in `fits` / `effects` of the fit that scored each ancestry's PGS (default: the run's one
   * fit of that ancestry, if any): the combined score is then expressed per copy of the target's
   * A1 alleles, as the exported scoring file counts them.
   */
  fitScopes?: string[];
  /** How the mixing weights are learnt (default: least squares on the tuning samples). */
  weighting?: MixingWeighting;
}

/** How SBayesRC-multi's mixing weights were learnt (config/study.ts MIXING_WEIGHTINGS). */
export type MixingWeightingKind = 'tuning' | 'summary' | 'fixed';

/**
 * `tuning`: OLS on the target's tuning samples. `summary`: per unit of each raw PGS, learnt from
 * the target GWAS's pseudo-validation half (with block-jackknife SEs). `fixed`: given per SD of
 * each PGS. With `summary` and `fixed` the tuning samples' phenotypes are not used for the score;
 * the tuning-sample weights are still evaluated beside them for comparison (method
 * `SBayesRC-multi-tuning`), on the same test samples.
 */
export type MixingWeighting =
  | { kind: 'tuning' }
  | { kind: 'summary'; raw: number[]; rawSe: (number | null)[]; pseudoR2: number; nValid: number }
  | { kind: 'fixed'; standardised: number[] };

export interface CombineAncestriesSummary {
  rows: MetricRow[];
  weights: Record<string, number>;
  tuning: number;
  test: number;
  /** The mixing model as applied to the stored combined score (also what the export reads). */
  model: CombinedScoreModel;
  /** Target samples given the combined score in `scores` (every sample scored by every ancestry). */
  scored: number;
}

/**
 * The SBayesRC-multi combination as stored and exported. With k_a = weights[a] / sd[a], the stored
 * combined score of a target sample with per-ancestry PGS s_a is Σ_a k_a · (s_a − a2Offset[a]):
 * the same linear score with every weight counted on the target's A1 allele (a fit's weight on
 * A2 counts 2 − x copies of A1, hence its constant a2Offset = Σ 2β over those rows). It is what
 * scoring the target with the exported per-allele weights Σ_a k_a · β_a gives, exactly. The
 * tuning-centred score the test metrics use, Σ_a k_a · (s_a − mean[a]), is that minus `offset`.
 */
export interface CombinedScoreModel {
  /** score_name of the combined score in the `scores` table. */
  scoreName: string;
  /** How `weights` were learnt (absent in runs before issue 21's weighting: tuning). */
  weighting?: MixingWeightingKind;
  /** The target cohort scored. */
  cohort: string;
  /** Training ancestries in order, the score_name of each one's PGS and its fit's scope (null: no fit recorded). */
  ancestries: string[];
  scoreNames: string[];
  fitScopes: (string | null)[];
  /** Coefficient of each standardised PGS (null when the fit could not estimate it). */
  weights: (number | null)[];
  /** Tuning-sample mean and SD (n − 1) of each PGS. */
  mean: number[];
  sd: number[];
  /** Per ancestry: Σ 2β over its fit's rows whose effect allele is the target's A2 (0 without a fit). */
  a2Offset: number[];
  /** Σ_a k_a · (mean[a] − a2Offset[a]) (null when a weight is). */
  offset: number | null;
}

/** One evaluated quantity; `se` across folds for aggregates. */
export interface MetricRow {
  scope: string;
  method: string;
  metric: string;
  value: number | null;
  se: number | null;
  n: number;
}

export type Trait = 'quantitative' | 'binary';
