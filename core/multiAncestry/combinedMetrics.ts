// Cross-ancestry evaluation on complete samples: split into tuning and test, mixing weights from
// the tuning samples, then every single-ancestry PGS and the combined score evaluated on the test
// samples only (tuning metrics would be optimistic). Pure; the store module gathers the data.
import { type MetricOptions, evaluateScore, metricRows } from '../evaluation/foldMetrics.js';
import { type MixingModel, combineScores, fitMixingWeights } from './mixingWeights.js';
import { splitTuningTest } from './tuningSplit.js';
import type { MetricRow } from '../../contracts/evaluation.js';

export const SINGLE_METHOD = 'SBayesRC';
export const COMBINED_METHOD = 'SBayesRC-multi';
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

  const model = fitMixingWeights(tune(input.y), input.covariates.map(tune), input.scores.map(tune));
  const yTest = test(input.y);
  const covTest = input.covariates.map(test);
  const scoresTest = input.scores.map(test);
  const rows: MetricRow[] = [];
  input.ancestries.forEach((a, k) => rows.push(...metricRows(a, SINGLE_METHOD, evaluateScore(yTest, scoresTest[k]!, covTest, opts))));
  rows.push(...metricRows(COMBINED_SCOPE, COMBINED_METHOD, evaluateScore(yTest, combineScores(model, scoresTest), covTest, opts)));
  const weights: Record<string, number> = {};
  input.ancestries.forEach((a, k) => {
    const w = model.weights[k]!;
    weights[a] = w;
    rows.push({ scope: COMBINED_SCOPE, method: COMBINED_METHOD, metric: weightMetric(a), value: Number.isFinite(w) ? w : null, se: null, n: split.tuning.length });
  });
  return { rows, weights, tuning: split.tuning.length, test: split.test.length, model };
}
