// Summary-statistics QC across the Temporal line: the request, the per-rule report that the
// activity returns and `F.qc.json` holds, and the rule and guard names (DESIGN §5.1).
import type { QcThresholds, QcThresholdsInput } from '../config/qcThresholds.js';

export interface QcRequest extends QcThresholdsInput {
  runId: string;
  /** fold-3, EUR, … (as in `steps.scope`). */
  scope: string;
  gwasSet: string;
  panel: string;
}

export interface QcSummary extends QcReport {
  gwasSet: string;
  /** The cleaned set written to `gwas`. */
  outputSet: string;
}

export interface QcRuleReport {
  position: number;
  rule: QcRule;
  removed: number;
  remaining: number;
  applied: boolean;
  threshold: number | string | null;
  note?: string;
}

export interface QcReport {
  status: 'passed' | 'failed';
  inputRows: number;
  panelSnps: number;
  remaining: number;
  panelCoverage: number;
  rules: QcRuleReport[];
  reoriented: QcReorientation;
  ambiguousKept: number;
  /** Rows matched to a panel SNP by chromosome, position and alleles (their ID is not the panel's). */
  matchedByPosition: number;
  thresholds: QcThresholds;
  guards: GuardOutcome[];
  stats: QcStats;
}

export const QC_RULES = [
  // Set aside while reading the file (core/formats/sumstats.ts), before any other rule:
  'non_autosomal', // X, Y, MT, … rows
  'allele_not_snv', // indels, multi-base, symbolic or non-ACGT alleles
  'same_alleles', // effect and other allele identical
  'multi_allelic', // a position with several allele pairs (or a list of ALT alleles)
  'missing_value', // NA / blank in a column the row needs
  'duplicate_variant', // same ID with different values, or same chr:pos:alleles under another ID (first kept)
  'not_lifted', // --chain: the position has no place in the target build
  'invalid_value', // non-finite N/b/se/freq, N ≤ 0, freq or p outside [0, 1]
  'se_not_positive',
  'duplicate_id', // every copy after the first
  'not_in_panel',
  'allele_mismatch', // matches the panel's pair neither as is, swapped, nor on the other strand
  'ambiguous_strand', // A/T or C/G, per the --ambiguous policy
  'freq_diff', // the allele-frequency filter: |freq − panel A1Freq| > freqDiff
  'maf',
  'info', // only when the input has an INFO column
  'n_outlier', // N outside mean ± nSd·SD
  'variance_outlier', // |sqrt(v_j / median v) − 1| ≥ rate2pq, v_j = 2f(1−f)(N·se² + b²)
] as const;

export type QcRule = (typeof QC_RULES)[number];

export const QC_GUARDS = ['genome_build', 'odds_ratio', 'median_abs_z', 'freq_drop', 'panel_coverage', 'none_left'] as const;

export type QcGuard = (typeof QC_GUARDS)[number];

export interface GuardOutcome {
  guard: QcGuard;
  /** False when the guard does not apply (e.g. panel coverage while imputation is planned). */
  evaluated: boolean;
  passed: boolean;
  value: number | null;
  threshold: number | null;
  message: string;
}

/** Rows kept after re-orienting them to the panel's alleles. */
export interface QcReorientation {
  swapped: number;
  strandFlipped: number;
  flippedAndSwapped: number;
}

/** Scale figures of the rows that reached the outlier rules. */
export interface QcStats {
  medianAbsZ: number;
  medianB: number;
  nMean: number;
  nSd: number;
  medianV: number;
}
