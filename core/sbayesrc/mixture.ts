// The five-component mixture prior and the per-SNP Gibbs draw of (δ_j, β_j).
import type { Rng } from '../numeric/random/rng.js';

/** Component variances as multiples of σ²g. */
export const GAMMA: readonly number[] = [0, 1e-5, 1e-4, 1e-3, 1e-2];
export const N_COMPONENTS = 5;
export const START_PI: readonly number[] = [0.99, 0.005, 0.003, 0.001, 0.001];
export const START_SIGMA2G = 0.5;

export interface SnpDraw {
  delta: number;
  beta: number;
}

/**
 * Per-block constants of the components given likelihood precision c: L_k = 1/(c + 1/σ²_k)
 * and ½(log L_k − log σ²_k). They only change with σ²g and σ²e, so they are computed once per
 * block and sweep rather than per SNP.
 */
export interface ComponentConstants {
  l: Float64Array;
  half: Float64Array;
}

export function componentConstants(c: number, sigma2: ArrayLike<number>, out?: ComponentConstants): ComponentConstants {
  const cc = out ?? { l: new Float64Array(N_COMPONENTS), half: new Float64Array(N_COMPONENTS) };
  cc.l[0] = 0;
  cc.half[0] = 0;
  for (let k = 1; k < N_COMPONENTS; k++) {
    const s2 = sigma2[k]!;
    const lk = 1 / (c + 1 / s2);
    cc.l[k] = lk;
    cc.half[k] = 0.5 * (Math.log(lk) - Math.log(s2));
  }
  return cc;
}

/**
 * Log-weights g_0 = log π_0, g_k = ½(log L_k − log σ²_k + L_k rhs²) + log π_k: the marginal
 * likelihood of rhs under each component up to a shared constant.
 */
export function logWeights(rhs: number, cc: ComponentConstants, logPi: ArrayLike<number>, piOffset: number, g: Float64Array): void {
  const r2 = 0.5 * rhs * rhs;
  g[0] = logPi[piOffset]!;
  for (let k = 1; k < N_COMPONENTS; k++) g[k] = cc.half[k]! + cc.l[k]! * r2 + logPi[piOffset + k]!;
}

/** Draw δ from softmax(g) (one uniform) and β ~ N(L_δ·rhs, L_δ), 0 when δ = 0. */
export function drawSnp(rhs: number, g: Float64Array, l: Float64Array, rng: Rng, out: SnpDraw): void {
  let max = -Infinity;
  for (let k = 0; k < N_COMPONENTS; k++) if (g[k]! > max) max = g[k]!;
  let total = 0;
  for (let k = 0; k < N_COMPONENTS; k++) {
    const e = Math.exp(g[k]! - max);
    g[k] = e;
    total += e;
  }
  let u = rng.uniform() * total;
  let delta = N_COMPONENTS - 1;
  for (let k = 0; k < N_COMPONENTS; k++) {
    u -= g[k]!;
    if (u < 0) {
      delta = k;
      break;
    }
  }
  out.delta = delta;
  if (delta === 0) {
    out.beta = 0;
    return;
  }
  const lk = l[delta]!;
  out.beta = lk * rhs + Math.sqrt(lk) * rng.normal();
}
