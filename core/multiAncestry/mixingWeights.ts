// SBayesRC-multi mixing (DESIGN §5.5): each ancestry's PGS standardised with the tuning samples'
// mean and SD, phenotype ~ 1 + covariates + z_1 … z_m by least squares on the tuning samples;
// the z coefficients are the weights and the combined score Σ w_i z_i, with the tuning
// standardisation, is what the test samples are scored with. Covariates adjust the fit but are
// not part of the score, so the test metrics credit the PGS only.
import { ols } from '../evaluation/metrics/index.js';
import { MetricInputError } from '../errors.js';

export interface MixingModel {
  /** Per PGS: tuning mean and SD (n − 1). */
  mean: Float64Array;
  sd: Float64Array;
  /** Per PGS: coefficient of its standardised score. */
  weights: Float64Array;
  /** Per PGS: standard error of its weight (NaN when not known, e.g. fixed weights). */
  weightSe: Float64Array;
}

/** All arrays are the tuning samples' values, complete (no NaN). */
export function fitMixingWeights(y: Float64Array, covariates: readonly Float64Array[], pgs: readonly Float64Array[]): MixingModel {
  const { mean, sd, z } = standardiseScores(pgs);
  const fit = ols(y, [...covariates, ...z]);
  const weights = fit.coefficients.slice(1 + covariates.length);
  return { mean, sd, weights, weightSe: fit.se.slice(1 + covariates.length) };
}

/**
 * Weights learnt elsewhere (summary statistics, or given) on this sample's standardisation:
 * `raw` per unit of each raw PGS (scaled by its SD here), or `standardised` per SD. No phenotype
 * is read: the tuning samples only fix the means and SDs, as for the fitted weights.
 */
export function givenMixingWeights(pgs: readonly Float64Array[], given: { raw: ArrayLike<number>; rawSe?: ArrayLike<number> } | { standardised: ArrayLike<number> }): MixingModel {
  const { mean, sd } = standardiseScores(pgs);
  const m = pgs.length;
  const weights = new Float64Array(m);
  const weightSe = new Float64Array(m).fill(NaN);
  const values = 'raw' in given ? given.raw : given.standardised;
  if (values.length !== m) throw new MetricInputError(`${values.length} given mixing weights for ${m} PGS`);
  for (let k = 0; k < m; k++) {
    weights[k] = 'raw' in given ? values[k]! * sd[k]! : values[k]!;
    if ('raw' in given && given.rawSe !== undefined) weightSe[k] = given.rawSe[k]! * sd[k]!;
  }
  return { mean, sd, weights, weightSe };
}

/** Per PGS: mean, SD (n − 1) and the standardised values; a constant PGS is an error. */
function standardiseScores(pgs: readonly Float64Array[]): { mean: Float64Array; sd: Float64Array; z: Float64Array[] } {
  const m = pgs.length;
  if (m === 0) throw new MetricInputError('no PGS to combine');
  const mean = new Float64Array(m);
  const sd = new Float64Array(m);
  const z = pgs.map((x, k) => {
    const n = x.length;
    let s = 0;
    for (let i = 0; i < n; i++) s += x[i]!;
    const mu = s / n;
    let ss = 0;
    for (let i = 0; i < n; i++) ss += (x[i]! - mu) ** 2;
    const sigma = Math.sqrt(ss / (n - 1));
    if (!(sigma > 0)) throw new MetricInputError(`PGS ${k + 1} is constant in the ${n} tuning samples`);
    mean[k] = mu;
    sd[k] = sigma;
    return x.map((v) => (v - mu) / sigma);
  });
  return { mean, sd, z };
}

/** Σ_i w_i (x_i − mean_i)/sd_i for each sample of `pgs` (any samples, e.g. the test set). */
export function combineScores(model: MixingModel, pgs: readonly Float64Array[]): Float64Array {
  if (pgs.length !== model.weights.length) throw new MetricInputError(`${pgs.length} PGS for ${model.weights.length} mixing weights`);
  const n = pgs[0]?.length ?? 0;
  const out = new Float64Array(n);
  pgs.forEach((x, k) => {
    const w = model.weights[k]! / model.sd[k]!;
    const mu = model.mean[k]!;
    for (let i = 0; i < n; i++) out[i] = out[i]! + w * (x[i]! - mu);
  });
  return out;
}
