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
}

export interface CombineAncestriesSummary {
  rows: MetricRow[];
  weights: Record<string, number>;
  tuning: number;
  test: number;
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
