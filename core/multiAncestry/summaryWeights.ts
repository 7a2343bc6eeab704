// SBayesRC-multi mixing weights from summary statistics alone (issue 21, "no target tuning
// sample"): the weights a tuning sample's regression would learn, computed from the target's
// pseudo-validation GWAS (pseudoSplit.ts) and the target LD panel instead.
//
// Units. On the target panel's SNPs, β̃_a,j is ancestry a's effect of one standard deviation of
// SNP j's genotype (per-allele β times sqrt(2f_j(1−f_j)), f_j the panel's A1 frequency,
// `standardisedEffects`), aligned to the panel's A1, 0 where the fit lacks the SNP; r_v,j is the
// validation GWAS's marginal correlation of standardised genotype and phenotype (pseudoSplit.ts).
// Then with score_a = Σ_j x̃_j β̃_a,j (x̃ standardised genotypes; = the unstandardised per-allele
// score up to a constant) and y of unit variance:
//   c_a  = Σ_blocks β̃_aᵀ r_v            = cov(score_a, y)
//   Σ_ab = Σ_blocks β̃_aᵀ R β̃_b          = cov(score_a, score_b),  R = U Λ Uᵀ per block, computed as
//          (Uᵀβ̃_a)ᵀ Λ (Uᵀβ̃_b) (never the m × m matrix),
//   w    = Σ⁻¹ c: the population regression of y (in phenotype SD) on the scores, i.e. the
//          tuning-sample OLS coefficients of the unstandardised scores divided by the phenotype SD;
//   w_a·sqrt(Σ_aa): the coefficient per SD of score a, what mixingWeights.ts fits on standardised
//          scores (again in phenotype SD units);
//   R²   = cᵀ Σ⁻¹ c: the pseudo-validation R² of the combined score (optimistic by about A/N_v).
// Uncertainty: leave-one-LD-block-out jackknife, SE = sqrt((B−1)/B Σ_b (w_(b) − w̄)²) (and the
// covariance, for contrasts like w_a − w_b) over the B blocks that carry any signal (a block where
// every β̃ and r_v is 0 changes nothing); it covers both the validation GWAS's noise and which
// variants the genome happens to hold, and is the interval to report. With the validation size
// N_v, also the validation-noise SE sqrt(diag(Σ⁻¹)/N_v) (Var c = Σ/N_v), the smaller part.
// Caveat for callers: a score fitted on the target GWAS itself must be fitted on the training
// half (pseudoSplit.ts `halfSummaryStats`), or its c_a shares noise with r_v and it is overweighted.
// A score whose effects are all 0 on the panel, or that is a linear combination of earlier scores,
// makes Σ singular: it is dropped (weight 0) and named in `dropped`; a leave-one-block-out
// replicate that becomes singular drops the dependent scores in that replicate only (counted).
// The per-block work (`blockMoments`) is separate from the solve (`summaryWeights`), so a caller
// can read one eigen block at a time and keep only A + A² numbers per block.
import { orient } from '../alleles/alleleOrientation.js';
import { MetricInputError } from '../errors.js';
import { choleskyInPlace, choleskySolveInPlace, rankDeficientColumns } from '../numeric/linalg/dense.js';
import { type BlockEigen, checkEigen } from './pseudoSplit.js';

/** One LD block's contribution. */
export interface ScoreBlockMoments {
  /** c_a,b = β̃_aᵀ r_v over the block's SNPs (A values). */
  c: Float64Array;
  /** Σ_ab,b = β̃_aᵀ R β̃_b over the block (A × A, row-major, symmetric). */
  sigma: Float64Array;
}

/**
 * The block's c and Σ. `effects[a]` and `rValid` hold the block's m SNPs in panel order; `eigen`
 * is the target panel's block (any cut-off; float32 or float64). Pure; float64 accumulation.
 */
export function blockMoments(eigen: BlockEigen, effects: readonly ArrayLike<number>[], rValid: ArrayLike<number>): ScoreBlockMoments {
  checkEigen(eigen, 'LD block');
  const { m, k, values, vectors } = eigen;
  const nA = effects.length;
  if (nA === 0) throw new MetricInputError('no ancestry effects to weight');
  if (rValid.length !== m) throw new MetricInputError(`LD block of ${m} SNPs but ${rValid.length} validation correlations`);
  effects.forEach((beta, a) => {
    if (beta.length !== m) throw new MetricInputError(`LD block of ${m} SNPs but ${beta.length} effects for score ${a + 1}`);
  });
  for (let j = 0; j < m; j++) if (!Number.isFinite(rValid[j]!)) throw new MetricInputError(`validation correlation of block SNP ${j} is ${rValid[j]}`);
  const c = new Float64Array(nA);
  // p_a = Uᵀ β̃_a (k values per score), row-major nA × k.
  const p = new Float64Array(nA * k);
  for (let a = 0; a < nA; a++) {
    const beta = effects[a]!;
    let dot = 0;
    for (let j = 0; j < m; j++) {
      const v = beta[j]!;
      if (!Number.isFinite(v)) throw new MetricInputError(`effect of block SNP ${j} for score ${a + 1} is ${v} (a missing SNP is 0)`);
      dot += v * rValid[j]!;
    }
    c[a] = dot;
    for (let i = 0; i < k; i++) {
      const col = i * m;
      let s = 0;
      for (let j = 0; j < m; j++) s += vectors[col + j]! * beta[j]!;
      p[a * k + i] = s;
    }
  }
  const sigma = new Float64Array(nA * nA);
  for (let a = 0; a < nA; a++) {
    for (let b = 0; b <= a; b++) {
      let s = 0;
      for (let i = 0; i < k; i++) s += values[i]! * p[a * k + i]! * p[b * k + i]!;
      sigma[a * nA + b] = s;
      sigma[b * nA + a] = s;
    }
  }
  return { c, sigma };
}

export type ScoreDropReason = 'no-effects' | 'collinear';

export interface DroppedScore {
  /** 0-based score index. */
  index: number;
  name: string;
  reason: ScoreDropReason;
  detail: string;
}

export interface SummaryWeightsOptions {
  /** One name per score (ancestry), for `dropped`; '1', '2', … when absent. */
  names?: readonly string[];
  /** Validation GWAS size N_v (e.g. the median of the split's nValid): adds the validation-noise SE and adjusted R². */
  nValid?: number;
}

export interface SummaryWeights {
  names: string[];
  /** w = Σ⁻¹c per unit of score Σ_j x̃_j β̃_a,j (phenotype SD units); 0 for dropped scores. */
  weights: Float64Array;
  /** Block-jackknife SE of `weights` (NaN with fewer than 2 informative blocks; 0 for dropped). */
  weightSe: Float64Array;
  /** Block-jackknife covariance of `weights` (A × A row-major), for intervals of contrasts such as w_a − w_b. */
  weightCov: Float64Array;
  /** w_a·sqrt(Σ_aa): per SD of score a, the scale of the tuning-sample mixing weights. */
  standardisedWeights: Float64Array;
  standardisedWeightSe: Float64Array;
  standardisedWeightCov: Float64Array;
  /** sqrt(diag(Σ⁻¹)/N_v) for `weights` (and × sqrt(Σ_aa) for the standardised ones); NaN without nValid. */
  weightSeValidation: Float64Array;
  standardisedWeightSeValidation: Float64Array;
  /** sqrt(Σ_aa): SD of each score Σ_j x̃_j β̃_a,j on the target LD (phenotype SD units when β̃ is). */
  scoreSd: Float64Array;
  /** c and Σ summed over blocks. */
  c: Float64Array;
  sigma: Float64Array;
  /** Pseudo-validation R² of the combined score, cᵀΣ⁻¹c over the kept scores, and its jackknife SE. */
  r2: number;
  r2Se: number;
  /** 1 − (1 − R²)(N_v − 1)/(N_v − p − 1), p kept scores; NaN without nValid. */
  r2Adjusted: number;
  /** Per score alone: c_a²/Σ_aa (0 for a score with no effects). */
  singleR2: Float64Array;
  dropped: DroppedScore[];
  /** Blocks in the jackknife (those with any non-zero c or Σ entry) and all blocks given. */
  jackknifeBlocks: number;
  blocks: number;
  /** Leave-one-block-out replicates in which a kept score had to be dropped as well. */
  singularReplicates: number;
}

/** Relative pivot tolerance of the Σ solves (1 − R² of a score on the earlier ones). */
const COLLINEAR_TOLERANCE = 1e-10;

/** Weights, R² and jackknife SEs from per-block moments (all blocks of the panel, any order). */
export function summaryWeights(moments: readonly ScoreBlockMoments[], options: SummaryWeightsOptions = {}): SummaryWeights {
  if (moments.length === 0) throw new MetricInputError('no LD blocks to learn mixing weights from');
  const nA = moments[0]!.c.length;
  if (nA === 0) throw new MetricInputError('no ancestry scores to weight');
  moments.forEach((mo, b) => {
    if (mo.c.length !== nA || mo.sigma.length !== nA * nA) throw new MetricInputError(`block ${b}: moments of ${mo.c.length} scores, expected ${nA}`);
  });
  const names = options.names ? [...options.names] : Array.from({ length: nA }, (_, a) => String(a + 1));
  if (names.length !== nA) throw new MetricInputError(`${names.length} names for ${nA} scores`);
  const nValid = options.nValid;
  if (nValid !== undefined && !(nValid > 0 && Number.isFinite(nValid))) throw new MetricInputError(`validation sample size must be positive, got ${nValid}`);

  const c = new Float64Array(nA);
  const sigma = new Float64Array(nA * nA);
  for (const mo of moments) {
    for (let a = 0; a < nA; a++) c[a] = c[a]! + mo.c[a]!;
    for (let i = 0; i < nA * nA; i++) sigma[i] = sigma[i]! + mo.sigma[i]!;
  }

  // Scores kept: Gram–Schmidt on Σ in score order drops all-zero and dependent scores.
  const dependent = new Set(rankDeficientColumns(sigma, nA, COLLINEAR_TOLERANCE));
  const dropped: DroppedScore[] = [];
  const kept: number[] = [];
  for (let a = 0; a < nA; a++) {
    if (!dependent.has(a)) {
      kept.push(a);
      continue;
    }
    const noEffects = !(sigma[a * nA + a]! > 0);
    dropped.push({
      index: a,
      name: names[a]!,
      reason: noEffects ? 'no-effects' : 'collinear',
      detail: noEffects
        ? `score ${names[a]} has no non-zero effect on the target panel's SNPs (β̃ᵀRβ̃ = ${sigma[a * nA + a]}): weight 0`
        : `score ${names[a]} is, on the target LD, a linear combination of earlier scores: weight 0`,
    });
  }

  const full = solve(sigma, c, nA, kept);
  const weights = full.w;
  const scoreSd = new Float64Array(nA);
  const standardisedWeights = new Float64Array(nA);
  for (let a = 0; a < nA; a++) {
    scoreSd[a] = Math.sqrt(Math.max(sigma[a * nA + a]!, 0));
    standardisedWeights[a] = weights[a]! * scoreSd[a]!;
  }
  const r2 = dotKept(c, weights, kept);
  const singleR2 = new Float64Array(nA);
  for (let a = 0; a < nA; a++) {
    const v = sigma[a * nA + a]!;
    singleR2[a] = v > 0 ? (c[a]! * c[a]!) / v : 0;
  }

  // Leave-one-block-out jackknife over the informative blocks.
  const informative = moments.filter((mo) => mo.c.some((v) => v !== 0) || mo.sigma.some((v) => v !== 0));
  const nB = informative.length;
  const repW: Float64Array[] = [];
  const repSw: Float64Array[] = [];
  const repR2: number[] = [];
  let singularReplicates = 0;
  if (nB >= 2) {
    const cb = new Float64Array(nA);
    const sb = new Float64Array(nA * nA);
    for (const mo of informative) {
      for (let a = 0; a < nA; a++) cb[a] = c[a]! - mo.c[a]!;
      for (let i = 0; i < nA * nA; i++) sb[i] = sigma[i]! - mo.sigma[i]!;
      const rep = solve(sb, cb, nA, kept);
      if (rep.droppedAlso > 0) singularReplicates++;
      const sw = new Float64Array(nA);
      for (let a = 0; a < nA; a++) sw[a] = rep.w[a]! * Math.sqrt(Math.max(sb[a * nA + a]!, 0));
      repW.push(rep.w);
      repSw.push(sw);
      repR2.push(dotKept(cb, rep.w, kept));
    }
  }
  const weightCov = jackknifeCov(repW, nA, nB);
  const standardisedWeightCov = jackknifeCov(repSw, nA, nB);
  const weightSe = diagonalSqrt(weightCov, nA);
  const standardisedWeightSe = diagonalSqrt(standardisedWeightCov, nA);
  const r2Se = Math.sqrt(jackknifeCov(repR2.map((v) => Float64Array.of(v)), 1, nB)[0]!);

  const weightSeValidation = new Float64Array(nA).fill(NaN);
  const standardisedWeightSeValidation = new Float64Array(nA).fill(NaN);
  let r2Adjusted = NaN;
  if (nValid !== undefined) {
    for (const a of dropped) {
      weightSeValidation[a.index] = 0;
      standardisedWeightSeValidation[a.index] = 0;
    }
    const inv = inverseKept(sigma, nA, kept);
    kept.forEach((a, i) => {
      const se = Math.sqrt(Math.max(inv[i * kept.length + i]!, 0) / nValid);
      weightSeValidation[a] = se;
      standardisedWeightSeValidation[a] = se * scoreSd[a]!;
    });
    const p = kept.length;
    r2Adjusted = nValid - p - 1 > 0 ? 1 - ((1 - r2) * (nValid - 1)) / (nValid - p - 1) : NaN;
  }

  return {
    names,
    weights,
    weightSe,
    weightCov,
    standardisedWeights,
    standardisedWeightSe,
    standardisedWeightCov,
    weightSeValidation,
    standardisedWeightSeValidation,
    scoreSd,
    c,
    sigma,
    r2,
    r2Se,
    r2Adjusted,
    singleR2,
    dropped,
    jackknifeBlocks: nB,
    blocks: moments.length,
    singularReplicates,
  };
}

/** One fit's effects as the effects table holds them (effect allele a1, per-allele beta). */
export interface FitEffect {
  snp: string;
  a1: string;
  beta: number;
}

/** The target LD panel's SNPs (snp.info / ld_panel_snps): IDs, alleles and A1 frequency. */
export interface PanelSnps {
  id: readonly string[];
  a1: readonly string[];
  a2: readonly string[];
  a1Freq: ArrayLike<number>;
}

export interface StandardisedEffects {
  /** β̃ per panel SNP: β·sqrt(2f(1−f)) on the panel's A1, 0 where the fit lacks the SNP. */
  beta: Float64Array;
  matched: number;
  /** Fit's effect allele is the panel's A2 (sign flipped), strand flips included. */
  flipped: number;
  /** Rows whose alleles match neither way (0 there). */
  mismatched: number;
  /** Rows for SNPs the panel lacks. */
  notInPanel: number;
}

/**
 * A fit's per-allele effects on the target panel, standardised with the panel's frequencies.
 * Alleles as the scoring matcher takes them (core/alleles `orient`, effect allele only): the
 * same allele or its complement counts +β, the other allele −β, A/T and C/G are never strand
 * flipped, anything else contributes 0. A SNP listed twice in the fit is an error.
 */
export function standardisedEffects(panel: PanelSnps, fit: readonly FitEffect[]): StandardisedEffects {
  const m = panel.id.length;
  if (panel.a1.length !== m || panel.a2.length !== m || panel.a1Freq.length !== m) throw new MetricInputError(`panel columns of unequal length (${m} IDs)`);
  const index = new Map<string, number>();
  panel.id.forEach((id, j) => index.set(id, j));
  const beta = new Float64Array(m);
  const seen = new Uint8Array(m);
  const out: StandardisedEffects = { beta, matched: 0, flipped: 0, mismatched: 0, notInPanel: 0 };
  for (const row of fit) {
    const j = index.get(row.snp);
    if (j === undefined) {
      out.notInPanel++;
      continue;
    }
    if (seen[j]) throw new MetricInputError(`fit lists SNP '${row.snp}' twice`);
    seen[j] = 1;
    if (!Number.isFinite(row.beta)) throw new MetricInputError(`fit effect of '${row.snp}' is ${row.beta}`);
    const o = orient(row.a1, undefined, panel.a1[j]!, panel.a2[j]!);
    if (o === 'mismatch') {
      out.mismatched++;
      continue;
    }
    const f = panel.a1Freq[j]!;
    const sd = f > 0 && f < 1 ? Math.sqrt(2 * f * (1 - f)) : 0;
    const sign = o === 'a1' || o === 'flip-a1' ? 1 : -1;
    if (sign < 0) out.flipped++;
    out.matched++;
    beta[j] = sign * row.beta * sd;
  }
  return out;
}

/** w on the kept scores (0 elsewhere); dependent kept scores of this Σ dropped as well. */
function solve(sigma: Float64Array, c: Float64Array, nA: number, kept: readonly number[]): { w: Float64Array; droppedAlso: number } {
  const w = new Float64Array(nA);
  let use = [...kept];
  let droppedAlso = 0;
  for (;;) {
    const p = use.length;
    if (p === 0) return { w, droppedAlso };
    const l = subMatrix(sigma, nA, use);
    if (choleskyInPlace(l, p, COLLINEAR_TOLERANCE)) {
      const x = Float64Array.from(use, (a) => c[a]!);
      choleskySolveInPlace(l, p, x);
      use.forEach((a, i) => (w[a] = x[i]!));
      return { w, droppedAlso };
    }
    const bad = new Set(rankDeficientColumns(subMatrix(sigma, nA, use), p, COLLINEAR_TOLERANCE));
    // Cholesky and Gram–Schmidt share the pivot rule; guard against a disagreement at the edge.
    if (bad.size === 0) bad.add(p - 1);
    droppedAlso += bad.size;
    use = use.filter((_, i) => !bad.has(i));
  }
}

function inverseKept(sigma: Float64Array, nA: number, kept: readonly number[]): Float64Array {
  const p = kept.length;
  const l = subMatrix(sigma, nA, kept);
  const inv = new Float64Array(p * p);
  if (p === 0 || !choleskyInPlace(l, p, COLLINEAR_TOLERANCE)) return inv.fill(NaN);
  for (let i = 0; i < p; i++) {
    const e = new Float64Array(p);
    e[i] = 1;
    choleskySolveInPlace(l, p, e);
    inv.set(e, i * p);
  }
  return inv;
}

function subMatrix(sigma: Float64Array, nA: number, use: readonly number[]): Float64Array {
  const p = use.length;
  const out = new Float64Array(p * p);
  for (let i = 0; i < p; i++) for (let j = 0; j < p; j++) out[i * p + j] = sigma[use[i]! * nA + use[j]!]!;
  return out;
}

function dotKept(c: Float64Array, w: Float64Array, kept: readonly number[]): number {
  let s = 0;
  for (const a of kept) s += c[a]! * w[a]!;
  return s;
}

/** (B−1)/B Σ_b (θ_(b) − θ̄)(θ_(b) − θ̄)ᵀ, nA × nA row-major; NaN when B < 2. */
function jackknifeCov(reps: readonly Float64Array[], nA: number, nB: number): Float64Array {
  const cov = new Float64Array(nA * nA);
  if (nB < 2 || reps.length !== nB) return cov.fill(NaN);
  const mean = new Float64Array(nA);
  for (const r of reps) for (let a = 0; a < nA; a++) mean[a] = mean[a]! + r[a]! / nB;
  for (const r of reps) {
    for (let a = 0; a < nA; a++) {
      const da = r[a]! - mean[a]!;
      for (let b = 0; b < nA; b++) cov[a * nA + b] = cov[a * nA + b]! + da * (r[b]! - mean[b]!);
    }
  }
  for (let i = 0; i < nA * nA; i++) cov[i] = (cov[i]! * (nB - 1)) / nB;
  return cov;
}

function diagonalSqrt(cov: Float64Array, nA: number): Float64Array {
  return Float64Array.from({ length: nA }, (_, a) => Math.sqrt(Math.max(cov[a * nA + a]!, 0)));
}
