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
}

/** All arrays are the tuning samples' values, complete (no NaN). */
export function fitMixingWeights(y: Float64Array, covariates: readonly Float64Array[], pgs: readonly Float64Array[]): MixingModel {
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
  const fit = ols(y, [...covariates, ...z]);
  const weights = fit.coefficients.slice(1 + covariates.length);
  return { mean, sd, weights };
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
