// Cross-ancestry evaluation on complete samples: split into tuning and test, mixing weights from
// the tuning samples, then every single-ancestry PGS and the combined score evaluated on the test
// samples only (tuning metrics would be optimistic). Pure; the store module gathers the data.
import { type MetricOptions, evaluateScore, metricRows } from '../evaluation/foldMetrics.js';
import { type MixingModel, combineScores, fitMixingWeights, givenMixingWeights } from './mixingWeights.js';
import { splitTuningTest } from './tuningSplit.js';
import type { MetricRow, MixingWeighting } from '../../contracts/evaluation.js';

export const SINGLE_METHOD = 'SBayesRC';
export const COMBINED_METHOD = 'SBayesRC-multi';
/** The tuning-sample combination evaluated beside summary or fixed weights, for comparison. */
export const TUNING_COMPARISON_METHOD = 'SBayesRC-multi-tuning';
export const COMBINED_SCOPE = 'combined';
export const weightMetric = (ancestry: string): string => `weight:${ancestry}`;

export interface CombinationInput {
  y: Float64Array;
  covariates: readonly Float64Array[];
  /** One PGS per ancestry, every value finite, same samples as y. */
  scores: readonly Float64Array[];
  ancestries: readonly string[];
  tuningFraction: number;
  seed: number;
  /** Default: least squares on the tuning samples. */
  weighting?: MixingWeighting;
}

export interface CombinationResult {
  rows: MetricRow[];
  weights: Record<string, number>;
  tuning: number;
  test: number;
  /** The fitted mixing model (tuning means, SDs and weights, in the order of `ancestries`). */
  model: MixingModel;
}

export function evaluateCombination(input: CombinationInput, opts: MetricOptions): CombinationResult {
  const split = splitTuningTest(input.y.length, input.tuningFraction, input.seed);
  const part = (x: Float64Array, idx: Int32Array): Float64Array => Float64Array.from(idx, (i) => x[i]!);
  const tune = (x: Float64Array): Float64Array => part(x, split.tuning);
  const test = (x: Float64Array): Float64Array => part(x, split.test);

  const w = input.weighting ?? { kind: 'tuning' };
  const tuned = fitMixingWeights(tune(input.y), input.covariates.map(tune), input.scores.map(tune));
  const tuneScores = input.scores.map(tune);
  const model =
    w.kind === 'tuning'
      ? tuned
      : w.kind === 'summary'
        ? givenMixingWeights(tuneScores, { raw: w.raw, rawSe: w.rawSe.map((x) => x ?? NaN) })
        : givenMixingWeights(tuneScores, { standardised: w.standardised });
  const yTest = test(input.y);
  const covTest = input.covariates.map(test);
  const scoresTest = input.scores.map(test);
  const rows: MetricRow[] = [];
  input.ancestries.forEach((a, k) => rows.push(...metricRows(a, SINGLE_METHOD, evaluateScore(yTest, scoresTest[k]!, covTest, opts))));
  const combinations: [string, MixingModel][] = w.kind === 'tuning' ? [[COMBINED_METHOD, model]] : [[COMBINED_METHOD, model], [TUNING_COMPARISON_METHOD, tuned]];
  const weights: Record<string, number> = {};
  for (const [method, mix] of combinations) {
    rows.push(...metricRows(COMBINED_SCOPE, method, evaluateScore(yTest, combineScores(mix, scoresTest), covTest, opts)));
    // n: the samples the weights were learnt from (the validation GWAS's N for summary weights).
    const n = method === COMBINED_METHOD && w.kind === 'summary' ? Math.round(w.nValid) : method === COMBINED_METHOD && w.kind === 'fixed' ? 0 : split.tuning.length;
    input.ancestries.forEach((a, k) => {
      const value = mix.weights[k]!;
      const se = mix.weightSe[k]!;
      if (method === COMBINED_METHOD) weights[a] = value;
      // se: OLS on the tuning samples, or the summary weights' block jackknife (null when fixed).
      rows.push({ scope: COMBINED_SCOPE, method, metric: weightMetric(a), value: Number.isFinite(value) ? value : null, se: Number.isFinite(se) ? se : null, n });
    });
  }
  return { rows, weights, tuning: split.tuning.length, test: split.test.length, model };
}
