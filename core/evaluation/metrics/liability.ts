// Observed-scale R² of a binary trait (0/1 case status) to the liability scale.
import { normalQuantile } from '../../numeric/random/normalDistribution.js';
import { MetricInputError } from '../../errors.js';

const INV_SQRT_2PI = 0.398942280401432677939946059934;

/**
 * Lee, Goddard, Wray & Visscher (2012), "A better coefficient of determination for genetic
 * profile analysis", Genet Epidemiol 36:214–224, eq. (15): with population prevalence K,
 * case proportion P in the evaluated sample, t = Φ⁻¹(1−K), z = φ(t), m = z/K,
 *   C = K(1−K)/z² · K(1−K)/(P(1−P)),
 *   θ = m(P−K)/(1−K) · (m(P−K)/(1−K) − t),
 *   R²_liab = R²_obs·C / (1 + R²_obs·θ·C).
 * C rescales from the 0/1 scale of the ascertained sample to the liability scale of the
 * population; θ corrects for the variance reduction ascertainment causes (θ = 0 when P = K).
 * R²_obs is the R² of the linear regression of 0/1 status on the score. NaN in, NaN out.
 */
export function liabilityR2(r2Observed: number, K: number, P: number): number {
  if (!(K > 0 && K < 1)) throw new MetricInputError(`prevalence K must be in (0, 1), got ${K}`);
  if (!(P > 0 && P < 1)) throw new MetricInputError(`case proportion P must be in (0, 1), got ${P}`);
  if (Number.isNaN(r2Observed)) return NaN;
  if (r2Observed < 0 || r2Observed > 1) throw new MetricInputError(`observed-scale R² must be in [0, 1], got ${r2Observed}`);
  const t = normalQuantile(1 - K);
  const z = INV_SQRT_2PI * Math.exp(-0.5 * t * t);
  const m = z / K;
  const c = ((K * (1 - K)) / (z * z)) * ((K * (1 - K)) / (P * (1 - P)));
  const d = (m * (P - K)) / (1 - K);
  const theta = d * (d - t);
  return (r2Observed * c) / (1 + r2Observed * theta * c);
}
