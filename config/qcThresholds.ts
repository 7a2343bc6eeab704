// QC thresholds (DESIGN §5.1), every default named so a run's provenance records exactly what
// was applied. One schema for the CLI flags and the activity request.
import { z } from 'zod';
import { ConfigError } from './errors.js';

export const AMBIGUOUS_POLICIES = ['keep', 'drop', 'auto'] as const;
export type AmbiguousPolicy = (typeof AMBIGUOUS_POLICIES)[number];

export const QC_DEFAULTS = {
  freqDiff: 0.2,
  maf: 0.01,
  info: 0.9,
  nSd: 3,
  rate2pq: 0.5,
  ambiguous: 'auto' as AmbiguousPolicy,
  maxFreqDrop: 0.25,
  noImpute: false,
  /** `auto` keeps an A/T or C/G variant only when both frequencies are this far from 0.5. */
  ambiguousMargin: 0.1,
  /** Guard: without imputation, at least this fraction of the panel must survive. */
  minPanelCoverage: 0.7,
  /** Guard: a median |b/se| above this means se is not a standard error (or b is not a beta). */
  maxMedianAbsZ: 50,
  /** Guard: all b > 0 with |median b − 1| ≤ this looks like an odds-ratio column. */
  oddsRatioTolerance: 0.2,
} as const;

export const qcThresholdsSchema = z
  .object({
    freqDiff: z.number().gt(0).max(1).default(QC_DEFAULTS.freqDiff),
    maf: z.number().min(0).lt(0.5).default(QC_DEFAULTS.maf),
    info: z.number().min(0).max(1).default(QC_DEFAULTS.info),
    nSd: z.number().gt(0).default(QC_DEFAULTS.nSd),
    rate2pq: z.number().gt(0).default(QC_DEFAULTS.rate2pq),
    ambiguous: z.enum(AMBIGUOUS_POLICIES).default(QC_DEFAULTS.ambiguous),
    maxFreqDrop: z.number().min(0).max(1).default(QC_DEFAULTS.maxFreqDrop),
    noImpute: z.boolean().default(QC_DEFAULTS.noImpute),
    ambiguousMargin: z.number().min(0).lt(0.5).default(QC_DEFAULTS.ambiguousMargin),
    minPanelCoverage: z.number().min(0).max(1).default(QC_DEFAULTS.minPanelCoverage),
    maxMedianAbsZ: z.number().gt(0).default(QC_DEFAULTS.maxMedianAbsZ),
    oddsRatioTolerance: z.number().min(0).default(QC_DEFAULTS.oddsRatioTolerance),
  })
  .strict();

export type QcThresholds = z.output<typeof qcThresholdsSchema>;
export type QcThresholdsInput = z.input<typeof qcThresholdsSchema>;

/** Defaults filled in; a value out of range is a ConfigError naming the field. */
export function resolveQcThresholds(input: QcThresholdsInput = {}, source = 'qc thresholds'): QcThresholds {
  const parsed = qcThresholdsSchema.safeParse(input);
  if (!parsed.success) throw ConfigError.fromZod(source, parsed.error);
  return parsed.data;
}
