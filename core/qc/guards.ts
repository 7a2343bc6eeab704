// QC guards (DESIGN §5.1, issue 5): conditions under which cleaning cannot rescue the input and
// going on would fit nonsense. Each outcome is recorded whether it passed or not; a failure is a
// non-retryable GuardError whose message names the likely cause.
import { GuardError } from '../errors.js';
import { percent, short } from './numberFormat.js';
import type { QcThresholds } from '../../config/qcThresholds.js';
import type { GuardOutcome } from '../../contracts/qc.js';

export interface GuardInputs {
  /** Valid rows (after the value and se rules): their b and |b/se|. */
  valid: number;
  allPositiveB: boolean;
  medianB: number;
  medianAbsZ: number;
  /** The allele-frequency filter: variants that reached it and variants it removed. */
  freqReached: number;
  freqRemoved: number;
  remaining: number;
  panelSnps: number;
}

export function evaluateGuards(g: GuardInputs, t: QcThresholds): GuardOutcome[] {
  const out: GuardOutcome[] = [];

  const looksLikeOr = g.valid > 0 && g.allPositiveB && Math.abs(g.medianB - 1) <= t.oddsRatioTolerance;
  out.push({
    guard: 'odds_ratio',
    evaluated: g.valid > 0,
    passed: !looksLikeOr,
    value: g.valid > 0 ? g.medianB : null,
    threshold: t.oddsRatioTolerance,
    message: looksLikeOr
      ? `every b is positive and their median is ${short(g.medianB)}: the effect column looks like odds ratios, not log odds ratios (give b = log(OR))`
      : 'b is not all positive around 1: not an odds-ratio column',
  });

  const zTooLarge = g.medianAbsZ > t.maxMedianAbsZ;
  out.push({
    guard: 'median_abs_z',
    evaluated: g.valid > 0,
    passed: !zTooLarge,
    value: g.valid > 0 ? g.medianAbsZ : null,
    threshold: t.maxMedianAbsZ,
    message: zTooLarge
      ? `median |b/se| is ${short(g.medianAbsZ)} (> ${t.maxMedianAbsZ}): se is probably not a standard error (a variance, or on another scale than b), or b is not a per-allele effect`
      : `median |b/se| is ${short(g.medianAbsZ)}`,
  });

  const dropFraction = g.freqReached > 0 ? g.freqRemoved / g.freqReached : 0;
  const tooManyDropped = dropFraction > t.maxFreqDrop;
  out.push({
    guard: 'freq_drop',
    evaluated: g.freqReached > 0,
    passed: !tooManyDropped,
    value: dropFraction,
    threshold: t.maxFreqDrop,
    message: tooManyDropped
      ? `the allele-frequency filter removed ${g.freqRemoved} of ${g.freqReached} variants (${percent(dropFraction)} > ${percent(t.maxFreqDrop)}): ` +
        `frequency column may be the other allele's, or the panel is another ancestry or build`
      : `the allele-frequency filter removed ${g.freqRemoved} of ${g.freqReached} variants (${percent(dropFraction)})`,
  });

  const coverage = g.panelSnps > 0 ? g.remaining / g.panelSnps : 0;
  const lowCoverage = t.noImpute && coverage < t.minPanelCoverage;
  out.push({
    guard: 'panel_coverage',
    evaluated: t.noImpute,
    passed: !lowCoverage,
    value: coverage,
    threshold: t.minPanelCoverage,
    message: !t.noImpute
      ? `${percent(coverage)} of the panel's SNPs remain; not checked because imputation of missing SNPs is planned`
      : lowCoverage
        ? `only ${g.remaining} of the panel's ${g.panelSnps} SNPs remain after QC (${percent(coverage)} < ${percent(t.minPanelCoverage)}) and no imputation is planned: ` +
          `the summary statistics may use other SNP IDs or another build than the panel, or cover only part of the genome; impute the missing SNPs or use a matching panel`
        : `${percent(coverage)} of the panel's SNPs remain`,
  });

  const noneLeft = g.remaining === 0;
  out.push({
    guard: 'none_left',
    evaluated: true,
    passed: !noneLeft,
    value: g.remaining,
    threshold: 1,
    message: noneLeft
      ? 'no variant survived QC: check that the summary statistics and the LD panel use the same SNP IDs, and see the removed list for the rule that took them'
      : `${g.remaining} variants remain`,
  });
  return out;
}

/** Throw the failed guards (all of them, in order) as one GuardError. */
export function assertGuards(outcomes: readonly GuardOutcome[]): void {
  const failed = outcomes.filter((o) => !o.passed);
  if (failed.length > 0) throw new GuardError(`QC guard failed: ${failed.map((o) => o.message).join('; ')}`);
}
