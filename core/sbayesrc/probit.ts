// The annotation model: four nested probits p_jc = P(δ_j > c | δ_j ≥ c) = Φ(a_jᵀα_c), c = 0..3.
// Given δ, each level is an ordinary probit regression on the SNPs that reached it, sampled by
// data augmentation (Albert & Chib): truncated-normal liabilities, then Gibbs on α.
import { normalCdf, normalQuantile } from '../numeric/random/normalDistribution.js';
import type { Rng } from '../numeric/random/rng.js';
import { N_COMPONENTS, START_PI } from './mixture.js';
import { truncatedLiability } from './truncatedNormal.js';

export const N_LEVELS = N_COMPONENTS - 1;
/** α_0 of a level no SNP reached: Φ(−10) ≈ 0. */
export const EMPTY_LEVEL_INTERCEPT = -10;

/**
 * Annotation matrix, SNP-major: a[j·nA + t]; column 0 is the intercept (all 1). Float32: half
 * the memory and half the bytes each sweep streams (formats/annotationMatrix.ts says why that
 * is exact enough); products of two float32 values are exact in double, so XᵀX is too.
 */
export interface Annotations {
  nA: number;
  a: Float32Array;
}

/** α_{0c} at Φ⁻¹ of the conditional probabilities implied by START_PI, other coefficients 0. Layout α[c·nA + t]. */
export function initialAlpha(nA: number): Float64Array {
  const alpha = new Float64Array(N_LEVELS * nA);
  let tail = 1;
  for (let c = 0; c < N_LEVELS; c++) {
    const next = tail - START_PI[c]!;
    alpha[c * nA] = normalQuantile(next / tail);
    tail = next;
  }
  return alpha;
}

/**
 * π_j from α: π_j0 = 1−p_j0, π_jk = (1−p_jk)∏_{c<k}p_jc, π_j4 = ∏ p_jc; written as log π into
 * logPi[j·5 + k], and as π into `pi` when given (the accumulators need both).
 */
export function snpLogPi(ann: Annotations, alpha: Float64Array, nSnps: number, logPi: Float64Array, pi?: Float64Array): void {
  const { nA, a } = ann;
  for (let j = 0; j < nSnps; j++) {
    let reach = 1;
    for (let c = 0; c < N_LEVELS; c++) {
      let eta = 0;
      for (let t = 0; t < nA; t++) eta += a[j * nA + t]! * alpha[c * nA + t]!;
      const p = normalCdf(eta);
      const pic = reach * (1 - p);
      logPi[j * N_COMPONENTS + c] = Math.log(pic);
      if (pi) pi[j * N_COMPONENTS + c] = pic;
      reach *= p;
    }
    logPi[j * N_COMPONENTS + N_LEVELS] = Math.log(reach);
    if (pi) pi[j * N_COMPONENTS + N_LEVELS] = reach;
  }
}

/**
 * One Gibbs update of a probit regression y* ~ N(Xα, 1), y = [y* > 0], on rows `rows`:
 * liabilities, then single-site updates of α (flat prior on α_0, N(0, σ²α) on the rest),
 * then σ²α ~ (Σ_{t≥1} α_t² + 4)/χ²(4 + nA − 1). `alpha` (length nA) is updated in place.
 */
export function probitGibbs(
  ann: Annotations,
  rows: Int32Array,
  nRows: number,
  outcome: Uint8Array,
  alpha: Float64Array,
  sigma2Alpha: number,
  rng: Rng,
  scratch: Float64Array,
): number {
  const { nA, a } = ann;
  if (nRows === 0) {
    // Nobody reached this level: make going further (almost) impossible, as the reference does.
    alpha.fill(0);
    alpha[0] = EMPTY_LEVEL_INTERCEPT;
    return nA > 1 ? 4 / rng.chiSquared(4 + nA - 1) : sigma2Alpha;
  }
  // scratch holds the residual y* − Xα over the selected rows.
  for (let r = 0; r < nRows; r++) {
    const j = rows[r]!;
    let eta = 0;
    for (let t = 0; t < nA; t++) eta += a[j * nA + t]! * alpha[t]!;
    scratch[r] = truncatedLiability(eta, outcome[r] === 1, rng) - eta;
  }
  for (let t = 0; t < nA; t++) {
    let xx = 0;
    let xr = 0;
    for (let r = 0; r < nRows; r++) {
      const x = a[rows[r]! * nA + t]!;
      xx += x * x;
      xr += x * scratch[r]!;
    }
    const old = alpha[t]!;
    const prec = xx + (t === 0 ? 0 : 1 / sigma2Alpha);
    if (!(prec > 0)) continue; // no rows at this level: nothing to learn, keep α_t
    const mean = (xr + xx * old) / prec;
    const next = mean + rng.normal() / Math.sqrt(prec);
    alpha[t] = next;
    const d = old - next;
    for (let r = 0; r < nRows; r++) scratch[r] = scratch[r]! + a[rows[r]! * nA + t]! * d;
  }
  if (nA <= 1) return sigma2Alpha;
  let ss = 0;
  for (let t = 1; t < nA; t++) ss += alpha[t]! * alpha[t]!;
  return (ss + 4) / rng.chiSquared(4 + nA - 1);
}

/** Workspace for `updateAnnotationModel` (sized once for nSnps). */
export interface ProbitWorkspace {
  rows: Int32Array;
  outcome: Uint8Array;
  scratch: Float64Array;
  alphaC: Float64Array;
}

export function probitWorkspace(nSnps: number, nA: number): ProbitWorkspace {
  return { rows: new Int32Array(nSnps), outcome: new Uint8Array(nSnps), scratch: new Float64Array(nSnps), alphaC: new Float64Array(nA) };
}

/** All four levels given δ; removed SNPs (removed[j] = 1) take no part. Updates alpha and sigma2Alpha in place. */
export function updateAnnotationModel(
  ann: Annotations,
  delta: Uint8Array,
  removed: Uint8Array,
  alpha: Float64Array,
  sigma2Alpha: Float64Array,
  rng: Rng,
  ws: ProbitWorkspace,
): void {
  const nSnps = delta.length;
  const { nA } = ann;
  for (let c = 0; c < N_LEVELS; c++) {
    let n = 0;
    for (let j = 0; j < nSnps; j++) {
      if (removed[j] === 1 || delta[j]! < c) continue;
      ws.rows[n] = j;
      ws.outcome[n] = delta[j]! > c ? 1 : 0;
      n++;
    }
    const ac = ws.alphaC;
    for (let t = 0; t < nA; t++) ac[t] = alpha[c * nA + t]!;
    sigma2Alpha[c] = probitGibbs(ann, ws.rows, n, ws.outcome, ac, sigma2Alpha[c]!, rng, ws.scratch);
    for (let t = 0; t < nA; t++) alpha[c * nA + t] = ac[t]!;
  }
}

/** Doubles per level in a block's liability statistics: n, Xᵀe (nA), XᵀX (nA × nA). */
export function levelStatsLength(nA: number): number {
  return 1 + nA + nA * nA;
}

/**
 * The Gibbs update of all four levels from the liabilities' sufficient statistics (the native
 * kernel draws the liabilities per block on the blocks' own streams: native/sbayes.c
 * block_liabilities). `stats` holds nBlocks × 4 levels × levelStatsLength(nA): per level n, Xᵀe
 * and the upper triangle of XᵀX (a block where no SNP reached the level has only n = 0). Level
 * 0's XᵀX is `gram0` (every kept SNP's, summed over blocks and mirrored: it changes only when
 * the guard removes a SNP). The statistics are added in block order, so the sums — and the
 * chain — do not depend on which thread drew which block. Same single-site updates as
 * probitGibbs: with b = Xᵀe and G = XᵀX, xx = G_tt, xr = b_t, and moving α_t by −d moves e by
 * x_t·d, i.e. b by G_·t·d.
 */
export function updateAnnotationModelFromStats(
  nA: number,
  stats: Float64Array,
  nBlocks: number,
  gram0: Float64Array,
  alpha: Float64Array,
  sigma2Alpha: Float64Array,
  rng: Rng,
): void {
  const L = levelStatsLength(nA);
  const sum = new Float64Array(L);
  for (let c = 0; c < N_LEVELS; c++) {
    sum.fill(0);
    for (let b = 0; b < nBlocks; b++) {
      const at = (b * N_LEVELS + c) * L;
      if (stats[at] === 0) continue; // nothing written beyond n
      for (let i = 0; i <= nA; i++) sum[i]! += stats[at + i]!;
      if (c === 0) continue;
      for (let t = 0; t < nA; t++) {
        const row = 1 + nA + t * nA;
        for (let u = t; u < nA; u++) sum[row + u]! += stats[at + row + u]!;
      }
    }
    if (c === 0) sum.set(gram0, 1 + nA);
    else mirrorUpper(sum.subarray(1 + nA), nA);
    const n = sum[0]!;
    const base = c * nA;
    if (n === 0) {
      for (let t = 0; t < nA; t++) alpha[base + t] = 0;
      alpha[base] = EMPTY_LEVEL_INTERCEPT;
      if (nA > 1) sigma2Alpha[c] = 4 / rng.chiSquared(4 + nA - 1);
      continue;
    }
    const xr = sum.subarray(1, 1 + nA);
    const g = sum.subarray(1 + nA);
    const s2 = sigma2Alpha[c]!;
    for (let t = 0; t < nA; t++) {
      const xx = g[t * nA + t]!;
      const old = alpha[base + t]!;
      const prec = xx + (t === 0 ? 0 : 1 / s2);
      if (!(prec > 0)) continue;
      const mean = (xr[t]! + xx * old) / prec;
      const next = mean + rng.normal() / Math.sqrt(prec);
      alpha[base + t] = next;
      const d = old - next;
      for (let u = 0; u < nA; u++) xr[u] = xr[u]! + g[u * nA + t]! * d;
    }
    if (nA <= 1) continue;
    let ss = 0;
    for (let t = 1; t < nA; t++) ss += alpha[base + t]! * alpha[base + t]!;
    sigma2Alpha[c] = (ss + 4) / rng.chiSquared(4 + nA - 1);
  }
}

/** Copies the upper triangle (u ≥ t) of an n × n row-major matrix onto its lower one. */
export function mirrorUpper(g: Float64Array, n: number): void {
  for (let t = 0; t < n; t++) for (let u = t + 1; u < n; u++) g[u * n + t] = g[t * n + u]!;
}

/**
 * Level 0's XᵀX over every block's kept SNPs: the blocks' upper triangles (`grams`, nA² apart)
 * added in block order, then mirrored, into `out`.
 */
export function sumBlockGrams(grams: Float64Array, nBlocks: number, nA: number, out: Float64Array): void {
  const nn = nA * nA;
  out.fill(0);
  for (let b = 0; b < nBlocks; b++) {
    const at = b * nn;
    for (let t = 0; t < nA; t++) for (let u = t; u < nA; u++) out[t * nA + u]! += grams[at + t * nA + u]!;
  }
  mirrorUpper(out, nA);
}
