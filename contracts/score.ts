// Polygenic scores in the store: held-out folds scored with their own fold's weights, and a
// cohort scored with several fits.
export interface HeldOutScoreRequest {
  runId: string;
  cohort: string;
  /** One weight file per fold (fold k = index k−1), e.g. each fold's SBayesRC effects. */
  weightFiles: string[];
  /** GWAS sets giving each fold's training frequencies (default `<foldsRunId>/fold<k>`, written with the folds). */
  frequencySets?: string[];
  center?: boolean;
  /** Score names are `${scorePrefix}fold<k>` (default ''), so several methods' scores of one run coexist. */
  scorePrefix?: string;
  /** The run whose `folds` rows assign samples to folds (default runId: a resumed run reuses its predecessor's). */
  foldsRunId?: string;
}

export interface HeldOutScoreSummary {
  scored: number;
  perFold: number[];
  matchedVariants: number;
}

export interface CohortScoreRequest {
  runId: string;
  cohort: string;
  /** One score per file (a single weight column each). */
  weightFiles: string[];
  /** `scores.score_name` of each file's score. */
  scoreNames: string[];
  /** GWAS set whose frequencies impute missing calls for each score (its training samples). */
  frequencySets: string[];
  /** Score only the samples in 1-based `fold` of `foldsRunId`'s folds of this cohort. */
  only?: { foldsRunId: string; fold: number };
}

export interface CohortScoreSummary {
  scored: number;
  /** Per weight file: weights matched to a cohort variant. */
  matchedVariants: number[];
}
