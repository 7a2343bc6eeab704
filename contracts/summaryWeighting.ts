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

/** Weights of A per-ancestry scores (their fits' effect files) against a validation GWAS. */
export interface SummaryMixingRequest {
  /** Validation half (SummarySplitSummary.outValid). */
  validSumstats: string;
  ld: string;
  /** One effects file (SNP A1 BETA SE PIP) per score, and the score's name (its ancestry). */
  effects: string[];
  names: string[];
  /** The weights as JSON (the full result, jackknife covariance included). */
  out: string;
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
  /** Pseudo-validation R² of the combination and of each score alone. */
  r2: number;
  r2Se: number | null;
  singleR2: number[];
  nValid: number;
  dropped: { name: string; reason: string; detail: string }[];
  /** Per score: effects matched to the panel, and rows not in it / with other alleles. */
  matched: number[];
  notMatched: number[];
  jackknifeBlocks: number;
  blocks: number;
}
