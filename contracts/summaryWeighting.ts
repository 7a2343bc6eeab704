// Mixing weights of SBayesRC-multi learnt from summary statistics alone (issue 21): the target
// GWAS split in silico into training and validation halves, then the weights that maximise the
// validation half's R² given the target LD panel. Both are compute activities: files in, files out.

/** Split a target GWAS (an imputed .ma on the panel: every panel SNP, panel alleles) in two. */
export interface SummarySplitRequest {
  /** Summary statistics aligned to the panel (the fit pipeline's imputed or QC'd .ma). */
  sumstats: string;
  /** The target ancestry's SBayesRC LD folder. */
  ld: string;
  seed: number;
  /** N_t / N in (0, 1) (default 0.8). */
  trainFraction?: number;
  /** The two halves as COJO .ma files. */
  outTrain: string;
  outValid: string;
}

export interface SummarySplitSummary {
  outTrain: string;
  outValid: string;
  trainFraction: number;
  /** Panel SNPs written to both halves, and those the GWAS lacked (left out of both). */
  snps: number;
  absent: number;
  /** Median N of the two halves. */
  nTrain: number;
  nValid: number;
  blocks: number;
  seconds: number;
}

/**
 * Weights of A per-ancestry scores (their fits' effect files) against the target GWAS. Scores
 * fitted on other cohorts are independent of it, so their covariance with the phenotype comes
 * from the whole target GWAS (`sumstats`); the target's own score is validated on the half it
 * was not refitted on (`validSumstats`, see `targetHalf`).
 */
export interface SummaryMixingRequest {
  /** The target GWAS as split (SummarySplitRequest.sumstats). */
  sumstats: string;
  /** Its validation half (SummarySplitSummary.outValid). */
  validSumstats: string;
  ld: string;
  /** One effects file (SNP A1 BETA SE PIP) per score, and the score's name (its ancestry). */
  effects: string[];
  names: string[];
  /**
   * The score fitted on the target GWAS itself (`effects[index]`) and that fit's method refitted
   * on the training half (a fraction `trainFraction` of the GWAS). Its covariance with the
   * phenotype is a calibration slope (from the half fit's on the validation half, with a prior at
   * 1) times the full fit's LD-implied variance (summaryMixingFiles.ts), never the full fit's
   * in-sample one. Without it every score must be independent of the target
   * GWAS (target not trained on).
   */
  targetHalf?: { index: number; effects: string; trainFraction: number };
  /** The weights as JSON (the full result, jackknife covariance included). */
  out: string;
}

/** How the target's own (full-GWAS) score entered the weights: see SummaryMixingRequest.targetHalf. */
export interface TargetCalibration {
  name: string;
  /** The calibration slope used: c_T = slope · Σ_T,full. */
  slope: number;
  /** c_half / Σ_half: regression slope of the validation phenotype on the half fit's score, and its SE. */
  validationSlope: number;
  validationSlopeSe: number;
  /** f = N_t/N of the half fit: slope = 1 + λ·f·(validationSlope − 1). */
  trainFraction: number;
  /** Prior SD of the slope around 1, and the weight λ of the validation step in `slope`. */
  priorSd: number;
  lambda: number;
  /** Σ_full / Σ_half: variance of the full fit's score relative to the half fit's, on the target LD. */
  kappa: number;
  /** Pseudo-validation R² of the half fit alone, c_half² / Σ_half. */
  halfR2: number;
}

export interface SummaryMixingResult {
  out: string;
  names: string[];
  /** Per unit of each raw per-allele score, in phenotype SD (0 for a dropped score). */
  rawWeights: number[];
  rawWeightSe: (number | null)[];
  /** Per SD of each score on the target LD (the scale of the tuning-sample weights). */
  standardisedWeights: number[];
  standardisedWeightSe: (number | null)[];
  /** Estimated R² in the target of the combination and of each score alone (c²/Σ). */
  r2: number;
  r2Se: number | null;
  singleR2: number[];
  /** Median N of the whole target GWAS and of its validation half. */
  n: number;
  nValid: number;
  dropped: { name: string; reason: string; detail: string }[];
  /** Per score: effects matched to the panel, and rows not in it / with other alleles. */
  matched: number[];
  notMatched: number[];
  jackknifeBlocks: number;
  blocks: number;
  targetCalibration: TargetCalibration | null;
}
