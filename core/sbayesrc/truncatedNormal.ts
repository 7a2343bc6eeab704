// N(μ, 1) truncated to y > 0 or y ≤ 0: the probit model's latent liabilities.
import { normalCdf, normalQuantile } from '../numeric/random/normalDistribution.js';
import type { Rng } from '../numeric/random/rng.js';

/** Beyond this the inverse-CDF loses precision (Φ(−a) ~ 1e-7): switch to exponential rejection. */
const TAIL = 5;

/** Z ~ N(0,1) conditioned on Z > a. */
export function standardNormalAbove(a: number, rng: Rng): number {
  if (a <= 0) {
    // Plain rejection: acceptance Φ(−a) ≥ ½, and a ziggurat normal is far cheaper than Φ and Φ⁻¹.
    for (;;) {
      const z = rng.normal();
      if (z > a) return z;
    }
  }
  if (a < TAIL) {
    // Z = −Φ⁻¹(u·Φ(−a)): −Z is N(0,1) below −a, sampled by inverse CDF on its lower tail.
    const upper = normalCdf(-a);
    const z = -normalQuantile(rng.uniform() * upper);
    return z > a ? z : a;
  }
  // Robert (1995): translated exponential proposal with the optimal rate.
  const lambda = (a + Math.sqrt(a * a + 4)) / 2;
  for (;;) {
    const z = a - Math.log(rng.uniform()) / lambda;
    const d = z - lambda;
    if (Math.log(rng.uniform()) < -0.5 * d * d) return z;
  }
}

/** y ~ N(mu, 1) truncated to y > 0 (`positive`) or y ≤ 0. */
export function truncatedLiability(mu: number, positive: boolean, rng: Rng): number {
  // y > 0 ⇔ z = y − μ > −μ; y ≤ 0 ⇔ −z > μ.
  return positive ? mu + standardNormalAbove(-mu, rng) : mu - standardNormalAbove(mu, rng);
}
