// The SBayesRC-multi combined score as an output (issue 21): the mixing model fitted on the tuning
// samples (weights w_a of the standardised PGS, tuning means and SDs) applied to each target
// sample's per-ancestry PGS without centring, Σ_a k_a · (s_a − a2Offset_a) with k_a = w_a / sd_a.
// a2Offset_a (combinedWeights.ts) re-expresses fit a's weights given on the target's A2 allele on
// its A1, so the combined score is one linear score in the target's A1 counts whose per-allele
// weights (the exported scoring file) reproduce it exactly. The tuning-centred score the metrics
// are computed from, Σ_a k_a · (s_a − mean_a), differs from it by the constant `offset`,
// recorded with the model. Pure; any number of ancestries.
import { MetricInputError } from '../errors.js';
import { COMBINED_METHOD } from './combinedMetrics.js';
import type { MixingModel } from './mixingWeights.js';
import type { CombinedScoreModel, MixingWeightingKind } from '../../contracts/evaluation.js';

/** score_name of the combined score in `scores` (also the metrics' method of the combination). */
export const COMBINED_SCORE_NAME = COMBINED_METHOD;

const finiteOrNull = (x: number): number | null => (Number.isFinite(x) ? x : null);

export interface CombinedModelContext {
  cohort: string;
  ancestries: readonly string[];
  scoreNames: readonly string[];
  fitScopes: readonly (string | null)[];
  /** Per ancestry (0 without a fit). */
  a2Offset: readonly number[];
  scoreName?: string;
  weighting?: MixingWeightingKind;
}

export function combinedScoreModel(mixing: MixingModel, ctx: CombinedModelContext): CombinedScoreModel {
  const m = ctx.ancestries.length;
  if (mixing.weights.length !== m || ctx.scoreNames.length !== m || ctx.fitScopes.length !== m || ctx.a2Offset.length !== m) {
    throw new MetricInputError(`${mixing.weights.length} mixing weights, ${ctx.scoreNames.length} score names, ${ctx.fitScopes.length} fits, ${ctx.a2Offset.length} offsets for ${m} ancestries`);
  }
  const model: CombinedScoreModel = {
    scoreName: ctx.scoreName ?? COMBINED_SCORE_NAME,
    weighting: ctx.weighting ?? 'tuning',
    cohort: ctx.cohort,
    ancestries: [...ctx.ancestries],
    scoreNames: [...ctx.scoreNames],
    fitScopes: [...ctx.fitScopes],
    weights: Array.from(mixing.weights, finiteOrNull),
    mean: Array.from(mixing.mean),
    sd: Array.from(mixing.sd),
    a2Offset: [...ctx.a2Offset],
    offset: null,
  };
  const scale = rawScoreScale(model);
  if (scale !== null) {
    let offset = 0;
    scale.forEach((k, a) => (offset += k * (model.mean[a]! - model.a2Offset[a]!)));
    model.offset = offset;
  }
  return model;
}

/** Per ancestry: the coefficient of its raw PGS, w_a / sd_a; null when a weight is not estimated. */
export function rawScoreScale(model: Pick<CombinedScoreModel, 'weights' | 'sd'>): number[] | null {
  const out: number[] = [];
  for (let a = 0; a < model.weights.length; a++) {
    const w = model.weights[a];
    const k = w === null || w === undefined ? NaN : w / model.sd[a]!;
    if (!Number.isFinite(k)) return null;
    out.push(k);
  }
  return out;
}

/** Σ_a k_a · (s_a − shift_a) per sample, ancestry order, from one raw PGS column per ancestry. */
export function combineRawScores(scale: readonly number[], scores: readonly Float64Array[], shift: readonly number[] = scale.map(() => 0)): Float64Array {
  if (scores.length !== scale.length || shift.length !== scale.length) throw new MetricInputError(`${scores.length} PGS and ${shift.length} shifts for ${scale.length} ancestries`);
  const n = scores[0]?.length ?? 0;
  const out = new Float64Array(n);
  scores.forEach((s, a) => {
    const k = scale[a]!;
    const d = shift[a]!;
    for (let i = 0; i < n; i++) out[i] = out[i]! + k * (s[i]! - d);
  });
  return out;
}
